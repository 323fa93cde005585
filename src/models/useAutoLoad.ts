import { useEffect, useRef } from 'react';
import { useGpuProbe } from '../inspect/hooks.ts';
import { demoOffered, markDemoOffered } from './firstVisit.ts';
import { useCatalog, useLoadedModel, useStoredModels } from './queries.ts';
import { useDownloads } from './useDownloads.ts';
import { lastModelId, useModelLoader } from './useModelLoader.ts';

/**
 * On start, loads the model used last time, when it is fully stored and WebGPU works. On the
 * first visit, loads the catalog's default model (bundled with the app, so it is copied into the
 * store from the app's own origin, not downloaded from the Hub).
 */
export function useAutoLoad(): void {
  const stored = useStoredModels();
  const loaded = useLoadedModel();
  const catalog = useCatalog();
  const gpu = useGpuProbe();
  const { load } = useModelLoader();
  const { download } = useDownloads();
  const tried = useRef(false);

  useEffect(() => {
    if (tried.current || !stored.data || !gpu.data || !catalog.data || loaded.isPending) return;
    tried.current = true;
    if (loaded.data || !gpu.data.available) return;
    const id = lastModelId();
    const model = stored.data.find((m) => m.id === id && m.state === 'complete');
    if (model) {
      void load({ kind: 'store', id: model.id, name: model.name ?? model.id });
      return;
    }
    const demo = catalog.data.find((e) => e.isDefault && e.supported);
    if (id !== undefined || demoOffered() || !demo) return;
    markDemoOffered();
    const target = { kind: 'store', id: demo.id, name: demo.name } as const;
    if (stored.data.some((m) => m.id === demo.id && m.state === 'complete')) void load(target);
    else void download(demo.id, demo.source).then((complete) => (complete ? load(target) : undefined));
  }, [stored.data, gpu.data, catalog.data, loaded.isPending, loaded.data, load, download]);
}
