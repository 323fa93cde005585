// ModelConfig: the hyper-parameters every backend needs, normalised from GGUF metadata
// (keys and defaults as llama-arch.cpp / llama-model.cpp load them).

import { optNumber, optNumberPerLayer, optString, optStringArray, metaNumber, metaString } from '../gguf/metadata.ts';
import type { GgufFile } from '../gguf/types.ts';
import { ModelError } from './errors.ts';
import { noRopeScaling } from './rope.ts';
import type { RopeScaling } from './rope.ts';
import type { MlaConfig } from './mla.ts';
import type { DeltaNetConfig } from './deltaNet.ts';
import type { MoeRouting, QkNorm } from './graph.ts';

export type RopeType = 'norm' | 'neox';

/** Element type of a KV cache: f16 halves it and rounds K and V to binary16. */
export type KvCacheType = 'f32' | 'f16';

export interface ModelConfig {
  readonly arch: string;
  readonly nVocab: number;
  readonly nCtxTrain: number;
  readonly nEmbd: number;
  readonly nLayer: number;
  readonly nHead: number;
  readonly nHeadKv: number;
  /** Per-head width of Q and K. */
  readonly headDimK: number;
  /** Per-head width of V. */
  readonly headDimV: number;
  /** Rotated channels per head (partial rotary leaves the rest unchanged). */
  readonly nRot: number;
  readonly ropeBase: number;
  readonly ropeType: RopeType;
  readonly ropeScaling: RopeScaling;
  readonly rmsEps: number;
  readonly nExpert: number;
  readonly nExpertUsed: number;
  /** Width of one routed expert's FFN. */
  readonly nFfExp: number;
  /** Width of the shared expert (0 when there is none). */
  readonly nFfShexp: number;
  /** Scale of the attention logits (1/√headDimK unless the architecture says otherwise). */
  readonly kqScale: number;
  /** Granite's multipliers; 1 elsewhere. */
  readonly embeddingScale: number;
  readonly residualScale: number;
  /** Logits are divided by this. */
  readonly logitScale: number;
  /** Window of the sliding-window layers (`attention.sliding_window`); absent when none. */
  readonly nSwa?: number;
  /** Multi-head latent attention (deepseek2); absent for ordinary attention. */
  readonly mla?: MlaConfig;
  /** Leading layers with a dense FFN instead of experts (deepseek2), and that FFN's width. */
  readonly nLayerDenseLead?: number;
  readonly nFfDense?: number;
  /** Routing read from metadata (deepseek2, glm4moe: gating func, weight norm and scale, groups). */
  readonly moeRouting?: MoeRouting;
  /** Q/K normalisation when the file decides it (glm4moe: present or not); others state it in their forward. */
  readonly qkNorm?: QkNorm;
  /**
   * Multi-token-prediction (NextN) blocks after the trunk's nLayer (`nextn_predict_layers`):
   * blk.<nLayer>… hold them. Absent or 0: none.
   */
  readonly nNextn?: number;
  /** Gated DeltaNet linear attention and which layers use it (qwen3next, qwen35moe); absent for none. */
  readonly deltaNet?: DeltaNetConfig;
}

/** The keys every transformer has; `arch` prefixes them (`qwen3moe.block_count`). */
export function commonConfig(file: GgufFile, arch: string, ropeType: RopeType): ModelConfig {
  const k = (s: string): string => `${arch}.${s}`;
  const nEmbd = metaNumber(file, k('embedding_length'));
  const nHead = metaNumber(file, k('attention.head_count'));
  if (nHead <= 0 || nEmbd <= 0) throw new ModelError('bad_hparams', `${arch}: embedding_length and head_count must be positive`);
  const headDimK = optNumber(file, k('attention.key_length')) ?? nEmbd / nHead;
  const tokens = optStringArray(file, 'tokenizer.ggml.tokens');
  const nVocab = optNumber(file, k('vocab_size')) ?? tokens?.length;
  if (nVocab === undefined) throw new ModelError('bad_hparams', `${arch}: no vocab_size and no tokenizer.ggml.tokens`);
  const nExpert = optNumber(file, k('expert_count')) ?? 0;
  return {
    arch,
    nVocab,
    nCtxTrain: optNumber(file, k('context_length')) ?? 2048,
    nEmbd,
    nLayer: metaNumber(file, k('block_count')),
    nHead,
    nHeadKv: optNumberPerLayer(file, k('attention.head_count_kv'), 0) ?? nHead,
    headDimK,
    headDimV: optNumber(file, k('attention.value_length')) ?? nEmbd / nHead,
    nRot: optNumber(file, k('rope.dimension_count')) ?? headDimK,
    ropeBase: optNumber(file, k('rope.freq_base')) ?? 10000,
    ropeType,
    ropeScaling: ropeScalingOf(file, arch),
    rmsEps: optNumber(file, k('attention.layer_norm_rms_epsilon')) ?? 1e-5,
    nExpert,
    nExpertUsed: optNumber(file, k('expert_used_count')) ?? 0,
    nFfExp: optNumber(file, k('expert_feed_forward_length')) ?? optNumberPerLayer(file, k('feed_forward_length'), 0) ?? 0,
    nFfShexp: optNumber(file, k('expert_shared_feed_forward_length')) ?? 0,
    kqScale: 1 / Math.sqrt(headDimK),
    embeddingScale: 1,
    residualScale: 1,
    logitScale: 1,
  };
}

function ropeScalingOf(file: GgufFile, arch: string): RopeScaling {
  const k = (s: string): string => `${arch}.rope.scaling.${s}`;
  const type = optString(file, k('type')) ?? 'none';
  const factor = optNumber(file, k('factor')) ?? 1;
  if (type === 'none' || factor === 1) return noRopeScaling;
  if (type !== 'linear' && type !== 'yarn') throw new ModelError('bad_hparams', `RoPE scaling "${type}" is not supported yet (none, linear and yarn are)`);
  return {
    type,
    factor,
    originalContext: optNumber(file, k('original_context_length')) ?? optNumber(file, `${arch}.context_length`) ?? 2048,
    betaFast: optNumber(file, k('yarn_beta_fast')) ?? 32,
    betaSlow: optNumber(file, k('yarn_beta_slow')) ?? 1,
    attnFactor: 1,
  };
}

export function architectureOf(file: GgufFile): string {
  return metaString(file, 'general.architecture');
}
