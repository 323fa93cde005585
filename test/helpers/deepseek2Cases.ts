// The deepseek2 oracle matrix shared by the CPU and WebGPU acceptance tests: both MLA layouts,
// with and without q-LoRA, softmax and DeepSeek-V3 routing (sigmoid, exp_probs_b, groups),
// YaRN with and without the log multiplier, at F32, Q8_0 and Q4_K, two with a NextN (MTP) block.
// Three layers: one dense, two with routed + shared experts.

import { readFileSync } from 'node:fs';
import type { Deepseek2Spec } from '../../scripts/model-gen/deepseek2.ts';
import type { GgmlTypeName } from '../../workers/engine/quant/types.ts';
import type { OracleCase } from './oracleSpecs.ts';

export interface Deepseek2Case extends OracleCase {
  readonly name: string;
  /** Smallest routing gap (router-logit units) the prompt must keep. */
  readonly minRoutingGap: number;
}

const yarn = { type: 'yarn', factor: 4, originalContext: 16 } as const;

function dsCase(name: string, q: GgmlTypeName, ds: Partial<Deepseek2Spec>, rope?: typeof yarn): Deepseek2Case {
  const kQuant = q.endsWith('_K');
  return {
    name: `${name} ${q}`,
    spec: {
      arch: 'deepseek2',
      seed: 1,
      nLayer: 3,
      // K-quant rows are 256 wide: llama.cpp would fall back to other types for shorter rows.
      nEmbd: kQuant ? 256 : 64,
      nFf: kQuant ? 256 : 64,
      nHead: 4,
      nExpert: 8,
      nExpertUsed: 2,
      deepseek2: { nFfDense: kQuant ? 256 : 96, ...ds },
      ropeScaling: rope,
      // llama.cpp never quantizes routers (ffn_gate_inp).
      types: { embd: q, attn: q, router: 'F32', experts: q, shexp: q, output: q },
    },
    // Q4_K's 256-wide models have flat distributions whose top-2 flip within 0.04 logits.
    minGap: q === 'F32' ? 1e-3 : kQuant ? 0.08 : 0.04,
    // V3's sigmoid routing makes 4 × 38 close calls per model (experts and groups, two MoE
    // layers); quantized files keep F32 routers, so a smaller gap than the top-token one suffices.
    minRoutingGap: q === 'F32' ? 1e-3 : ds.v3Routing ? 0.01 : 0.04,
    tolerance: q === 'F32' ? 1e-3 : 1e-2,
  };
}

export const deepseek2Cases: Deepseek2Case[] = [
  dsCase('split k_b/v_b, lite, softmax, YaRN + log multiplier', 'F32', { splitKvB: true, qLoraRank: 0, yarnLogMul: 0.0707 }, yarn),
  dsCase('attn_kv_b, lite, softmax', 'F32', { splitKvB: false, qLoraRank: 0 }),
  // DeepSeek-V3 as llama.cpp now converts it: its MTP block after the trunk, which the trunk skips.
  dsCase('split k_b/v_b, q-LoRA, V3 routing, NextN block', 'F32', { splitKvB: true, qLoraRank: 64, v3Routing: true, nextn: 1 }),
  dsCase('attn_kv_b, q-LoRA, V3 routing, YaRN', 'F32', { splitKvB: false, qLoraRank: 64, v3Routing: true }, yarn),
  dsCase('attn_kv_b, q-LoRA, V3 routing, NextN block', 'Q8_0', { splitKvB: false, qLoraRank: 64, v3Routing: true, nextn: 1 }),
  dsCase('split k_b/v_b, lite, softmax', 'Q8_0', { splitKvB: true, qLoraRank: 0 }),
  dsCase('split k_b/v_b, q-LoRA, V3 routing', 'Q4_K', { splitKvB: true, qLoraRank: 64, v3Routing: true }),
  dsCase('attn_kv_b, lite, softmax', 'Q4_K', { splitKvB: false, qLoraRank: 0 }),
];

/**
 * The WebGPU run takes the cases that together still cover every item (both layouts, lite and
 * q-LoRA, softmax and V3 routing, YaRN with and without the log multiplier, F32, Q8_0 and Q4_K)
 * and leaves out three that add no new item, to keep the file's runtime bounded.
 */
export const deepseek2GpuCases: Deepseek2Case[] = deepseek2Cases.filter(
  (c) => !['attn_kv_b, lite, softmax F32', 'split k_b/v_b, lite, softmax Q8_0', 'attn_kv_b, lite, softmax Q4_K'].includes(c.name),
);

/**
 * Whether llama.cpp can run the case here. On a CPU with AMX, llama.cpp puts quantized weights in
 * AMX buffers, and the batched 3-D product over split attn_k_b / attn_v_b then has no backend:
 * the process aborts (ggml-backend.cpp GGML_ASSERT(*cur_backend_id != -1)), taking the test
 * worker with it. Those cases are left out there (the F32 split cases still run against
 * llama.cpp, and test/gpu/deepseek2.test.ts holds the WebGPU engine to the CPU reference on the
 * split layout).
 */
export function llamaCppRuns(c: Deepseek2Case): boolean {
  const quantized = c.spec.types?.attn !== undefined && c.spec.types.attn !== 'F32';
  return !(quantized && c.spec.deepseek2?.splitKvB === true && cpuHasAmx);
}

const cpuHasAmx = ((): boolean => {
  try {
    return /\bamx_tile\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
})();
