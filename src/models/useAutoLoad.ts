import { useEffect, useRef } from 'react';
import { useGpuProbe } from '../inspect/hooks.ts';
import { useLoadedModel, useStoredModels } from './queries.ts';
import { lastModelId, useModelLoader } from './useModelLoader.ts';

/** On start, loads the model used last time, when it is fully stored and WebGPU works. No network. */
export function useAutoLoad(): void {
  const stored = useStoredModels();
  const loaded = useLoadedModel();
  const gpu = useGpuProbe();
  const { load } = useModelLoader();
  const tried = useRef(false);

  useEffect(() => {
    if (tried.current || !stored.data || !gpu.data || loaded.isPending) return;
    tried.current = true;
    if (loaded.data || !gpu.data.available) return;
    const id = lastModelId();
    const model = stored.data.find((m) => m.id === id && m.state === 'complete');
    if (model) void load({ kind: 'store', id: model.id, name: model.name ?? model.id });
  }, [stored.data, gpu.data, loaded.isPending, loaded.data, load]);
}
