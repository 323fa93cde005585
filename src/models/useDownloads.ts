// Downloads and imports into the model store, with live progress. Their state lives outside
// React, so a download keeps running (and reporting) when the Models panel is closed.

import { useQueryClient } from '@tanstack/react-query';
import { proxy } from 'comlink';
import { useCallback } from 'react';
import { getEngine, type DownloadProgress, type ModelSource } from '../engine/client.ts';
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
/** The running download or import of each model, to wait for when it is cancelled. */
const runs = new Map<string, Promise<unknown>>();

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
    async (id: string, run: (onProgress: (p: DownloadProgress) => void) => Promise<unknown>): Promise<boolean> => {
      if (transfers.get().get(id)?.running) return false;
      setTransfer(id, { running: true, error: undefined });
      const running = run(proxy((p: DownloadProgress) => setTransfer(id, { progress: p })));
      runs.set(id, running);
      try {
        await running;
        setTransfer(id, { running: false });
        return true;
      } catch (e) {
        const help = describeError(e);
        setTransfer(id, { running: false, error: help.code === 'aborted' ? undefined : help });
        return false;
      } finally {
        if (runs.get(id) === running) runs.delete(id);
        await refreshStore(qc);
      }
    },
    [qc],
  );

  /** Downloads or resumes; resolves true when the model is complete. */
  const download = useCallback((id: string, source: ModelSource) => track(id, (onProgress) => getEngine().downloadModel(id, source, onProgress)), [track]);
  const importFile = useCallback((id: string, files: readonly File[]) => track(id, (onProgress) => getEngine().importModel(id, [...files], onProgress)), [track]);
  const pause = useCallback((id: string) => void getEngine().pauseDownload(id), []);
  /** Stops a download and deletes what it stored, once it has stopped writing. */
  const cancel = useCallback(
    async (id: string) => {
      await getEngine().pauseDownload(id);
      await runs.get(id)?.catch(() => undefined);
      await getEngine().deleteModel(id);
      setTransfer(id, { running: false, progress: undefined, error: undefined });
      await refreshStore(qc);
    },
    [qc],
  );

  return { download, importFile, pause, cancel };
}
