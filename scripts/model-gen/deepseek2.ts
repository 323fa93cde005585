// The deepseek2 part of the test-model generator: MLA attention tensors in either GGUF layout,
// dense leading FFNs, shared experts, DeepSeek-V3 routing tensors, and their metadata keys
// (llama.cpp llama_model_deepseek2::load_arch_hparams / load_arch_tensors).

import { kv } from '../../reference/gguf/writer.ts';
import type { GgufKv } from '../../workers/engine/gguf/types.ts';
import type { GgmlTypeName } from '../../workers/engine/quant/types.ts';
import { layerTensorName as w } from '../../workers/engine/model/tensorNames.ts';
import type { Rng } from './random.ts';

export interface Deepseek2Spec {
  /** 0 writes plain attn_q ("lite"); otherwise attn_q_a / attn_q_a_norm / attn_q_b of this rank. */
  readonly qLoraRank: number;
  readonly kvLoraRank: number;
  readonly nopeDim: number;
  readonly ropeDim: number;
  readonly vDim: number;
  /** The current converter's attn_k_b + attn_v_b (and *_mla keys); false: one attn_kv_b. */
  readonly splitKvB: boolean;
  readonly denseLead: number;
  readonly nFfDense: number;
  readonly nExpertShared: number;
  /** DeepSeek-V3 routing: sigmoid gating, exp_probs_b, renormalised weights × 2.5, grouped top-k. */
  readonly v3Routing: boolean;
  /** rope.scaling.yarn_log_multiplier as the converter writes it (0.1 · mscale_all_dim). */
  readonly yarnLogMul?: number;
  /** NextN (MTP) blocks after the trunk (nextn_predict_layers; absent: none). */
  readonly nextn?: number;
}

export const defaultDeepseek2: Deepseek2Spec = {
  qLoraRank: 0,
  kvLoraRank: 64,
  nopeDim: 32,
  ropeDim: 16,
  vDim: 32,
  splitKvB: true,
  denseLead: 1,
  nFfDense: 96,
  nExpertShared: 1,
  v3Routing: false,
};

export interface TensorSink {
  readonly rng: Rng;
  norm(name: string, n: number): void;
  linear(name: string, cols: number, rows: number, type: GgmlTypeName, gain?: number, experts?: number): void;
  /** A tensor of any shape with N(0, std²) values. */
  random(name: string, dims: number[], std: number, type: GgmlTypeName): void;
  /** A tensor with the given values. */
  values(name: string, dims: number[], data: Float32Array, type: GgmlTypeName): void;
}

/** The sizes and tensor types one generated layer needs. */
export interface LayerShape {
  readonly nEmbd: number;
  readonly nHead: number;
  readonly nHeadKv: number;
  readonly nExpert: number;
  readonly nFf: number;
  readonly attnType: GgmlTypeName;
  readonly expertsType: GgmlTypeName;
  readonly shexpType: GgmlTypeName;
  readonly routerType: GgmlTypeName;
}

/** Block `il` (a NextN block when il ≥ nTrunk: a whole layer plus the nextn.* tensors). */
export function deepseek2Layer(out: TensorSink, il: number, nTrunk: number, d: Deepseek2Spec, s: LayerShape): void {
  if (il >= nTrunk) nextnTensors(out, il, s);
  const { nEmbd, nHead: H } = s;
  const { kvLoraRank: r, nopeDim: dn, ropeDim: dr, vDim: dv } = d;
  out.norm(w(il, 'attnNorm'), nEmbd);
  if (d.qLoraRank > 0) {
    out.linear(w(il, 'attnQA'), nEmbd, d.qLoraRank, s.attnType);
    out.norm(w(il, 'attnQANorm'), d.qLoraRank);
    out.linear(w(il, 'attnQB'), d.qLoraRank, H * (dn + dr), s.attnType);
  } else {
    out.linear(w(il, 'attnQ'), nEmbd, H * (dn + dr), s.attnType);
  }
  out.linear(w(il, 'attnKvAMqa'), nEmbd, r + dr, s.attnType);
  out.norm(w(il, 'attnKvANorm'), r);
  if (d.splitKvB) {
    out.random(w(il, 'attnKB'), [dn, r, H], 1 / Math.sqrt(dn), s.attnType);
    out.random(w(il, 'attnVB'), [r, dv, H], 1 / Math.sqrt(r), s.attnType);
  } else {
    out.linear(w(il, 'attnKvB'), r, H * (dn + dv), s.attnType);
  }
  out.linear(w(il, 'attnOutput'), H * dv, nEmbd, s.attnType, 0.5);
  out.norm(w(il, 'ffnNorm'), nEmbd);
  if (il < d.denseLead) {
    out.linear(w(il, 'ffnGate'), nEmbd, d.nFfDense, s.expertsType);
    out.linear(w(il, 'ffnUp'), nEmbd, d.nFfDense, s.expertsType);
    out.linear(w(il, 'ffnDown'), d.nFfDense, nEmbd, s.expertsType, 0.7);
    return;
  }
  // Sigmoid gating saturates on large logits, which would leave near-ties among the chosen.
  out.linear(w(il, 'ffnGateInp'), nEmbd, s.nExpert, s.routerType, d.v3Routing ? 1 : 3);
  if (d.v3Routing) out.random(w(il, 'expProbsB'), [s.nExpert], 0.5, 'F32');
  out.linear(w(il, 'ffnGateExps'), nEmbd, s.nFf, s.expertsType, 1, s.nExpert);
  out.linear(w(il, 'ffnUpExps'), nEmbd, s.nFf, s.expertsType, 1, s.nExpert);
  out.linear(w(il, 'ffnDownExps'), s.nFf, nEmbd, s.expertsType, 0.7, s.nExpert);
  if (d.nExpertShared > 0) {
    const nFfSh = s.nFf * d.nExpertShared;
    out.linear(w(il, 'ffnGateShexp'), nEmbd, nFfSh, s.shexpType);
    out.linear(w(il, 'ffnUpShexp'), nEmbd, nFfSh, s.shexpType);
    out.linear(w(il, 'ffnDownShexp'), nFfSh, nEmbd, s.shexpType, 0.5);
  }
}

/** What a NextN block has beyond a decoder layer: eh_proj, enorm, hnorm and shared_head_norm. */
export function nextnTensors(out: TensorSink, il: number, s: LayerShape): void {
  out.linear(w(il, 'nextnEhProj'), 2 * s.nEmbd, s.nEmbd, s.attnType);
  out.norm(w(il, 'nextnEnorm'), s.nEmbd);
  out.norm(w(il, 'nextnHnorm'), s.nEmbd);
  out.norm(w(il, 'nextnSharedHeadNorm'), s.nEmbd);
}

/** The deepseek2 keys beyond the common ones (head counts and key lengths per layout). */
export function deepseek2Hparams(d: Deepseek2Spec, nHead: number, nFf: number): GgufKv[] {
  const k = (key: string): string => `deepseek2.${key}`;
  const m: GgufKv[] = [
    kv.u32(k('attention.q_lora_rank'), d.qLoraRank),
    kv.u32(k('attention.kv_lora_rank'), d.kvLoraRank),
    kv.u32(k('leading_dense_block_count'), d.denseLead),
    kv.u32(k('feed_forward_length'), d.nFfDense),
    kv.u32(k('expert_feed_forward_length'), nFf),
    kv.u32(k('expert_shared_count'), d.nExpertShared),
    kv.f32(k('expert_weights_scale'), d.v3Routing ? 2.5 : 1),
    kv.bool(k('expert_weights_norm'), d.v3Routing),
    kv.u32(k('expert_gating_func'), d.v3Routing ? 2 : 1),
  ];
  if (d.v3Routing) m.push(kv.u32(k('expert_group_count'), 4), kv.u32(k('expert_group_used_count'), 2));
  if (d.nextn) m.push(kv.u32(k('nextn_predict_layers'), d.nextn));
  if (d.splitKvB) {
    m.push(
      kv.u32(k('attention.head_count_kv'), 1),
      kv.u32(k('attention.key_length'), d.kvLoraRank + d.ropeDim),
      kv.u32(k('attention.value_length'), d.kvLoraRank),
      kv.u32(k('attention.key_length_mla'), d.nopeDim + d.ropeDim),
      kv.u32(k('attention.value_length_mla'), d.vDim),
    );
  } else {
    m.push(kv.u32(k('attention.head_count_kv'), nHead), kv.u32(k('attention.key_length'), d.nopeDim + d.ropeDim), kv.u32(k('attention.value_length'), d.vDim));
  }
  if (d.yarnLogMul !== undefined) m.push(kv.f32(k('rope.scaling.yarn_log_multiplier'), d.yarnLogMul));
  return m;
}
