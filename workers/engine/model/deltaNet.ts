// Gated DeltaNet linear attention (Qwen3-Next, Qwen3.5-MoE), as llama.cpp loads it
// (models/qwen3next.cpp, qwen35moe.cpp, delta-net-base.cpp). A layer keeps a fixed-size state
// instead of a KV cache: the last conv_kernel − 1 inputs of its causal convolution and, per value
// head, a head_dim × head_dim matrix S. Per token, with q and k L2-normalised:
//   S ← exp(g)·S;  S ← S + k ⊗ β(v − Sᵀk);  o = Sᵀq / √head_dim
// where g = softplus(alpha + dt_bias)·ssm_a (ssm_a = −exp(A_log)) and β = sigmoid(beta).

import { optArray, optNumber, metaNumber } from '../gguf/metadata.ts';
import type { GgufFile } from '../gguf/types.ts';
import { ModelError } from './errors.ts';
import { layerTensorName } from './tensorNames.ts';
import type { LayerTensor } from './tensorNames.ts';

export interface DeltaNetConfig {
  /** Width of the causal convolution (ssm.conv_kernel). */
  readonly convKernel: number;
  /** Per-head width of q, k and v (ssm.state_size). */
  readonly headDim: number;
  /** Key (and query) heads (ssm.group_count). */
  readonly nKHeads: number;
  /** Value heads, each with its own state (ssm.time_step_rank); a multiple of nKHeads. */
  readonly nVHeads: number;
  /**
   * The key head value head h reads: h / (nV/nK) for qwen3next (k0_v0, k0_v1, k1_v2, …), h mod nK
   * for qwen35moe (k0_v0, k1_v1, k0_v2, …).
   */
  readonly keyHeads: 'grouped' | 'tiled';
  /** recurrent[il]: trunk layer il is a DeltaNet layer; the others are gated full attention. */
  readonly recurrent: readonly boolean[];
}

export function deltaNetConfig(file: GgufFile, arch: string, nLayer: number, keyHeads: DeltaNetConfig['keyHeads']): DeltaNetConfig {
  const k = (s: string): string => `${arch}.${s}`;
  const headDim = metaNumber(file, k('ssm.state_size'));
  const nKHeads = metaNumber(file, k('ssm.group_count'));
  const nVHeads = metaNumber(file, k('ssm.time_step_rank'));
  const innerSize = metaNumber(file, k('ssm.inner_size'));
  const convKernel = metaNumber(file, k('ssm.conv_kernel'));
  if (headDim <= 0 || nKHeads <= 0 || nVHeads % nKHeads !== 0 || innerSize !== nVHeads * headDim || convKernel < 1) {
    throw new ModelError('bad_hparams', `${arch}: DeltaNet of ${nKHeads} key heads, ${nVHeads} value heads of ${headDim} and inner size ${innerSize} is inconsistent`);
  }
  // llama.cpp: attention.recurrent_layers when present, else every full_attention_interval-th layer is attention.
  const listed = optArray(file, k('attention.recurrent_layers'));
  let recurrent: boolean[];
  if (listed) {
    recurrent = listed.slice(0, nLayer).map((v) => v === true || v === 1);
  } else {
    const interval = optNumber(file, k('full_attention_interval')) ?? 4;
    recurrent = Array.from({ length: nLayer }, (_, i) => (i + 1) % interval !== 0);
  }
  return { convKernel, headDim, nKHeads, nVHeads, keyHeads, recurrent };
}

/**
 * The first DeltaNet tensor a recurrent layer of `file` lacks, in one of its layouts (attn_qkv +
 * attn_gate or the legacy ssm_in; ssm_beta + ssm_alpha or ssm_ba); undefined when none is missing.
 */
export function missingDeltaNetTensor(file: GgufFile, d: DeltaNetConfig): string | undefined {
  const has = (il: number, t: LayerTensor): boolean => file.tensorByName.has(layerTensorName(il, t));
  for (let il = 0; il < d.recurrent.length; il++) {
    if (!d.recurrent[il]) continue;
    const input: LayerTensor[] = has(il, 'ssmIn') ? ['ssmIn'] : ['attnQkv', 'attnGate'];
    const gates: LayerTensor[] = has(il, 'ssmBa') ? ['ssmBa'] : ['ssmBeta', 'ssmAlpha'];
    for (const t of [...input, ...gates, 'ssmConv1d', 'ssmDt', 'ssmA', 'ssmNorm', 'ssmOut'] as const) {
      if (!has(il, t)) return layerTensorName(il, t);
    }
  }
  return undefined;
}

/** Channels of the convolution: q and k (key heads), then v (value heads). */
export function convChannels(d: DeltaNetConfig): number {
  return (2 * d.nKHeads + d.nVHeads) * d.headDim;
}

/** The key head value head h reads. */
export function keyHeadOf(d: DeltaNetConfig, h: number): number {
  return d.keyHeads === 'grouped' ? Math.floor(h / (d.nVHeads / d.nKHeads)) : h % d.nKHeads;
}

/** Floats of recurrent state one DeltaNet layer keeps (conv inputs and the S matrices). */
export function deltaNetStateFloats(d: DeltaNetConfig): number {
  return (d.convKernel - 1) * convChannels(d) + d.nVHeads * d.headDim * d.headDim;
}

/** ggml's softplus: x past 20 is taken as is. */
export function softplus(x: number): number {
  return x > 20 ? x : Math.log1p(Math.exp(x));
}

/**
 * The KV-cache layer of layer il: only full-attention layers have one, in order (NextN blocks
 * after the trunk's). Without DeltaNet every layer is its own.
 */
export function kvLayerOf(d: DeltaNetConfig | undefined, il: number): number {
  if (!d) return il;
  let recurrentBefore = 0;
  for (let i = 0; i < Math.min(il, d.recurrent.length); i++) if (d.recurrent[i]) recurrentBefore++;
  return il - recurrentBefore;
}

/** The DeltaNet state slot of trunk layer il (its index among the recurrent layers), or −1. */
export function recurrentSlotOf(d: DeltaNetConfig, il: number): number {
  if (!d.recurrent[il]) return -1;
  return il - kvLayerOf(d, il);
}

export function recurrentLayerCount(d: DeltaNetConfig): number {
  return d.recurrent.filter(Boolean).length;
}
