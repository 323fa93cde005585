// Downloads and imports into the model store, with live progress. Their state lives outside
// React, so a download keeps running (and reporting) when the Models panel is closed.

import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { engineCalls, getEngine, type CallOptions, type DownloadProgress, type ModelSource } from '../engine/client.ts';
import { describeError, type ErrorHelp } from '../engine/errorHelp.ts';
import { createStore, useStore } from '../ui/store.ts';
import { refreshStore } from './queries.ts';

export interface Transfer {
  readonly running: boolean;
  readonly progress: DownloadProgress | undefined;
  /** The last failure; `aborted` (paused) is not a failure. */
  readonly error: ErrorHelp | undefined;
}

const transfers = createStore<ReadonlyMap<string, Transfer>>(new Map());
/** The running download or import of each model: to pause it, and to wait for when it is cancelled. */
const runs = new Map<string, { readonly done: Promise<unknown>; readonly stop: AbortController }>();

function setTransfer(id: string, patch: Partial<Transfer>): void {
  transfers.set((prev) => {
    const next = new Map(prev);
    next.set(id, { running: false, progress: undefined, error: undefined, ...prev.get(id), ...patch });
    return next;
  });
}

export function useTransfers(): ReadonlyMap<string, Transfer> {
  return useStore(transfers);
}

export function useDownloads() {
  const qc = useQueryClient();

  const track = useCallback(
    async (id: string, run: (o: CallOptions<DownloadProgress>) => Promise<unknown>): Promise<boolean> => {
      if (transfers.get().get(id)?.running) return false;
      setTransfer(id, { running: true, error: undefined });
      const stop = new AbortController();
      const done = run({ onEvent: (p) => setTransfer(id, { progress: p }), signal: stop.signal });
      runs.set(id, { done, stop });
      try {
        await done;
        setTransfer(id, { running: false });
        return true;
      } catch (e) {
        const help = describeError(e);
        setTransfer(id, { running: false, error: help.code === 'aborted' ? undefined : help });
        return false;
      } finally {
        if (runs.get(id)?.done === done) runs.delete(id);
        await refreshStore(qc);
      }
    },
    [qc],
  );

  /** Downloads or resumes; resolves true when the model is complete. */
  const download = useCallback((id: string, source: ModelSource) => track(id, (o) => engineCalls.downloadModel(id, source, o)), [track]);
  const importFile = useCallback((id: string, files: readonly File[]) => track(id, (o) => engineCalls.importModel(id, [...files], o)), [track]);
  /** Pauses a download: what was stored stays, and the next download resumes. */
  const pause = useCallback((id: string) => runs.get(id)?.stop.abort(), []);
  /** Stops a download and deletes what it stored, once it has stopped writing. */
  const cancel = useCallback(
    async (id: string) => {
      const run = runs.get(id);
      run?.stop.abort();
      await run?.done.catch(() => undefined);
      await getEngine().deleteModel(id);
      setTransfer(id, { running: false, progress: undefined, error: undefined });
      await refreshStore(qc);
    },
    [qc],
  );

  return { download, importFile, pause, cancel };
}
