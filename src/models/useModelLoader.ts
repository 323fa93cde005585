// Loading a model onto the GPU (from the store, or straight from a local file), with progress,
// and remembering the last stored model so that the next visit loads it by itself.

import { useQueryClient } from '@tanstack/react-query';
import { proxy } from 'comlink';
import { useCallback, useEffect } from 'react';
import { engineCalls, getEngine, type CallOptions, type EngineErrorInfo, type LoadedModelInfo, type LoadProgress } from '../engine/client.ts';
import { describeError, type ErrorHelp } from '../engine/errorHelp.ts';
import { expertCacheMiB } from '../settings/settings.ts';
import { currentSettings, safeGet } from '../settings/useSettings.ts';
import { createStore, useStore } from '../ui/store.ts';
import { modelKeys } from './queries.ts';

export type LoadTarget = { readonly kind: 'store'; readonly id: string; readonly name: string } | { readonly kind: 'file'; readonly files: readonly File[]; readonly name: string };

export interface LoadState {
  readonly target: LoadTarget | undefined;
  readonly loading: boolean;
  readonly progress: LoadProgress | undefined;
  readonly error: ErrorHelp | undefined;
  /** Whether `error` stopped a load, or a model already running (a lost GPU device). */
  readonly errorWhile?: 'loading' | 'running';
}

const LAST_MODEL_KEY = 'pakar.lastModel';
const loadState = createStore<LoadState>({ target: undefined, loading: false, progress: undefined, error: undefined });

export function lastModelId(): string | undefined {
  return safeGet(LAST_MODEL_KEY) ?? undefined;
}

function rememberModel(id: string | undefined): void {
  try {
    if (id) localStorage.setItem(LAST_MODEL_KEY, id);
    else localStorage.removeItem(LAST_MODEL_KEY);
  } catch {
    // Not remembered; nothing else depends on it.
  }
}

export function useLoadState(): LoadState {
  return useStore(loadState);
}

/** An engine load under way (loadState.loading also covers a start announced before one). */
let engineLoading = false;

/**
 * Shows `target` as loading before the engine gets it: the first visit's demo, from the first
 * paint, while the GPU is probed and the model is copied into the store.
 */
export function announceLoad(target: LoadTarget): void {
  if (!engineLoading) loadState.set({ target, loading: true, progress: undefined, error: undefined });
}

/** Ends an announced start that is not going to happen (no WebGPU, a failed copy). */
export function withdrawLoad(): void {
  if (!engineLoading) loadState.set((s) => (s.loading ? { ...s, target: undefined, loading: false, progress: undefined } : s));
}

let watching = false;
/** The running load's cancel switch. */
let loadStop: AbortController | undefined;

/**
 * Shows what the GPU reports by itself (a lost device, an error no call caught) as the model's
 * error, with "Reload the model"; the conversation is the page's and stays as it is.
 */
export function useGpuWatch(): void {
  const qc = useQueryClient();
  useEffect(() => {
    if (watching) return;
    watching = true;
    const onEvent = proxy((e: EngineErrorInfo) => {
      loadState.set((s) => ({ ...s, loading: false, progress: undefined, error: describeError(e), errorWhile: 'running' }));
      void qc.invalidateQueries({ queryKey: modelKeys.loaded });
    });
    void getEngine().onGpuEvent(onEvent);
  }, [qc]);
}

export function useModelLoader() {
  const qc = useQueryClient();

  const load = useCallback(
    async (target: LoadTarget): Promise<LoadedModelInfo | undefined> => {
      if (engineLoading) return undefined;
      engineLoading = true;
      loadState.set({ target, loading: true, progress: undefined, error: undefined });
      const stop = new AbortController();
      loadStop = stop;
      const o: CallOptions<LoadProgress> = { onEvent: (p) => loadState.set((s) => ({ ...s, progress: p })), signal: stop.signal };
      try {
        const options = { expertCacheMiB: expertCacheMiB(currentSettings()) };
        const info = target.kind === 'store' ? await engineCalls.loadModel(target.id, options, o) : await engineCalls.loadFile([...target.files], options, o);
        if (target.kind === 'store') rememberModel(target.id);
        // Known as loaded before it stops showing as loading: no "choose a model" in between.
        qc.setQueryData(modelKeys.loaded, info);
        loadState.set({ target, loading: false, progress: undefined, error: undefined });
        return info;
      } catch (e) {
        const error = describeError(e);
        // Cancelled: the previous model is back (the engine reloads it), nothing went wrong.
        loadState.set({ target, loading: false, progress: undefined, error: error.code === 'aborted' ? undefined : error, errorWhile: 'loading' });
        return undefined;
      } finally {
        engineLoading = false;
        if (loadStop === stop) loadStop = undefined;
        await qc.invalidateQueries({ queryKey: modelKeys.loaded });
      }
    },
    [qc],
  );

  const unload = useCallback(async () => {
    await getEngine().unloadModel();
    rememberModel(undefined);
    loadState.set({ target: undefined, loading: false, progress: undefined, error: undefined });
    await qc.invalidateQueries({ queryKey: modelKeys.loaded });
  }, [qc]);

  /** Loads the same model again (after a GPU reset). */
  const reload = useCallback(() => {
    const target = loadState.get().target;
    return target ? load(target) : Promise.resolve(undefined);
  }, [load]);

  const dismissError = useCallback(() => loadState.set((s) => ({ ...s, error: undefined })), []);

  /** Stops the running load between tensors; the model loaded before it comes back. */
  const cancel = useCallback(() => loadStop?.abort(), []);

  return { load, unload, reload, dismissError, cancel };
}
