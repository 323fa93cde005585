// The CPU reference KV cache: per layer, one K and one V vector per position
// (K: [n_head_kv · head_dim_k], V: [n_head_kv · head_dim_v]). An f16 cache rounds what it stores to
// binary16 (ties to even), as the GPU's f16 cache and llama.cpp's default cache do.

import { f16ToF32, f32ToF16 } from '../../workers/engine/quant/f16.ts';

export class CpuKvCache {
  private readonly k: Float32Array[][];
  private readonly v: Float32Array[][];

  constructor(
    nLayer: number,
    private readonly f16 = false,
  ) {
    this.k = Array.from({ length: nLayer }, () => []);
    this.v = Array.from({ length: nLayer }, () => []);
  }

  /** Positions held (the same for every layer once a forward pass has finished). */
  get length(): number {
    return this.k[0]?.length ?? 0;
  }

  put(layer: number, pos: number, k: Float32Array, v: Float32Array): void {
    if (pos > this.k[layer].length) throw new RangeError(`KV cache: position ${pos} skips past ${this.k[layer].length}`);
    this.k[layer][pos] = this.f16 ? toF16(k) : k;
    this.v[layer][pos] = this.f16 ? toF16(v) : v;
  }

  key(layer: number, pos: number): Float32Array {
    return this.k[layer][pos];
  }

  value(layer: number, pos: number): Float32Array {
    return this.v[layer][pos];
  }

  /** Values stored over every layer and position (memory stats). */
  storedValues(): number {
    let n = 0;
    for (const l of this.k) for (const k of l) n += k.length;
    for (const l of this.v) for (const v of l) n += v.length;
    return n;
  }

  /** Drops every position ≥ n (speculative rollback, edited history). */
  truncate(n: number): void {
    for (const l of this.k) l.length = Math.min(l.length, n);
    for (const l of this.v) l.length = Math.min(l.length, n);
  }
}

function toF16(x: Float32Array): Float32Array {
  return x.map((v) => f16ToF32(f32ToF16(v)));
}
