// The engine's surface: the service as it runs in the worker, and the same calls as the UI sees
// them through Comlink (`Remote<EngineApi>`). Every type crosses a postMessage boundary, so each
// is a plain structured-cloneable object.

import type { ChatEvent, ChatStats, GenerationParams } from './chat/types.ts';
import type { ModelFileListing } from './store/hubListing.ts';
import type { DownloadProgress, ModelSource, StorageEstimateInfo, StoredModelInfo } from './store/types.ts';
import type { ChatMessage } from './template/chatTemplate.ts';
import type { Channel } from './channel.ts';
import type { EngineErrorInfo } from './errors.ts';
import type { DraftModelInfo, LoadedModelInfo, LoadOptions, LoadProgress } from './loadedModel.ts';
import type { GgufSummary } from './gguf/summary.ts';
import type { GpuProbe } from './gpu/device.ts';

export type { ChatEvent, ChatStats, GenerationParams } from './chat/types.ts';
export type { DownloadProgress, HubSource, ModelSource, StorageEstimateInfo, StoredModelInfo, UrlSource } from './store/types.ts';
export type { ChatMessage } from './template/chatTemplate.ts';
export type { ModelFileChoice, ModelFileListing } from './store/hubListing.ts';
export type { DraftModelInfo, ExpertCacheInfo, LoadedModelInfo, LoadOptions, LoadProgress } from './loadedModel.ts';
export type { EngineErrorInfo } from './errors.ts';
export type { GgufSummary, MetadataEntry, QuantTypeUsage, TokenizerSummary } from './gguf/summary.ts';
export type { GpuProbe } from './gpu/device.ts';

/** How a long call reports and is cancelled, in the process that runs the engine. */
export interface CallOptions<E> {
  readonly onEvent?: (event: E) => void;
  /** Aborting it cancels the call: a load or download fails with `aborted`, an answer ends with stopReason `abort`. */
  readonly signal?: AbortSignal;
}

/** The engine as it runs (in the worker, or in Node tests). */
export interface EngineService {
  /** Reads a GGUF header (metadata + tensor table) from a local file; no tensor data is read. */
  inspectGguf(file: Blob): Promise<GgufSummary>;

  /**
   * The GGUF files a pasted reference names: `owner/name`, `owner/name:Q4_K_M`, a huggingface.co
   * or hf.co link to a repository, folder or file, or any https URL of a .gguf. A split file's
   * parts are one choice. Nothing is downloaded; `downloadModel` takes a choice's `source`.
   */
  findModelFiles(reference: string): Promise<ModelFileListing>;
  /** Models in the store (complete, partial or failed). */
  listModels(): Promise<StoredModelInfo[]>;
  /** Downloads (or resumes) a model into the store, progress as records land; aborting pauses it (what was stored stays). */
  downloadModel(id: string, source: ModelSource, o: CallOptions<DownloadProgress>): Promise<StoredModelInfo>;
  /** Stores a local .gguf file, or every part of a split one picked together (validated first), no network. */
  importModel(id: string, file: Blob | Blob[], o: CallOptions<DownloadProgress>): Promise<StoredModelInfo>;
  deleteModel(id: string): Promise<void>;
  storageEstimate(): Promise<StorageEstimateInfo | undefined>;
  /** Asks the browser to keep the store when space runs low (call on a user action). */
  persistStorage(): Promise<boolean>;

  /**
   * Loads a stored model onto the GPU (replacing any loaded one; a load that fails or is
   * cancelled brings the previous one back). A model still downloading loads once its dense
   * weights are stored; its experts come from the source until stored.
   */
  loadModel(id: string, options: LoadOptions, o: CallOptions<LoadProgress>): Promise<LoadedModelInfo>;
  /** Loads a local file (or every part of a split one, in any order) straight onto the GPU without storing it. */
  loadFile(file: Blob | Blob[], options: LoadOptions, o: CallOptions<LoadProgress>): Promise<LoadedModelInfo>;
  unloadModel(): Promise<void>;
  /** The loaded model, if any. */
  loadedModel(): Promise<LoadedModelInfo | undefined>;
  /**
   * Loads a stored model as the loaded model's draft model for speculative decoding (replacing
   * any earlier one). It must share the loaded model's vocabulary (else `vocab_mismatch`); it is
   * dropped with the loaded model.
   */
  loadDraftModel(id: string, o: CallOptions<LoadProgress>): Promise<DraftModelInfo>;
  unloadDraftModel(): Promise<void>;
  /** Prompt tokens of `messages` under the loaded model's chat template (fits a conversation exactly). */
  countTokens(messages: ChatMessage[]): Promise<number>;
  /**
   * Answers the conversation: events (prefill, routing, each token, done) then the final stats.
   * Only one generation runs at a time; aborting keeps the partial answer (stopReason `abort`).
   */
  generate(messages: ChatMessage[], params: GenerationParams, o: CallOptions<ChatEvent>): Promise<ChatStats>;
}

/** The calls that stream: over Comlink each takes a Channel (channel.ts) in place of its CallOptions. */
export type StreamedCall = 'downloadModel' | 'importModel' | 'loadModel' | 'loadFile' | 'loadDraftModel' | 'generate';

type OverChannel<F> = F extends (...args: [...infer A, CallOptions<infer E>]) => Promise<infer R> ? (...args: [...A, Channel<E, R>]) => Promise<void> : never;

/**
 * The engine worker's API as the UI reaches it (`Remote<EngineApi>`). Everything crosses a
 * postMessage boundary: plain structured-cloneable objects, and one transferred MessagePort
 * per streamed call (src/engine/client.ts wraps them back into CallOptions).
 */
export type EngineApi = Omit<EngineService, StreamedCall> & { [K in StreamedCall]: OverChannel<EngineService[K]> } & {
  /** Whether WebGPU works inside the engine worker, and with which adapter. */
  probeGpu(): Promise<GpuProbe>;
  /**
   * Calls `listener` (a Comlink proxy) when the GPU device is lost (`device_lost`: the loaded
   * model is gone) or raises an error no call caught (`validation`, `out_of_memory`).
   */
  onGpuEvent(listener: (e: EngineErrorInfo) => void): void;
};
