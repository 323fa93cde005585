// A stored model as a WeightSource: reading a tensor range or an expert slice fetches only the
// records that cover it (one IndexedDB transaction), checks each record's length and checksum,
// and returns the bytes. The whole file is never assembled.

import type { ByteRange } from '../gguf/slices.ts';
import type { GgufFile } from '../gguf/types.ts';
import type { WeightSource } from '../model/weightSource.ts';
import { getOne } from './backend.ts';
import type { StoreBackend } from './backend.ts';
import { xxh32 } from './checksum.ts';
import { StoreError } from './errors.ts';
import { headerKey, recordKey } from './keys.ts';
import { infoOf, isComplete, loadManifest, parseStoredHeader } from './manifest.ts';
import type { StoredManifest } from './manifest.ts';
import type { StoredModelInfo } from './types.ts';

export interface StoredWeights extends WeightSource {
  readonly info: StoredModelInfo;
}

export interface OpenOptions {
  /** Open a partly stored model; reading a missing record is then an `incomplete` error. */
  readonly allowPartial?: boolean;
  /**
   * With allowPartial: where a range that is not all stored yet is read from instead (the
   * model's source, by a range request), so that a model can run while its download goes on.
   */
  readonly fetchMissing?: (range: ByteRange) => Promise<Uint8Array>;
  /** Told about records found damaged, so a later download fetches them again. */
  readonly onDamaged?: (indices: number[]) => void;
}

export async function openStoredWeights(backend: StoreBackend, id: string, o: OpenOptions = {}): Promise<StoredWeights> {
  const stored = await loadManifest(backend, id);
  if (!stored || stored.manifest.deleting) {
    throw new StoreError('not_found', `${id} is not in the model store (it may have been deleted, maybe in another tab); download or import it first`);
  }
  const info = infoOf(stored);
  if (!o.allowPartial && !isComplete(stored.progress)) {
    throw new StoreError('incomplete', `${id} is only ${info.percent}% downloaded; resume the download to use it`);
  }
  const header = await getOne(backend, headerKey(id));
  const m = stored.manifest;
  if (!(header instanceof Uint8Array) || header.length !== m.headerLength || xxh32(header) !== m.headerSum) {
    throw new StoreError('corrupt', `the stored header of ${id} is damaged; delete the model and download it again`, { detail: 'checksum' });
  }
  const file = await parseStoredHeader(header, m.size, m.parts);
  return { info, file, read: (range) => readRange(backend, stored, header, file, range, o) };
}

/** Record indices sorted by offset, with their offsets for binary search. */
function byOffset(stored: StoredManifest): { order: number[]; starts: number[] } {
  const order = stored.manifest.records.map((_, i) => i).sort((a, b) => stored.manifest.records[a].offset - stored.manifest.records[b].offset);
  return { order, starts: order.map((i) => stored.manifest.records[i].offset) };
}

const indexCache = new WeakMap<StoredManifest, { order: number[]; starts: number[] }>();

async function readRange(backend: StoreBackend, stored: StoredManifest, header: Uint8Array, file: GgufFile, { offset, length }: ByteRange, o: OpenOptions): Promise<Uint8Array> {
  const m = stored.manifest;
  const end = offset + length;
  // The first part's header (a split file's stored header holds every part's, one after another).
  if (end <= file.dataOffset) return header.slice(offset, end);
  if (offset < file.dataOffset || end > m.size) {
    throw new RangeError(`bytes ${offset}..${end} of ${m.id} are not tensor data (data lies in ${file.dataOffset}..${m.size})`);
  }
  let index = indexCache.get(stored);
  if (!index) {
    index = byOffset(stored);
    indexCache.set(stored, index);
  }
  // Last record starting at or before `offset`.
  let lo = 0;
  let hi = index.starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (index.starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  const covering: number[] = [];
  let at = offset;
  for (let k = lo; k < index.order.length && at < end; k++) {
    const r = m.records[index.order[k]];
    if (r.offset + r.length <= at) continue;
    if (r.offset > at) break;
    covering.push(index.order[k]);
    at = r.offset + r.length;
  }
  if (at < end) throw new RangeError(`bytes ${at}..${end} of ${m.id} belong to no tensor`);

  for (const i of covering) {
    if (stored.progress.done[i]) continue;
    if (o.fetchMissing) return o.fetchMissing({ offset, length });
    throw new StoreError('incomplete', `${m.records[i].key} of ${m.id} is not downloaded yet; resume the download`);
  }
  const values = await backend.getMany(covering.map((i) => recordKey(m.id, m.records[i].key)));
  const damaged: number[] = [];
  values.forEach((v, k) => {
    const i = covering[k];
    if (!(v instanceof Uint8Array) || v.length !== m.records[i].length || xxh32(v) !== stored.progress.sums[i]) damaged.push(i);
  });
  if (values.every((v) => v === undefined) && !(await stillStored(backend, m.id))) {
    throw new StoreError('not_found', `${m.id} was deleted (maybe in another tab) while it was loaded`);
  }
  if (damaged.length > 0) {
    o.onDamaged?.(damaged);
    const keys = damaged.map((i) => m.records[i].key).join(', ');
    throw new StoreError('corrupt', `stored record ${keys} of ${m.id} is damaged (wrong length or checksum) and was not used; resume the download to fetch it again`, { detail: 'checksum' });
  }
  const records = values as Uint8Array[];
  // Exactly one record (an expert slice, a tensor of one chunk): no copy.
  const first = m.records[covering[0]];
  if (covering.length === 1 && first.offset === offset && first.length === length) return records[0];
  const out = new Uint8Array(length);
  covering.forEach((i, k) => {
    const r = m.records[i];
    const from = Math.max(offset, r.offset);
    const to = Math.min(end, r.offset + r.length);
    out.set(records[k].subarray(from - r.offset, to - r.offset), from - offset);
  });
  return out;
}

async function stillStored(backend: StoreBackend, id: string): Promise<boolean> {
  const stored = await loadManifest(backend, id);
  return stored !== undefined && !stored.manifest.deleting;
}
