// The CPU reference model: parse a whole GGUF in memory, run forward passes, keep a KV cache.

import { parseGguf } from '../../workers/engine/gguf/reader.ts';
import type { GgufFile } from '../../workers/engine/gguf/types.ts';
import type { ArchDef } from '../../workers/engine/model/archs/arch.ts';
import { archOf } from '../../workers/engine/model/archs/index.ts';
import type { ModelConfig } from '../../workers/engine/model/config.ts';
import { CpuBlocks } from './blocks.ts';
import type { Routing } from './blocks.ts';
import type { KvCacheType } from '../../workers/engine/model/config.ts';
import { CpuKvCache } from './kvCache.ts';
import { CpuWeights } from './weights.ts';

export class CpuModel {
  readonly cfg: ModelConfig;
  private readonly arch: ArchDef;
  private readonly weights: CpuWeights;
  private readonly cache: CpuKvCache;
  /** Routing of the last forward pass. */
  lastRouting: Routing = [];

  constructor(
    readonly file: GgufFile,
    bytes: Uint8Array,
    /** The architecture; by default the one `general.architecture` names. */
    arch: ArchDef = archOf(file),
    /** KV-cache element type (see gpu/model.ts GpuModelOptions.kvCache). */
    kvCache: KvCacheType = 'f32',
  ) {
    this.arch = arch;
    this.cfg = this.arch.config(file);
    this.weights = new CpuWeights(file, bytes);
    this.cache = new CpuKvCache(this.cfg.nLayer, kvCache === 'f16');
  }

  static fromBytes(bytes: Uint8Array): CpuModel {
    return new CpuModel(parseGguf(bytes), bytes);
  }

  /** Positions already in the KV cache. */
  get nPast(): number {
    return this.cache.length;
  }

  /** Bytes the KV cache holds now (f32 values). */
  get kvCacheBytes(): number {
    return this.cache.storedValues() * 4;
  }

  /** Bytes of KV cache per token, over all layers (0 while empty). */
  get kvBytesPerToken(): number {
    return this.cache.length === 0 ? 0 : this.kvCacheBytes / this.cache.length;
  }

  /** Runs `tokens` at positions nPast.. and returns each token's logits. */
  forward(tokens: readonly number[]): Float32Array[] {
    for (const t of tokens) {
      if (!Number.isInteger(t) || t < 0 || t >= this.cfg.nVocab) throw new RangeError(`token id ${t} is outside the vocabulary (0..${this.cfg.nVocab - 1})`);
    }
    const blocks = new CpuBlocks(this.weights, this.cfg, this.cache, tokens, this.cache.length);
    const logits = this.arch.forward(blocks, this.cfg);
    this.lastRouting = blocks.routing;
    return logits;
  }

  /** Keeps the first n positions of the KV cache. */
  truncate(n: number): void {
    this.cache.truncate(n);
  }
}
