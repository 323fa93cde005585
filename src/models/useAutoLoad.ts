import { useEffect, useRef } from 'react';
import { useGpuProbe } from '../inspect/hooks.ts';
import { demoOffered, markDemoOffered } from './firstVisit.ts';
import { loadCatalog } from './catalog.ts';
import { useCatalog, useLoadedModel, useStoredModels } from './queries.ts';
import { useDownloads } from './useDownloads.ts';
import type { CatalogEntry } from './catalog.ts';
import { announceLoad, lastModelId, useModelLoader, withdrawLoad } from './useModelLoader.ts';

/** The catalog's default model when this visit is the first (no model used before, demo never offered). */
function firstVisitModel(catalog: readonly CatalogEntry[]): CatalogEntry | undefined {
  if (lastModelId() !== undefined || demoOffered()) return undefined;
  return catalog.find((e) => e.isDefault && e.supported);
}

/**
 * Before the first render: on a first visit the demo shows as loading from the first paint, not
 * once the GPU probe and the copy into the store are done (useAutoLoad then loads it).
 */
export function announceFirstVisit(): void {
  const demo = firstVisitModel(loadCatalog());
  if (demo) announceLoad({ kind: 'store', id: demo.id, name: demo.name });
}

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
    if (loaded.data || !gpu.data.available) {
      withdrawLoad();
      return;
    }
    const id = lastModelId();
    const model = stored.data.find((m) => m.id === id && m.state === 'complete');
    if (model) {
      void load({ kind: 'store', id: model.id, name: model.name ?? model.id });
      return;
    }
    const demo = firstVisitModel(catalog.data);
    if (!demo) {
      withdrawLoad();
      return;
    }
    markDemoOffered();
    const target = { kind: 'store', id: demo.id, name: demo.name } as const;
    if (stored.data.some((m) => m.id === demo.id && m.state === 'complete')) void load(target);
    else {
      void download(demo.id, demo.source).then((complete) => {
        if (complete) void load(target);
        else withdrawLoad();
      });
    }
  }, [stored.data, gpu.data, catalog.data, loaded.isPending, loaded.data, load, download]);
}
