// Keeps the engine's draft model in step with the settings: the chosen stored model is loaded
// beside the loaded model whenever speculative decoding may use it (the draft drafter, or
// automatic), and again after the main model changes (the draft goes with it).

import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { engineCalls, getEngine } from '../engine/client.ts';
import { describeError, type ErrorHelp } from '../engine/errorHelp.ts';
import { useSettings } from '../settings/useSettings.ts';
import { createStore, useStore } from '../ui/store.ts';
import { modelKeys, useLoadedModel } from './queries.ts';

export interface DraftModelState {
  /** `${main model id}|${draft model id}` being loaded, or that failed (not retried by itself). */
  readonly pair: string | undefined;
  readonly loading: boolean;
  readonly error: ErrorHelp | undefined;
}

const draftState = createStore<DraftModelState>({ pair: undefined, loading: false, error: undefined });

export function useDraftModelState(): DraftModelState {
  return useStore(draftState);
}

/** Mounted once (App): loads or unloads the draft model as the settings and the loaded model change. */
export function useDraftModelSync(): void {
  const { settings } = useSettings();
  const loaded = useLoadedModel().data;
  const qc = useQueryClient();
  const wanted = settings.speculative && (settings.drafter === 'draft' || settings.drafter === 'auto') && settings.draftModelId !== '' ? settings.draftModelId : undefined;

  useEffect(() => {
    const s = draftState.get();
    if (!loaded || s.loading) return;
    // A model cannot draft for itself (the user may have loaded the draft model as the main one).
    const target = wanted === loaded.id ? undefined : wanted;
    if (target === loaded.draftModel?.id) return;
    const pair = `${loaded.id}|${target ?? ''}`;
    if (s.error && s.pair === pair) return; // failed for this pair: the user picks again
    draftState.set({ pair, loading: true, error: undefined });
    (target === undefined ? getEngine().unloadDraftModel() : engineCalls.loadDraftModel(target).then(() => {}))
      .then(
        () => draftState.set({ pair, loading: false, error: undefined }),
        (e: unknown) => draftState.set({ pair, loading: false, error: describeError(e) }),
      )
      .finally(() => void qc.invalidateQueries({ queryKey: modelKeys.loaded }));
  }, [loaded, wanted, qc]);
}

/** Forget a failure so that the same choice is tried again (the user picked it again). */
export function retryDraftModel(): void {
  draftState.set((s) => ({ ...s, pair: undefined, error: undefined }));
}
