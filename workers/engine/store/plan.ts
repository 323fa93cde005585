// Which records a model is stored as, and in which order they are fetched.
//
// Dense tensors are cut into chunks of at most `maxRecordBytes` (64 MiB); each expert's slice of
// each 3-D expert tensor (`blk.N.ffn_*_exps.*`, ne = [cols, rows, n_expert]) is a record of its
// own, so the expert cache can load one expert without touching the others. Order: everything a
// first token needs (token_embd, each layer's dense tensors in layer order, output_norm, output)
// before any expert; then experts layer by layer, expert e's gate/up/down together.

import { expertSlice } from '../gguf/slices.ts';
import type { GgufFile, GgufTensorInfo } from '../gguf/types.ts';
import { expertRecordKey, tensorRecordKey } from './keys.ts';

export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

/** One record: a contiguous byte range of the file, stored under `key` (manifest-relative). */
export interface RecordSpec {
  readonly key: string;
  /** Offset from the start of the file. */
  readonly offset: number;
  readonly length: number;
}

const LAYER = /^blk\.(\d+)\.(.+)$/;

interface ExpertTensor {
  readonly tensor: GgufTensorInfo;
  readonly layer: number;
  /** The name after `blk.N.`, e.g. `ffn_gate_exps.weight`. */
  readonly kind: string;
}

function expertTensorOf(t: GgufTensorInfo): ExpertTensor | undefined {
  const m = LAYER.exec(t.name);
  if (!m || t.dims.length !== 3 || !m[2].includes('_exps')) return undefined;
  return { tensor: t, layer: Number(m[1]), kind: m[2] };
}

function layerOf(t: GgufTensorInfo): number | undefined {
  const m = LAYER.exec(t.name);
  return m ? Number(m[1]) : undefined;
}

/** Pieces of at most `max` bytes covering [offset, offset + length). */
function split(offset: number, length: number, max: number): { offset: number; length: number }[] {
  const out: { offset: number; length: number }[] = [];
  for (let at = 0; at < length; at += max) out.push({ offset: offset + at, length: Math.min(max, length - at) });
  return out;
}

/** Dense tensors in first-token order: token_embd, layers 0..n-1, then the other globals. */
function denseOrder(dense: GgufTensorInfo[]): GgufTensorInfo[] {
  const rank = (t: GgufTensorInfo): number => {
    if (t.name.startsWith('token_embd.')) return -1;
    return layerOf(t) ?? Number.MAX_SAFE_INTEGER;
  };
  // Array.prototype.sort is stable: file order within a rank.
  return [...dense].sort((a, b) => rank(a) - rank(b));
}

export function planRecords(file: GgufFile, maxRecordBytes = MAX_RECORD_BYTES): RecordSpec[] {
  if (!(maxRecordBytes > 0)) throw new RangeError(`maxRecordBytes must be positive, got ${maxRecordBytes}`);
  const dense: GgufTensorInfo[] = [];
  const experts: ExpertTensor[] = [];
  for (const t of file.tensors) {
    if (t.byteLength === 0) continue;
    const x = expertTensorOf(t);
    if (x) experts.push(x);
    else dense.push(t);
  }

  const records: RecordSpec[] = [];
  for (const t of denseOrder(dense)) {
    split(t.byteOffset, t.byteLength, maxRecordBytes).forEach((p, chunk) => records.push({ key: tensorRecordKey(t.name, chunk), ...p }));
  }

  const layers = [...new Set(experts.map((x) => x.layer))].sort((a, b) => a - b);
  for (const layer of layers) {
    const inLayer = experts.filter((x) => x.layer === layer);
    const nExpert = Math.max(...inLayer.map((x) => x.tensor.dims[2]));
    for (let e = 0; e < nExpert; e++) {
      for (const x of inLayer) {
        if (e >= x.tensor.dims[2]) continue;
        const slice = expertSlice(x.tensor, e);
        const parts = split(slice.offset, slice.length, maxRecordBytes);
        parts.forEach((p, i) => records.push({ key: expertRecordKey(layer, x.kind, e, parts.length > 1 ? i : undefined), ...p }));
      }
    }
  }
  return records;
}

/** Sum of the records' lengths: the tensor bytes a complete model stores. */
export function recordBytes(records: readonly RecordSpec[]): number {
  let n = 0;
  for (const r of records) n += r.length;
  return n;
}
