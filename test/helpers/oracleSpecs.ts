// The whole-model oracle cases shared by the CPU and the WebGPU acceptance tests: every
// architecture at F32, Q8_0, Q4_K and Q6_K, with a model and prompt whose greedy decisions
// have clear margins (TESTING.md), and the tolerance each case is held to.

import type { GeneratorArch } from '../../scripts/model-gen/generate.ts';
import type { GgmlTypeName } from '../../workers/engine/quant/types.ts';
import type { Spec } from './testModels.ts';

export const oracleArchs: GeneratorArch[] = ['qwen3moe', 'qwen2moe', 'olmoe', 'granitemoe', 'llama'];
export const oracleQuants: GgmlTypeName[] = ['F32', 'Q8_0', 'Q4_K', 'Q6_K'];
export const promptLength = 6;
export const nTokens = 32;

export interface OracleCase {
  readonly spec: Spec;
  /** The smallest top-1 and routing logit gap the chosen prompt must keep. */
  readonly minGap: number;
  /** Largest allowed difference of a top-5 probability (llama.cpp also quantizes activations). */
  readonly tolerance: number;
}

export function oracleCase(arch: GeneratorArch, q: GgmlTypeName): OracleCase {
  const kQuant = q.endsWith('_K');
  return {
    spec: {
      arch,
      seed: 1,
      // K-quant rows are 256 wide: llama.cpp would fall back to other types for shorter rows.
      nEmbd: kQuant ? 256 : 64,
      nFf: kQuant ? 256 : 64,
      nFfShexp: kQuant ? 256 : 96,
      nHead: 4,
      nHeadKv: arch === 'olmoe' ? 4 : 2,
      nExpert: 8,
      nExpertUsed: arch === 'qwen2moe' ? 3 : 2,
      // llama.cpp never quantizes routers (ffn_gate_inp).
      types: { embd: q, attn: q, router: 'F32', experts: q, shexp: q, output: q },
    },
    minGap: q === 'F32' ? 1e-3 : 0.04,
    tolerance: q === 'F32' ? 1e-3 : 1e-2,
  };
}
