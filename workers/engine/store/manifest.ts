// The manifest of a stored model, in three values so that the large, fixed part is written once:
//   model/<id>/manifest  what the file is: source, size, ETag/sha, revision, record list (below)
//   model/<id>/header    the file's bytes [0, dataOffset): metadata + tensor table, parsed on open
//   model/<id>/progress  which records are done and their xxh32 checksums (rewritten as records land,
//                        in the same transaction as the records, so a flag never outlives its record)

import { readGguf } from '../gguf/reader.ts';
import { joinSplitParts } from '../gguf/split.ts';
import type { GgufFile } from '../gguf/types.ts';
import type { PartLayout } from './header.ts';
import type { StoreBackend } from './backend.ts';
import { isExpertRecord, manifestKey, progressKey } from './keys.ts';
import { recordBytes } from './plan.ts';
import type { RecordSpec } from './plan.ts';
import type { ErrorInfo, ModelSource, StoredModelInfo } from './types.ts';

export const MANIFEST_VERSION = 1;

export interface ModelManifest {
  readonly version: typeof MANIFEST_VERSION;
  readonly id: string;
  readonly source: ModelSource;
  /** The URL the records came from (Hub resolve URL), for remote sources. */
  readonly url: string | undefined;
  /** Hub revision the file was resolved at (`main` or a commit sha). */
  readonly revision: string | undefined;
  /** File size in bytes. */
  readonly size: number;
  /** ETag of the remote file (or size-mtime of a picked file); differing later = changed file. */
  readonly etag: string | undefined;
  /** SHA-256 of the whole file from the Hub's tree listing, when it gave one. */
  readonly sha256: string | undefined;
  readonly headerLength: number;
  /** A split file's parts (their headers lie one after another in the stored header); absent for a whole file. */
  readonly parts?: readonly PartLayout[];
  /** xxh32 of the header bytes. */
  readonly headerSum: number;
  readonly name: string | undefined;
  readonly architecture: string | undefined;
  readonly records: readonly RecordSpec[];
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Why the last download stopped, until one succeeds. */
  readonly failure: ErrorInfo | undefined;
  /** Set by a delete before it removes the records: the model must not be loaded any more. */
  readonly deleting: boolean;
}

/** Index-aligned with `ModelManifest.records`. */
export interface ManifestProgress {
  /** 1 when the record is stored and verified at write time. */
  readonly done: Uint8Array;
  /** xxh32 of each done record. */
  readonly sums: Uint32Array;
}

export interface StoredManifest {
  readonly manifest: ModelManifest;
  readonly progress: ManifestProgress;
}

function isManifest(v: unknown): v is ModelManifest {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as Record<string, unknown>;
  return m.version === MANIFEST_VERSION && typeof m.id === 'string' && typeof m.size === 'number' && Array.isArray(m.records);
}

function isProgress(v: unknown, n: number): v is ManifestProgress {
  if (typeof v !== 'object' || v === null) return false;
  const p = v as Record<string, unknown>;
  return p.done instanceof Uint8Array && p.sums instanceof Uint32Array && p.done.length === n && p.sums.length === n;
}

export function emptyProgress(n: number): ManifestProgress {
  return { done: new Uint8Array(n), sums: new Uint32Array(n) };
}

/**
 * The manifest and progress of `id`, or undefined when absent. A manifest from another version
 * or without valid progress reads as absent data the caller purges; progress that does not
 * match the record list is treated as nothing done (records are refetched, never trusted).
 */
export async function loadManifest(backend: StoreBackend, id: string): Promise<StoredManifest | undefined> {
  const [m, p] = await backend.getMany([manifestKey(id), progressKey(id)]);
  if (!isManifest(m)) return undefined;
  return { manifest: m, progress: isProgress(p, m.records.length) ? p : emptyProgress(m.records.length) };
}

export function storedRecordBytes(m: ModelManifest, p: ManifestProgress): number {
  let n = 0;
  for (let i = 0; i < m.records.length; i++) if (p.done[i]) n += m.records[i].length;
  return n;
}

export function doneCount(p: ManifestProgress): number {
  let n = 0;
  for (const d of p.done) n += d;
  return n;
}

export function isComplete(p: ManifestProgress): boolean {
  return p.done.every((d) => d === 1);
}

/** Indices of the records still to fetch, in plan order. */
export function missingRecords(p: ManifestProgress): number[] {
  const out: number[] = [];
  p.done.forEach((d, i) => {
    if (!d) out.push(i);
  });
  return out;
}

export function infoOf({ manifest: m, progress: p }: StoredManifest): StoredModelInfo {
  const total = recordBytes(m.records);
  const stored = storedRecordBytes(m, p);
  const complete = isComplete(p);
  return {
    id: m.id,
    source: m.source,
    name: m.name,
    architecture: m.architecture,
    size: m.size,
    bytesStored: m.headerLength + stored,
    recordsDone: doneCount(p),
    recordsTotal: m.records.length,
    percent: complete ? 100 : total === 0 ? 0 : Math.min(99, Math.floor((stored / total) * 100)),
    state: complete ? 'complete' : m.failure ? 'failed' : 'partial',
    denseStored: complete || m.records.every((r, i) => isExpertRecord(r.key) || p.done[i]),
    failure: complete ? undefined : m.failure,
    etag: m.etag,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
  };
}

/**
 * The stored header parsed into a GgufFile (tensor offsets are file offsets, as at the source;
 * a split file's parts joined, each part after the ones before it).
 */
export async function parseStoredHeader(header: Uint8Array, size: number, parts?: readonly PartLayout[]): Promise<GgufFile> {
  // Reads past the header come back short: the parser never needs them.
  const parse = (bytes: Uint8Array, fileSize: number): Promise<GgufFile> =>
    readGguf({ size: fileSize, read: async (offset, length) => bytes.subarray(offset, Math.min(bytes.length, offset + length)) });
  if (!parts) return parse(header, size);
  let at = 0;
  const files = [];
  for (const p of parts) {
    files.push({ file: await parse(header.subarray(at, at + p.headerLength), p.size), size: p.size });
    at += p.headerLength;
  }
  return joinSplitParts(files);
}
