// The UI's one handle on the engine worker. The only runtime import from workers/ in src/:
// the error transfer handler, which must be installed on this side of the boundary too.

import { wrap, type Remote } from 'comlink';
import type { EngineApi } from '../../workers/engine/api.ts';
import { installEngineErrorTransfer } from '../../workers/engine/errors.ts';
// The bundled worker's URL (not a constructor), so that configuration can ride on its query string.
import engineWorkerUrl from '../../workers/engine.worker.ts?worker&url';
import { engineWorkerHref } from './workerUrl.ts';

export { EngineError } from '../../workers/engine/errors.ts';
export type {
  ChatEvent,
  ChatMessage,
  ChatStats,
  DownloadProgress,
  EngineApi,
  EngineErrorInfo,
  ExpertCacheInfo,
  GenerationParams,
  GgufSummary,
  GpuProbe,
  LoadedModelInfo,
  LoadProgress,
  ModelFileChoice,
  ModelFileListing,
  ModelSource,
  StorageEstimateInfo,
  StoredModelInfo,
} from '../../workers/engine/api.ts';

let engine: Remote<EngineApi> | undefined;

/** The engine worker, started on first use (it owns the GPU; one per page). */
export function getEngine(): Remote<EngineApi> {
  if (!engine) {
    installEngineErrorTransfer();
    const worker = new Worker(engineWorkerHref(engineWorkerUrl, location.href, __PAKAR_HUB_PARAM__), { type: 'module', name: 'pakar-engine' });
    engine = wrap<EngineApi>(worker);
  }
  return engine;
}
