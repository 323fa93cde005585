// Server state of the model manager: the catalog, the store's models, storage and the loaded
// model. They read IndexedDB or the worker, never the network, so they run offline too.

import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { getEngine, type EngineError, type LoadedModelInfo, type StorageEstimateInfo, type StoredModelInfo } from '../engine/client.ts';
import { loadCatalog, type CatalogEntry } from './catalog.ts';

export const modelKeys = {
  catalog: ['catalog'] as const,
  stored: ['models'] as const,
  storage: ['storage'] as const,
  loaded: ['loaded-model'] as const,
};

export function useCatalog() {
  return useQuery<CatalogEntry[], Error>({ queryKey: modelKeys.catalog, queryFn: () => loadCatalog(), staleTime: Infinity, networkMode: 'always' });
}

export function useStoredModels() {
  return useQuery<StoredModelInfo[], EngineError>({ queryKey: modelKeys.stored, queryFn: () => getEngine().listModels(), networkMode: 'always' });
}

export function useStorageEstimate() {
  return useQuery<StorageEstimateInfo | null, EngineError>({
    queryKey: modelKeys.storage,
    queryFn: async () => (await getEngine().storageEstimate()) ?? null,
    networkMode: 'always',
  });
}

export function useLoadedModel() {
  return useQuery<LoadedModelInfo | null, EngineError>({
    queryKey: modelKeys.loaded,
    queryFn: async () => (await getEngine().loadedModel()) ?? null,
    networkMode: 'always',
    staleTime: Infinity,
  });
}

/** After the store changed: the list and the usage. */
export function refreshStore(qc: QueryClient): Promise<void> {
  return Promise.all([qc.invalidateQueries({ queryKey: modelKeys.stored }), qc.invalidateQueries({ queryKey: modelKeys.storage })]).then(() => {});
}

export function usePersistStorage() {
  const qc = useQueryClient();
  return useMutation<boolean, EngineError>({
    mutationFn: () => getEngine().persistStorage(),
    networkMode: 'always',
    onSettled: () => qc.invalidateQueries({ queryKey: modelKeys.storage }),
  });
}

export function useDeleteModel() {
  const qc = useQueryClient();
  return useMutation<void, EngineError, string>({
    mutationFn: (id) => getEngine().deleteModel(id),
    networkMode: 'always',
    onSettled: async () => {
      await refreshStore(qc);
      await qc.invalidateQueries({ queryKey: modelKeys.loaded });
    },
  });
}
