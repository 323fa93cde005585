// Weights for the CPU reference: each tensor dequantized to f32 on first use and kept.

import { dequantize } from '../../workers/engine/quant/dequant.ts';
import type { GgufFile, GgufTensorInfo } from '../../workers/engine/gguf/types.ts';
import { ModelError } from '../../workers/engine/model/errors.ts';

/** A row-major f32 matrix: `rows` rows of `cols` (ggml ne = [cols, rows]). */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
}

export class CpuWeights {
  private readonly cache = new Map<string, Float32Array>();

  constructor(
    private readonly file: GgufFile,
    /** The whole file (CPU reference models are small). */
    private readonly bytes: Uint8Array,
  ) {}

  has(name: string): boolean {
    return this.file.tensorByName.has(name);
  }

  info(name: string): GgufTensorInfo {
    const t = this.file.tensorByName.get(name);
    if (!t) throw new ModelError('missing_tensor', `tensor ${name} is missing from the model file`);
    return t;
  }

  /** All elements of a tensor, dequantized. */
  values(name: string): Float32Array {
    let v = this.cache.get(name);
    if (!v) {
      const t = this.info(name);
      if (!t.type.supported) throw new ModelError('unsupported_type', `tensor ${name} uses ${t.type.name}, which Pakar cannot dequantize yet`);
      v = dequantize(t.type, this.bytes.subarray(t.byteOffset, t.byteOffset + t.byteLength), t.elementCount);
      this.cache.set(name, v);
    }
    return v;
  }

  /** A 2-D weight (ne = [cols, rows]); a 1-D tensor is one row. */
  matrix(name: string): Matrix {
    const t = this.info(name);
    const cols = t.dims[0];
    return { rows: t.elementCount / cols, cols, data: this.values(name) };
  }

  /** Expert `e` of a 3-D expert tensor (ne = [cols, rows, n_expert]). */
  expert(name: string, e: number): Matrix {
    const t = this.info(name);
    const [cols, rows] = t.dims;
    const n = cols * rows;
    return { rows, cols, data: this.values(name).subarray(e * n, (e + 1) * n) };
  }
}
