// The model store as the engine worker exposes it: download from the Hub or a URL, import a
// picked file, list / delete / estimate / persist, and open a stored model as a WeightSource.
// Everything it needs is injectable; the defaults are the browser's (IndexedDB, Web Locks,
// BroadcastChannel, navigator.storage, fetch).

import type { GgufFile } from '../gguf/types.ts';
import { acquireModel, changed, describeChange } from './acquire.ts';
import type { AcquireOptions } from './acquire.ts';
import { idbBackend } from './backend.ts';
import type { StoreBackend } from './backend.ts';
import type { StorageManagerLike, StoreContext } from './context.ts';
import { DEFAULT_HUB_BASE_URL } from './hub.ts';
import { httpModelBytes } from './httpSource.ts';
import { listModelFiles, parseModelRef } from './hubListing.ts';
import type { ModelFileListing } from './hubListing.ts';
import { localModelBytes } from './import.ts';
import { checkModelId, isExpertRecord } from './keys.ts';
import { loadManifest } from './manifest.ts';
import { StoreError } from './errors.ts';
import { MAX_RECORD_BYTES } from './plan.ts';
import { defaultRetryPolicy, systemClock } from './retry.ts';
import type { Clock, RetryPolicy } from './retry.ts';
import { deleteModel, estimateStorage, listModels, markDamaged, modelInfo, requestPersistence } from './storage.ts';
import { broadcastNotices, defaultLocks } from './tabs.ts';
import type { ModelLocks, Notices } from './tabs.ts';
import type { ModelSource, StorageEstimateInfo, StoredModelInfo } from './types.ts';
import { openStoredWeights } from './weights.ts';
import type { OpenOptions, StoredWeights } from './weights.ts';

export interface ModelStoreOptions {
  /** Default https://huggingface.co; tests point it at the local Hub double. */
  readonly hubBaseUrl?: string;
  readonly backend?: StoreBackend;
  readonly fetch?: typeof fetch;
  readonly locks?: ModelLocks;
  readonly notices?: Notices;
  /** navigator.storage by default; `null` for none. */
  readonly storage?: StorageManagerLike | null;
  readonly clock?: Clock;
  readonly retry?: Partial<RetryPolicy>;
  /** Records fetched at once (default 4). */
  readonly concurrency?: number;
  /** Largest record, in bytes (default 64 MiB; tests use small ones to get many records). */
  readonly maxRecordBytes?: number;
}

export type DownloadOptions = AcquireOptions;

/** The remote file's header, read without storing anything (the "add a model" check). */
export interface RemoteHeader {
  readonly url: string;
  readonly size: number;
  readonly etag: string | undefined;
  readonly file: GgufFile;
}

export class ModelStore {
  private readonly ctx: StoreContext;

  constructor(o: ModelStoreOptions = {}) {
    const nav = (globalThis as { navigator?: { storage?: StorageManagerLike } }).navigator;
    this.ctx = {
      backend: o.backend ?? idbBackend(),
      locks: o.locks ?? defaultLocks(),
      notices: o.notices ?? broadcastNotices(),
      clock: o.clock ?? systemClock,
      retry: { ...defaultRetryPolicy, ...o.retry },
      fetch: o.fetch ?? ((input, init) => fetch(input, init)),
      hubBaseUrl: o.hubBaseUrl ?? DEFAULT_HUB_BASE_URL,
      storage: o.storage === null ? undefined : (o.storage ?? nav?.storage),
      concurrency: o.concurrency ?? 4,
      maxRecordBytes: o.maxRecordBytes ?? MAX_RECORD_BYTES,
    };
  }

  /**
   * Downloads a model into the store under `id`, or resumes it from the records still missing
   * (in this session or a later one). Resolves when every record is stored; rejects with a
   * StoreError (`aborted` when `signal` pauses it; what is stored stays).
   */
  async download(id: string, source: ModelSource, o: DownloadOptions = {}): Promise<StoredModelInfo> {
    checkModelId(id);
    return acquireModel(this.ctx, id, httpModelBytes(this.ctx, source), o);
  }

  /** Stores a picked or dropped .gguf file (or every part of a split one, in any order), validated first; no network. */
  async importFile(id: string, file: Blob | readonly Blob[], o: DownloadOptions = {}): Promise<StoredModelInfo> {
    return acquireModel(this.ctx, id, await localModelBytes(Array.isArray(file) ? file : [file as Blob]), o);
  }

  /** Reads only the header of a remote GGUF: what "add a model" shows before storing anything. */
  async inspectRemote(source: ModelSource, signal: AbortSignal = new AbortController().signal): Promise<RemoteHeader> {
    const bytes = httpModelBytes(this.ctx, source);
    const id = await bytes.identify(signal);
    const { file } = await bytes.readHeader(signal);
    return { url: bytes.url ?? '', size: id.size, etag: id.etag, file };
  }

  /**
   * The GGUF files a pasted reference names (a repository, a Hub link, a .gguf URL), from the
   * Hub's file listing: what "add a model" offers before anything is downloaded.
   */
  findFiles(reference: string, signal: AbortSignal = new AbortController().signal): Promise<ModelFileListing> {
    return listModelFiles(this.ctx.fetch, this.ctx.hubBaseUrl, parseModelRef(reference, this.ctx.hubBaseUrl), signal);
  }

  list(): Promise<StoredModelInfo[]> {
    return listModels(this.ctx);
  }

  info(id: string): Promise<StoredModelInfo | undefined> {
    return modelInfo(this.ctx, id);
  }

  /** Deletes a model in every tab: a download of it stops, later loads fail with `not_found`. */
  async delete(id: string): Promise<void> {
    checkModelId(id);
    return deleteModel(this.ctx, id);
  }

  /**
   * A stored model as the engine's WeightSource. Reads verify every record's checksum; a damaged
   * record is reported (`corrupt`) and marked so that resuming the download refetches it.
   */
  async openWeights(id: string, o: Omit<OpenOptions, 'onDamaged'> = {}): Promise<StoredWeights> {
    checkModelId(id);
    return openStoredWeights(this.ctx.backend, id, {
      ...o,
      onDamaged: (indices) => void markDamaged(this.ctx, id, indices).catch(() => {}),
    });
  }

  /**
   * A model whose download is under way or stopped, opened to run now: every dense record must
   * be stored (the plan fetches them first); an expert slice not stored yet is read from the
   * model's source by a range request, checked against the size and ETag the download pinned.
   * StoreError 'incomplete' while dense records are missing, 'unsupported' for an import (no
   * source to read from), 'remote_changed' when the file at the source is another one now.
   */
  async openProgressive(id: string): Promise<StoredWeights> {
    checkModelId(id);
    const stored = await loadManifest(this.ctx.backend, id);
    if (!stored || stored.manifest.deleting) return this.openWeights(id);
    const m = stored.manifest;
    if (m.source.kind === 'file') throw new StoreError('unsupported', `${id} was imported from a file; finish the import to use it`);
    const dense = m.records.map((r, i) => ({ r, i })).filter(({ r }) => !isExpertRecord(r.key));
    const missing = dense.filter(({ i }) => !stored.progress.done[i]).length;
    if (missing > 0) throw new StoreError('incomplete', `${id} cannot run yet: ${missing} of its ${dense.length} dense records are still downloading; the experts can come later`);
    const remote = httpModelBytes(this.ctx, m.source);
    let identified: Promise<void> | undefined;
    const signal = new AbortController().signal;
    return this.openWeights(id, {
      allowPartial: true,
      fetchMissing: async ({ offset, length }) => {
        identified ??= remote.identify(signal).then((now) => {
          if (changed(m, now)) throw new StoreError('remote_changed', `the file behind ${id} changed at its source (${describeChange(m, now)}); its stored part no longer matches`);
        });
        await identified;
        return remote.fetchRecord({ key: `live ${offset}`, offset, length }, signal, () => {});
      },
    });
  }

  estimate(): Promise<StorageEstimateInfo | undefined> {
    return estimateStorage(this.ctx);
  }

  /** Call from a user action (a click): browsers grant persistence more readily then. */
  persist(): Promise<boolean> {
    return requestPersistence(this.ctx);
  }
}
