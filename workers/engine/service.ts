// The engine behind the worker boundary: the model store, the loaded chat session and the one
// running generation. Everything platform-specific (the GPU, the store's IndexedDB) is passed in,
// so the same service runs in the Web Worker and in Node tests.

import type { EngineService } from './api.ts';
import type { LoadedModelInfo, LoadOptions, LoadProgress } from './loadedModel.ts';
import { ChatError } from './chat/errors.ts';
import { ChatSession } from './chat/session.ts';
import type { ChatStats } from './chat/types.ts';
import { DecodeError } from './decode/errors.ts';
import { optString } from './gguf/metadata.ts';
import { readGguf } from './gguf/reader.ts';
import { openParts } from './gguf/split.ts';
import { blobSource } from './gguf/sources.ts';
import { summarizeGguf } from './gguf/summary.ts';
import type { GpuContext } from './gpu/device.ts';
import type { WeightSource } from './model/weightSource.ts';
import { weightsFromByteSource } from './model/weightSource.ts';
import { StoreError } from './store/errors.ts';
import type { ModelStore } from './store/modelStore.ts';

export interface EngineServiceDeps {
  /** Opens the GPU once, on first use (and again after a device loss). */
  readonly gpu: () => Promise<GpuContext>;
  readonly store: ModelStore;
  /** KV-cache positions of a loaded model (default: its training context, at most 4096). */
  readonly nCtx?: number;
}

/** A load's options, and whether its experts come in on demand (a model still downloading). */
type StartOptions = LoadOptions & { readonly lazyExperts?: boolean; readonly signal?: AbortSignal };

/**
 * A local file the store refused before writing anything fails with the reason opening it
 * directly gives (its GgufError or ModelError: truncated, bad_magic, unknown_arch, …).
 */
function refusedFile(e: unknown): never {
  if (e instanceof StoreError && (e.code === 'invalid_gguf' || e.code === 'unsupported') && e.cause instanceof Error && typeof (e.cause as { code?: unknown }).code === 'string') throw e.cause;
  throw e;
}

export function createEngineService(deps: EngineServiceDeps): EngineService {
  let session: ChatSession | undefined;
  let loaded: LoadedModelInfo | undefined;
  /** Where the loaded model's weights come from, to load it again after a failed replacement. */
  let loadedSource: WeightSource | undefined;
  let loadedOptions: StartOptions = {};
  let generation: AbortController | undefined;
  /** A draft model being loaded: a generation waits for it, so that it never drafts with a model being replaced. */
  let draftLoad: Promise<unknown> | undefined;

  /**
   * Replaces the loaded model. A failed load never leaves the person without the model that
   * worked: what can be checked without the GPU is checked before it goes, and when the new one
   * still fails on the GPU (too big, say), the previous one is loaded again.
   */
  async function load(id: string, source: WeightSource, onProgress?: (p: LoadProgress) => void, options: StartOptions = {}): Promise<LoadedModelInfo> {
    if (generation) throw new ChatError('busy', 'a generation is running; stop it before loading another model');
    ChatSession.check(source.file);
    const previous = loaded && loadedSource ? { id: loaded.id, source: loadedSource, options: loadedOptions } : undefined;
    session?.destroy();
    session = undefined;
    loaded = undefined;
    loadedSource = undefined;
    try {
      return await start(id, source, onProgress, options);
    } catch (e) {
      if (previous) await start(previous.id, previous.source, undefined, previous.options).catch(() => undefined);
      throw e;
    }
  }

  async function start(id: string, source: WeightSource, onProgress: ((p: LoadProgress) => void) | undefined, options: StartOptions): Promise<LoadedModelInfo> {
    const gpu = await deps.gpu();
    const expertCacheBytes = options.expertCacheMiB === undefined ? undefined : Math.floor(options.expertCacheMiB * 2 ** 20);
    const s = await ChatSession.load(gpu, source, {
      nCtx: deps.nCtx,
      maxTokens: 32,
      expertCacheBytes,
      lazyExperts: options.lazyExperts,
      signal: options.signal,
      onProgress: (bytesDone, bytesTotal) => onProgress?.({ bytesDone, bytesTotal }),
    });
    // The kernels compile in the browser's GPU process from here on, not during the first answer.
    s.model.preparePasses();
    const cfg = s.model.cfg;
    const cache = s.model.expertCache;
    session = s;
    loadedSource = source;
    loadedOptions = { ...options, signal: undefined };
    loaded = {
      id,
      name: optString(source.file, 'general.name') ?? id,
      architecture: cfg.arch,
      contextLength: s.model.nCtx,
      nLayer: cfg.nLayer,
      nExpert: cfg.nExpert,
      nExpertUsed: cfg.nExpertUsed,
      weightBytes: s.model.lastStep.weightBytes,
      kvCacheBytes: s.model.kvCacheBytes,
      kvBytesPerToken: s.model.kvBytesPerToken,
      recurrentStateBytes: s.model.lastStep.recurrentStateBytes,
      recurrentBytes: s.model.recurrentBytes,
      experts: { paged: cache.paged, slotsPerLayer: cache.slots, bytes: cache.bytes, downloading: options.lazyExperts === true },
      mtp: s.model.mtpUnavailable === undefined,
      adapter: `${gpu.adapterInfo.vendor} ${gpu.adapterInfo.architecture}`.trim(),
    };
    return loaded;
  }

  return {
    inspectGguf: async (file) => summarizeGguf(await readGguf(blobSource(file))),

    listModels: () => deps.store.list(),
    findModelFiles: (reference) => deps.store.findFiles(reference),
    downloadModel: (id, source, { onEvent, signal }) => deps.store.download(id, source, { onProgress: onEvent, signal, validate: ChatSession.check }),
    importModel: (id, file, { onEvent, signal }) => deps.store.importFile(id, file, { onProgress: onEvent, signal, validate: ChatSession.check }).catch(refusedFile),
    async deleteModel(id) {
      if (loaded?.id === id) {
        session?.destroy();
        session = undefined;
        loaded = undefined;
        loadedSource = undefined;
      }
      await deps.store.delete(id);
    },
    storageEstimate: () => deps.store.estimate(),
    persistStorage: () => deps.store.persist(),

    async loadModel(id, options, { onEvent, signal }) {
      // A model still downloading runs once its dense weights are stored; its experts are read
      // from the source as routing needs them until their records land.
      const partial = (await deps.store.info(id))?.state !== 'complete';
      const weights = partial ? await deps.store.openProgressive(id) : await deps.store.openWeights(id);
      return load(id, weights, onEvent, { ...options, signal, ...(partial ? { lazyExperts: true } : {}) });
    },
    async loadFile(file, options, { onEvent, signal }) {
      const files = Array.isArray(file) ? file : [file];
      const { file: gguf, ordered, source } = await openParts(files.map((f) => Object.assign(blobSource(f), { name: f instanceof File ? f.name : 'local file' })));
      return load(ordered[0].name, weightsFromByteSource(gguf, source), onEvent, { ...options, signal });
    },
    async unloadModel() {
      generation?.abort();
      session?.destroy();
      session = undefined;
      loaded = undefined;
      loadedSource = undefined;
    },
    loadedModel: async () => loaded,
    async loadDraftModel(id, { onEvent, signal }) {
      if (!session || !loaded) throw new ChatError('no_model', 'load a model before its draft model');
      if (generation) throw new ChatError('busy', 'a generation is running; stop it before loading a draft model');
      if (id === loaded.id) throw new DecodeError('bad_draft_model', 'a model cannot draft for itself; pick a smaller model with the same tokenizer');
      const target = session;
      const weights = await deps.store.openWeights(id);
      const loading = (async () => target.loadDraftModel(await deps.gpu(), weights, { signal, onProgress: (bytesDone, bytesTotal) => onEvent?.({ bytesDone, bytesTotal }) }))();
      draftLoad = loading;
      try {
        await loading;
      } finally {
        if (draftLoad === loading) draftLoad = undefined;
      }
      const model = target.draftModelInfo;
      // The main model may have been replaced meanwhile: the draft went with the old session.
      if (target !== session || !loaded || !model) throw new ChatError('no_model', 'the model changed while its draft model loaded');
      loaded.draftModel = { id, name: optString(weights.file, 'general.name') ?? id, ...model };
      return loaded.draftModel;
    },
    async unloadDraftModel() {
      if (generation) throw new ChatError('busy', 'a generation is running; stop it before unloading the draft model');
      session?.dropDraftModel();
      if (loaded) loaded.draftModel = undefined;
    },

    async countTokens(messages) {
      if (!session) throw new ChatError('no_model', 'no model is loaded; pick one first');
      return session.promptTokens(messages).length;
    },

    async generate(messages, params, { onEvent, signal }): Promise<ChatStats> {
      await draftLoad?.catch(() => {});
      if (!session) throw new ChatError('no_model', 'no model is loaded; pick one first');
      if (generation) throw new ChatError('busy', 'a generation is already running');
      // Stopped by the caller, or by an unload.
      const ctrl = new AbortController();
      const stop = (): void => ctrl.abort();
      signal?.addEventListener('abort', stop, { once: true });
      if (signal?.aborted) ctrl.abort();
      generation = ctrl;
      try {
        for await (const event of session.generate(messages, params, ctrl.signal)) {
          onEvent?.(event);
          if (event.type === 'done') return event.stats;
        }
        throw new Error('generation ended without a done event');
      } finally {
        signal?.removeEventListener('abort', stop);
        generation = undefined;
      }
    },
  };
}
