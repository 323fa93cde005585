// Stores a model from any byte source (a remote file, a picked file): under the model's lock,
// create the manifest from a validated header or resume from the records still missing, check
// the source is still the same file, and fetch the rest. Shared by download and import.

import { optString } from '../gguf/metadata.ts';
import type { GgufFile } from '../gguf/types.ts';
import { xxh32 } from './checksum.ts';
import type { StoreContext } from './context.ts';
import { abortedError, formatBytes, StoreError, toStoreError } from './errors.ts';
import type { ModelHeader } from './header.ts';
import { checkModelId, headerKey, lockName, manifestKey, modelPrefix, progressKey } from './keys.ts';
import { emptyProgress, infoOf, isComplete, loadManifest, missingRecords, storedRecordBytes } from './manifest.ts';
import type { ModelManifest, StoredManifest } from './manifest.ts';
import { planRecords, recordBytes } from './plan.ts';
import { ProgressTracker } from './progress.ts';
import type { RemoteIdentity } from './remote.ts';
import { runTransfer } from './transfer.ts';
import type { FetchRecord } from './transfer.ts';
import type { DownloadProgress, ModelSource, StoredModelInfo } from './types.ts';
import { RecordWriter } from './writer.ts';

/** Where a model's bytes come from: an HTTP file or a picked file. */
export interface ModelBytes {
  readonly source: ModelSource;
  readonly url: string | undefined;
  readonly revision: string | undefined;
  /** "download" or "import", for messages. */
  readonly verb: string;
  /** Size and ETag of the bytes now (for remote files, one probe request). */
  identify(signal: AbortSignal): Promise<RemoteIdentity>;
  /** The validated header; reads only header bytes. Called after `identify`. */
  readHeader(signal: AbortSignal): Promise<ModelHeader>;
  /** SHA-256 of the whole file, when the source can tell cheaply. */
  sha256(signal: AbortSignal): Promise<string | undefined>;
  readonly fetchRecord: FetchRecord;
}

export interface AcquireOptions {
  readonly onProgress?: (p: DownloadProgress) => void;
  readonly signal?: AbortSignal;
  /**
   * When the source changed since the stored part was fetched: drop it and start over. With a
   * complete model, this is also "check for a newer file" (without it a stored model needs no network).
   */
  readonly restart?: boolean;
  /** Extra checks of a new model's header before anything is stored (e.g. a known architecture). */
  readonly validate?: (file: GgufFile) => void;
}

export async function acquireModel(ctx: StoreContext, id: string, bytes: ModelBytes, o: AcquireOptions): Promise<StoredModelInfo> {
  checkModelId(id);
  const tracker = new ProgressTracker(id, () => ctx.clock.now(), o.onProgress);
  const what = `The ${bytes.verb} of ${id}`;
  // Aborted by the caller (pause) or by a delete of this model in another tab.
  const ctl = new AbortController();
  let deleted = false;
  const onAbort = (): void => ctl.abort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  if (o.signal?.aborted) ctl.abort();
  const unwatch = ctx.notices.watch(id, () => {
    deleted = true;
    ctl.abort();
  });
  tracker.setState('checking');
  try {
    return await ctx.locks.run(
      lockName(id),
      ctl.signal,
      () => tracker.setState('waiting'),
      async () => {
        tracker.setState('checking');
        try {
          return await fill(ctx, id, bytes, o, tracker, ctl.signal);
        } catch (e) {
          const err = deleted ? deletedError(id) : toStoreError(e, what, 'storage');
          if (err.code !== 'aborted' && err.code !== 'deleted') await recordFailure(ctx, id, err);
          throw err;
        }
      },
    );
  } catch (e) {
    const err = deleted ? deletedError(id) : toStoreError(e, what, 'storage');
    tracker.setState(err.code === 'aborted' ? 'paused' : 'failed', { code: err.code, message: err.message });
    throw err;
  } finally {
    unwatch();
    o.signal?.removeEventListener('abort', onAbort);
  }
}

async function fill(ctx: StoreContext, id: string, bytes: ModelBytes, o: AcquireOptions, tracker: ProgressTracker, signal: AbortSignal): Promise<StoredModelInfo> {
  let stored = await loadManifest(ctx.backend, id);
  if (stored?.manifest.deleting) {
    // A delete that never finished (its tab closed): finish it, then start afresh.
    await ctx.backend.deletePrefix(modelPrefix(id));
    stored = undefined;
  }
  if (stored && isComplete(stored.progress) && !o.restart) {
    // Stored models need no network, not even to look for a newer file (`restart` looks).
    const total = recordBytes(stored.manifest.records);
    tracker.setTotals(total, stored.manifest.records.length, total, stored.manifest.records.length);
    tracker.setState('complete');
    return infoOf(stored);
  }
  const now = await bytes.identify(signal);
  if (stored && changed(stored.manifest, now)) {
    if (!o.restart) {
      throw new StoreError(
        'remote_changed',
        `The file behind ${id} changed since its download started (${describeChange(stored.manifest, now)}). The stored part belongs to the old file and was not mixed with the new one: delete the model, or download again with "start over"`,
      );
    }
    await ctx.backend.deletePrefix(modelPrefix(id));
    stored = undefined;
  }
  stored ??= await create(ctx, id, bytes, now, o, signal);
  const { manifest, progress } = stored;
  const total = recordBytes(manifest.records);
  const todo = missingRecords(progress);
  tracker.setTotals(total, manifest.records.length, storedRecordBytes(manifest, progress), manifest.records.length - todo.length);
  if (todo.length > 0) {
    await checkQuota(
      ctx,
      todo.reduce((n, i) => n + manifest.records[i].length, 0),
    );
    if (manifest.failure) await ctx.backend.setMany([[manifestKey(id), { ...manifest, failure: undefined, updatedAt: Date.now() }]]);
    tracker.setState('downloading');
    const writer = new RecordWriter(ctx.backend, manifest, progress);
    try {
      await runTransfer({ records: manifest.records, todo, fetchRecord: bytes.fetchRecord, writer, tracker, concurrency: ctx.concurrency, signal });
    } finally {
      await writer.idle();
    }
  }
  const after = await loadManifest(ctx.backend, id);
  if (!after) throw deletedError(id);
  tracker.setState('complete');
  return infoOf(after);
}

function deletedError(id: string): StoreError {
  return new StoreError('deleted', `${id} was deleted (maybe in another tab) while it was being stored`);
}

export function changed(m: ModelManifest, now: RemoteIdentity): boolean {
  return m.size !== now.size || (m.etag !== undefined && now.etag !== undefined && m.etag !== now.etag);
}

export function describeChange(m: ModelManifest, now: RemoteIdentity): string {
  return m.size !== now.size ? `size ${m.size} → ${now.size} bytes` : `ETag ${m.etag} → ${now.etag}`;
}

/** A new model: header read and validated first; nothing is written unless all of it passes. */
async function create(ctx: StoreContext, id: string, bytes: ModelBytes, identity: RemoteIdentity, o: AcquireOptions, signal: AbortSignal): Promise<StoredManifest> {
  const { file, header, parts } = await bytes.readHeader(signal);
  try {
    o.validate?.(file);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    throw new StoreError('unsupported', `${e instanceof Error ? e.message : String(e)}. Nothing was stored`, { detail: typeof code === 'string' ? code : undefined, cause: e });
  }
  const records = planRecords(file, ctx.maxRecordBytes);
  await checkQuota(ctx, header.length + recordBytes(records));
  if (signal.aborted) throw abortedError(`The ${bytes.verb}`);
  const t = Date.now();
  const manifest: ModelManifest = {
    version: 1,
    id,
    source: bytes.source,
    url: bytes.url,
    revision: bytes.revision,
    size: identity.size,
    etag: identity.etag,
    sha256: await bytes.sha256(signal),
    headerLength: header.length,
    parts,
    headerSum: xxh32(header),
    name: stringOrUndefined(file, 'general.name'),
    architecture: stringOrUndefined(file, 'general.architecture'),
    records,
    createdAt: t,
    updatedAt: t,
    failure: undefined,
    deleting: false,
  };
  const progress = emptyProgress(records.length);
  // One transaction: a manifest never exists without its header.
  await ctx.backend.setMany([
    [manifestKey(id), manifest],
    [headerKey(id), header],
    [progressKey(id), progress],
  ]);
  return { manifest, progress };
}

function stringOrUndefined(file: GgufFile, key: string): string | undefined {
  try {
    return optString(file, key);
  } catch {
    return undefined; // a mistyped name is the loader's problem, not the store's
  }
}

/** Refuses to start when navigator.storage says the bytes still needed will not fit. */
async function checkQuota(ctx: StoreContext, needed: number): Promise<void> {
  if (!ctx.storage) return;
  let est: { usage?: number; quota?: number };
  try {
    est = await ctx.storage.estimate();
  } catch {
    return;
  }
  if (est.quota === undefined || est.usage === undefined) return;
  const free = est.quota - est.usage;
  if (needed > free) {
    throw new StoreError(
      'quota',
      `This needs ${formatBytes(needed)} more storage but the browser allows only ${formatBytes(Math.max(0, free))} more for this site. Delete a model or free disk space, then try again`,
    );
  }
}

/** Best effort: the list shows why the model stopped (a full disk may refuse even this). */
async function recordFailure(ctx: StoreContext, id: string, err: StoreError): Promise<void> {
  try {
    const stored = await loadManifest(ctx.backend, id);
    if (!stored || stored.manifest.deleting) return;
    await ctx.backend.setMany([[manifestKey(id), { ...stored.manifest, failure: { code: err.code, message: err.message }, updatedAt: Date.now() }]]);
  } catch {
    // Keeping the records matters more than keeping the reason.
  }
}
