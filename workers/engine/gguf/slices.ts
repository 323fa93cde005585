// Byte ranges of tensors and of one expert inside a merged 3-D expert tensor.

import { rowBytes } from '../quant/types.ts';
import { GgufError } from './errors.ts';
import type { GgufTensorInfo } from './types.ts';

export interface ByteRange {
  /** Offset from the start of the file. */
  readonly offset: number;
  readonly length: number;
}

export function tensorRange(t: GgufTensorInfo): ByteRange {
  return { offset: t.byteOffset, length: t.byteLength };
}

/** Bytes of one row (dims[0] elements) of a tensor. */
export function tensorRowBytes(t: GgufTensorInfo): number {
  return rowBytes(t.type, t.dims[0]);
}

/**
 * Expert `e` of an expert tensor: ne = [cols, rows, n_expert] (3-D weights) or
 * [n, n_expert] (gpt-oss biases). Experts are the slowest axis, so each is contiguous.
 * The start is generally not aligned (only the tensor start is).
 */
export function expertSlice(t: GgufTensorInfo, e: number): ByteRange {
  const nExpert = t.dims[t.dims.length - 1];
  if (t.dims.length < 2) throw new GgufError('bad_dims', `tensor ${t.name} has no expert axis`);
  if (!Number.isInteger(e) || e < 0 || e >= nExpert) {
    throw new GgufError('bad_dims', `expert ${e} is out of range for ${t.name} (${nExpert} experts)`);
  }
  const length = t.byteLength / nExpert;
  return { offset: t.byteOffset + e * length, length };
}
