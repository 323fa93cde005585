// The UI's one handle on the engine worker. Runtime imports from workers/: the error transfer
// handler, which must be installed on this side of the boundary too, and the page's end of the
// streamed calls' channels.

import { transfer, wrap, type Remote } from 'comlink';
import type {
  CallOptions,
  ChatEvent,
  ChatMessage,
  ChatStats,
  DownloadProgress,
  DraftModelInfo,
  EngineApi,
  GenerationParams,
  LoadedModelInfo,
  LoadOptions,
  LoadProgress,
  ModelSource,
  StoredModelInfo,
} from '../../workers/engine/api.ts';
import { callOverChannel } from '../../workers/engine/channel.ts';
import { installEngineErrorTransfer } from '../../workers/engine/errors.ts';
// The bundled worker's URL (not a constructor), so that configuration can ride on its query string.
import engineWorkerUrl from '../../workers/engine.worker.ts?worker&url';
import { engineWorkerHref } from './workerUrl.ts';

export { EngineError } from '../../workers/engine/errors.ts';
export type {
  CallOptions,
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

/**
 * The engine's streamed calls with their events and cancellation as a caller wants them
 * (CallOptions: `onEvent`, `signal`): each runs over a channel of its own (workers/engine/channel.ts),
 * so its result arrives after its last event.
 */
export const engineCalls = {
  downloadModel: (id: string, source: ModelSource, o: CallOptions<DownloadProgress> = {}) =>
    callOverChannel<DownloadProgress, StoredModelInfo>((port) => getEngine().downloadModel(id, source, transfer(port, [port])), o),
  importModel: (id: string, files: Blob[], o: CallOptions<DownloadProgress> = {}) =>
    callOverChannel<DownloadProgress, StoredModelInfo>((port) => getEngine().importModel(id, files, transfer(port, [port])), o),
  loadModel: (id: string, options: LoadOptions, o: CallOptions<LoadProgress> = {}) =>
    callOverChannel<LoadProgress, LoadedModelInfo>((port) => getEngine().loadModel(id, options, transfer(port, [port])), o),
  loadFile: (files: Blob[], options: LoadOptions, o: CallOptions<LoadProgress> = {}) =>
    callOverChannel<LoadProgress, LoadedModelInfo>((port) => getEngine().loadFile(files, options, transfer(port, [port])), o),
  loadDraftModel: (id: string, o: CallOptions<LoadProgress> = {}) => callOverChannel<LoadProgress, DraftModelInfo>((port) => getEngine().loadDraftModel(id, transfer(port, [port])), o),
  generate: (messages: ChatMessage[], params: GenerationParams, o: CallOptions<ChatEvent> = {}) =>
    callOverChannel<ChatEvent, ChatStats>((port) => getEngine().generate(messages, params, transfer(port, [port])), o),
};
