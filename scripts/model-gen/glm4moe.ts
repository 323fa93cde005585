// GLM-4.5-style test models (glm4moe, as llama.cpp loads them): q/k/v biases, optional per-head
// Q/K norms, post_attention_norm, dense leading layers, sigmoid routing with exp_probs_b,
// renormalised weights × a scale, one shared expert, and trailing NextN (MTP) blocks that carry
// a whole decoder layer plus nextn.eh_proj / enorm / hnorm / shared_head_norm.

import { kv } from '../../reference/gguf/writer.ts';
import type { GgufKv } from '../../workers/engine/gguf/types.ts';
import { layerTensorName as w } from '../../workers/engine/model/tensorNames.ts';
import { nextnTensors } from './deepseek2.ts';
import type { LayerShape, TensorSink } from './deepseek2.ts';

export interface Glm4MoeSpec {
  readonly denseLead: number;
  /** NextN blocks after the trunk (nextn_predict_layers). */
  readonly nextn: number;
  /** Per-head Q/K RMSNorm (GLM-4.5 355B has it, 4.5-Air not). */
  readonly qkNorm: boolean;
  readonly nFfDense: number;
  readonly weightsScale: number;
  /** Grouped top-k: expert_group_count / expert_group_used_count (0: none). */
  readonly groups: { readonly count: number; readonly used: number } | undefined;
}

export const defaultGlm4Moe: Glm4MoeSpec = { denseLead: 1, nextn: 1, qkNorm: false, nFfDense: 96, weightsScale: 2.5, groups: undefined };

/** Block `il` (a NextN block when il ≥ the trunk's layers). */
export function glm4MoeLayer(out: TensorSink, il: number, nTrunk: number, g: Glm4MoeSpec, s: LayerShape): void {
  const headDim = s.nEmbd / s.nHead;
  const qDim = s.nHead * headDim;
  const kvDim = s.nHeadKv * headDim;
  out.norm(w(il, 'attnNorm'), s.nEmbd);
  out.linear(w(il, 'attnQ'), s.nEmbd, qDim, s.attnType);
  out.linear(w(il, 'attnK'), s.nEmbd, kvDim, s.attnType);
  out.linear(w(il, 'attnV'), s.nEmbd, kvDim, s.attnType);
  out.random(w(il, 'attnQBias'), [qDim], 0.2, 'F32');
  out.random(w(il, 'attnKBias'), [kvDim], 0.2, 'F32');
  out.random(w(il, 'attnVBias'), [kvDim], 0.2, 'F32');
  if (g.qkNorm) {
    out.norm(w(il, 'attnQNorm'), headDim);
    out.norm(w(il, 'attnKNorm'), headDim);
  }
  out.linear(w(il, 'attnOutput'), qDim, s.nEmbd, s.attnType, 0.5);
  out.norm(w(il, 'postAttentionNorm'), s.nEmbd);
  if (il < g.denseLead) {
    out.linear(w(il, 'ffnGate'), s.nEmbd, g.nFfDense, s.attnType);
    out.linear(w(il, 'ffnUp'), s.nEmbd, g.nFfDense, s.attnType);
    out.linear(w(il, 'ffnDown'), g.nFfDense, s.nEmbd, s.attnType, 0.5);
  } else {
    // Sigmoid gating saturates on large logits, which would leave near-ties among the chosen.
    out.linear(w(il, 'ffnGateInp'), s.nEmbd, s.nExpert, s.routerType, 1);
    out.random(w(il, 'expProbsB'), [s.nExpert], 0.5, 'F32');
    out.linear(w(il, 'ffnGateExps'), s.nEmbd, s.nFf, s.expertsType, 1, s.nExpert);
    out.linear(w(il, 'ffnUpExps'), s.nEmbd, s.nFf, s.expertsType, 1, s.nExpert);
    out.linear(w(il, 'ffnDownExps'), s.nFf, s.nEmbd, s.expertsType, 0.7, s.nExpert);
    out.linear(w(il, 'ffnGateShexp'), s.nEmbd, s.nFf, s.shexpType);
    out.linear(w(il, 'ffnUpShexp'), s.nEmbd, s.nFf, s.shexpType);
    out.linear(w(il, 'ffnDownShexp'), s.nFf, s.nEmbd, s.shexpType, 0.5);
  }
  if (il >= nTrunk) nextnTensors(out, il, s);
}

export function glm4MoeHparams(g: Glm4MoeSpec, nFf: number): GgufKv[] {
  const k = (key: string): string => `glm4moe.${key}`;
  return [
    kv.u32(k('leading_dense_block_count'), g.denseLead),
    kv.u32(k('feed_forward_length'), g.nFfDense),
    kv.u32(k('expert_feed_forward_length'), nFf),
    kv.u32(k('expert_shared_count'), 1),
    kv.f32(k('expert_weights_scale'), g.weightsScale),
    kv.bool(k('expert_weights_norm'), true),
    kv.u32(k('expert_gating_func'), 2),
    kv.u32(k('nextn_predict_layers'), g.nextn),
    ...(g.groups ? [kv.u32(k('expert_group_count'), g.groups.count), kv.u32(k('expert_group_used_count'), g.groups.used)] : []),
  ];
}
