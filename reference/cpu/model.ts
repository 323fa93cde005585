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
import { CpuRecurrentState } from './recurrentState.ts';
import { CpuWeights } from './weights.ts';

export class CpuModel {
  readonly cfg: ModelConfig;
  private readonly arch: ArchDef;
  private readonly weights: CpuWeights;
  private readonly cache: CpuKvCache;
  /** The DeltaNet layers' state (hybrid models). */
  private readonly recurrent: CpuRecurrentState | undefined;
  /** Positions run so far (the KV cache alone misses them when layer 0 is recurrent). */
  private positions = 0;
  /** Routing of the last forward pass. */
  lastRouting: Routing = [];
  /** The normalised final states of the last forward pass, one per token (what the MTP block reads). */
  lastHidden: Float32Array[] = [];
  /** The MTP block's KV cache (its layer is nLayer) and the positions it holds. */
  private readonly mtpCache: CpuKvCache;
  private mtpLength = 0;

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
    this.recurrent = this.cfg.deltaNet && new CpuRecurrentState(this.cfg.deltaNet);
    this.mtpCache = new CpuKvCache(this.cfg.nLayer + 1, kvCache === 'f16');
  }

  static fromBytes(bytes: Uint8Array): CpuModel {
    return new CpuModel(parseGguf(bytes), bytes);
  }

  /** Positions already in the KV cache. */
  get nPast(): number {
    return this.positions;
  }

  /** Bytes the KV cache holds now (f32 values). */
  get kvCacheBytes(): number {
    return this.cache.storedValues() * 4;
  }

  /** Bytes of KV cache per token, over all layers (0 while empty). */
  get kvBytesPerToken(): number {
    return this.positions === 0 ? 0 : this.kvCacheBytes / this.positions;
  }

  /** Bytes of DeltaNet state held now (f32). */
  get recurrentStateBytes(): number {
    return (this.recurrent?.storedFloats() ?? 0) * 4;
  }

  /** The longest prefix of at most n positions that truncate() can keep exactly. */
  restorable(n: number): number {
    const m = Math.min(n, this.positions);
    return this.recurrent ? this.recurrent.restorable(m) : m;
  }

  /** Runs `tokens` at positions nPast.. and returns each token's logits. */
  forward(tokens: readonly number[]): Float32Array[] {
    for (const t of tokens) {
      if (!Number.isInteger(t) || t < 0 || t >= this.cfg.nVocab) throw new RangeError(`token id ${t} is outside the vocabulary (0..${this.cfg.nVocab - 1})`);
    }
    const blocks = new CpuBlocks(this.weights, this.cfg, this.cache, tokens, this.positions, this.recurrent);
    const logits = this.arch.forward(blocks, this.cfg);
    this.positions += tokens.length;
    this.recurrent?.prune(this.positions);
    this.lastRouting = blocks.routing;
    this.lastHidden = blocks.finalHidden;
    return logits;
  }

  /** Whether the model has a multi-token-prediction block this reference runs. */
  get hasMtp(): boolean {
    return (this.cfg.nNextn ?? 0) > 0 && this.arch.mtp !== undefined;
  }

  /** Positions in the MTP block's KV cache. */
  get mtpPast(): number {
    return this.mtpLength;
  }

  /**
   * The MTP block at positions mtpPast…: row i joins hidden[i] (the trunk's normalised state at
   * that position, or the block's own from a chained prediction) with nextTokens[i], the token
   * after it. Returns the logits for the token after nextTokens[i] and the block's normalised
   * states (the `hidden` of the prediction after that).
   */
  forwardMtp(hidden: readonly Float32Array[], nextTokens: readonly number[]): { logits: Float32Array[]; hidden: Float32Array[] } {
    if (!this.hasMtp || !this.arch.mtp) throw new RangeError(`${this.cfg.arch}: this model has no multi-token-prediction block`);
    if (hidden.length !== nextTokens.length) throw new RangeError(`${hidden.length} hidden states for ${nextTokens.length} tokens`);
    const blocks = new CpuBlocks(this.weights, this.cfg, this.mtpCache, nextTokens, this.mtpLength);
    const logits = this.arch.mtp(blocks, this.cfg, [...hidden]);
    this.mtpLength += nextTokens.length;
    return { logits, hidden: blocks.finalHidden };
  }

  /** Keeps the MTP block's first n positions. */
  truncateMtp(n: number): void {
    this.mtpLength = Math.min(this.mtpLength, n);
    this.mtpCache.truncate(this.mtpLength);
  }

  /** Keeps the first n positions of the KV cache and the recurrent state after them (see restorable). */
  truncate(n: number): void {
    if (n >= this.positions) return;
    this.recurrent?.truncate(n);
    this.cache.truncate(n);
    this.positions = n;
  }
}
