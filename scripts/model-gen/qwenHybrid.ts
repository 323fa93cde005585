// Qwen hybrid test models (qwen3next, qwen35moe, as llama.cpp loads them): Gated DeltaNet layers
// with every full_attention_interval-th layer gated full attention, routed experts plus a
// sigmoid-gated shared expert after post_attention_norm, and trailing NextN (MTP) blocks.

import { kv } from '../../reference/gguf/writer.ts';
import type { GgufKv } from '../../workers/engine/gguf/types.ts';
import { layerTensorName as w } from '../../workers/engine/model/tensorNames.ts';
import { nextnTensors } from './deepseek2.ts';
import type { LayerShape, TensorSink } from './deepseek2.ts';

export interface QwenHybridSpec {
  /** Every interval-th trunk layer is full attention (full_attention_interval). */
  readonly interval: number;
  /** Full attention's per-head width (attention.key_length); RoPE turns a quarter of it. */
  readonly attnHeadDim: number;
  /** DeltaNet: per-head width, key heads, value heads, conv width. */
  readonly headDim: number;
  readonly nKHeads: number;
  readonly nVHeads: number;
  readonly convKernel: number;
  /** NextN blocks after the trunk (nextn_predict_layers). */
  readonly nextn: number;
  /** qwen3next only: the legacy ssm_in (q, k, v, z grouped per key head) instead of attn_qkv + attn_gate. */
  readonly legacyIn: boolean;
}

export const defaultQwenHybrid: QwenHybridSpec = { interval: 2, attnHeadDim: 32, headDim: 16, nKHeads: 2, nVHeads: 4, convKernel: 4, nextn: 1, legacyIn: false };

/** Block `il` (a full-attention NextN block when il ≥ the trunk's layers). */
export function qwenHybridLayer(out: TensorSink, arch: 'qwen3next' | 'qwen35moe', il: number, nTrunk: number, q: QwenHybridSpec, s: LayerShape & { readonly nFfShexp: number }): void {
  const { nEmbd } = s;
  out.norm(w(il, 'attnNorm'), nEmbd);
  if (il >= nTrunk || (il + 1) % q.interval === 0) {
    const hd = q.attnHeadDim;
    out.linear(w(il, 'attnQ'), nEmbd, 2 * s.nHead * hd, s.attnType);
    out.linear(w(il, 'attnK'), nEmbd, s.nHeadKv * hd, s.attnType);
    out.linear(w(il, 'attnV'), nEmbd, s.nHeadKv * hd, s.attnType);
    out.norm(w(il, 'attnQNorm'), hd);
    out.norm(w(il, 'attnKNorm'), hd);
    out.linear(w(il, 'attnOutput'), s.nHead * hd, nEmbd, s.attnType, 0.5);
  } else {
    const { headDim: hd, nKHeads, nVHeads } = q;
    const channels = (2 * nKHeads + nVHeads) * hd;
    if (q.legacyIn && arch === 'qwen3next') {
      out.linear(w(il, 'ssmIn'), nEmbd, channels + nVHeads * hd, s.attnType);
    } else {
      out.linear(w(il, 'attnQkv'), nEmbd, channels, s.attnType);
      out.linear(w(il, 'attnGate'), nEmbd, nVHeads * hd, s.attnType);
    }
    if (arch === 'qwen3next') {
      out.linear(w(il, 'ssmBa'), nEmbd, 2 * nVHeads, s.attnType);
    } else {
      out.linear(w(il, 'ssmBeta'), nEmbd, nVHeads, s.attnType);
      out.linear(w(il, 'ssmAlpha'), nEmbd, nVHeads, s.attnType);
    }
    out.random(w(il, 'ssmConv1d'), [q.convKernel, channels], 0.5, 'F32');
    out.random(w(il, 'ssmDt'), [nVHeads], 0.5, 'F32');
    // ssm_a = −exp(A_log): decays exp(softplus(·)·a) that keep a fair share of the state per token.
    out.values(
      w(il, 'ssmA'),
      [nVHeads],
      Float32Array.from({ length: nVHeads }, () => -(0.05 + 0.4 * out.rng.next())),
      'F32',
    );
    out.norm(w(il, 'ssmNorm'), hd);
    out.linear(w(il, 'ssmOut'), nVHeads * hd, nEmbd, s.attnType, 0.5);
  }
  out.norm(w(il, 'postAttentionNorm'), nEmbd);
  out.linear(w(il, 'ffnGateInp'), nEmbd, s.nExpert, s.routerType, 3);
  out.linear(w(il, 'ffnGateExps'), nEmbd, s.nFf, s.expertsType, 1, s.nExpert);
  out.linear(w(il, 'ffnUpExps'), nEmbd, s.nFf, s.expertsType, 1, s.nExpert);
  out.linear(w(il, 'ffnDownExps'), s.nFf, nEmbd, s.expertsType, 0.7, s.nExpert);
  out.random(w(il, 'ffnGateInpShexp'), [nEmbd], 1 / Math.sqrt(nEmbd), 'F32');
  out.linear(w(il, 'ffnGateShexp'), nEmbd, s.nFfShexp, s.shexpType);
  out.linear(w(il, 'ffnUpShexp'), nEmbd, s.nFfShexp, s.shexpType);
  out.linear(w(il, 'ffnDownShexp'), s.nFfShexp, nEmbd, s.shexpType, 0.5);
  if (il >= nTrunk) nextnTensors(out, il, s);
}

export function qwenHybridHparams(arch: 'qwen3next' | 'qwen35moe', q: QwenHybridSpec, nFf: number, nFfShexp: number): GgufKv[] {
  const k = (key: string): string => `${arch}.${key}`;
  return [
    kv.u32(k('attention.key_length'), q.attnHeadDim),
    kv.u32(k('attention.value_length'), q.attnHeadDim),
    kv.u32(k('feed_forward_length'), nFf * 4),
    kv.u32(k('expert_feed_forward_length'), nFf),
    kv.u32(k('expert_shared_feed_forward_length'), nFfShexp),
    kv.u32(k('ssm.conv_kernel'), q.convKernel),
    kv.u32(k('ssm.state_size'), q.headDim),
    kv.u32(k('ssm.group_count'), q.nKHeads),
    kv.u32(k('ssm.time_step_rank'), q.nVHeads),
    kv.u32(k('ssm.inner_size'), q.nVHeads * q.headDim),
    kv.u32(k('full_attention_interval'), q.interval),
    kv.u32(k('nextn_predict_layers'), q.nextn),
    // Qwen3.5's interleaved M-RoPE sections (a text token has one position in all of them).
    ...(arch === 'qwen35moe' ? [kv.i32s(k('rope.dimension_sections'), [q.attnHeadDim / 16, q.attnHeadDim / 32, q.attnHeadDim / 32, 0])] : []),
  ];
}
