// glm4moe (GLM-4.5 style) against llama.cpp on the same GGUF files, on the CPU reference and on
// WebGPU: greedy tokens equal, top-5 probabilities within 1e-3 (F32) / 1e-2 (quantized), at F32,
// Q8_0 and Q4_K, with and without Q/K norms, and with grouped top-k. Each model carries a NextN
// (MTP) block that the trunk must not run: llama.cpp skips it too.

import { describe, it } from 'vitest';
import { expectCpuMatchesLlama, expectGpuMatchesLlama } from '../helpers/oracleChecks.ts';
import { nTokens, oracleCase, promptLength } from '../helpers/oracleSpecs.ts';
import { clearMarginModel, type Spec } from '../helpers/testModels.ts';
import type { GgmlTypeName } from '../../workers/engine/quant/types.ts';
import type { Glm4MoeSpec } from '../../scripts/model-gen/glm4moe.ts';

const cases: [string, GgmlTypeName, Partial<Glm4MoeSpec>][] = [
  ['F32', 'F32', {}],
  ['F32, Q/K norm', 'F32', { qkNorm: true }],
  ['F32, 4 groups of 2 used', 'F32', { groups: { count: 4, used: 2 } }],
  ['Q8_0', 'Q8_0', {}],
  ['Q4_K, Q/K norm', 'Q4_K', { qkNorm: true }],
];

function glmCase(q: GgmlTypeName, glm4: Partial<Glm4MoeSpec>): { spec: Spec; minGap: number; minRoutingGap: number; tolerance: number } {
  const base = oracleCase('glm4moe', q);
  const kQuant = q.endsWith('_K');
  return {
    // Three trunk layers: one dense, two MoE, then the NextN block.
    spec: { ...base.spec, nLayer: 3, glm4: { nFfDense: kQuant ? 256 : 96, ...glm4 } },
    // As deepseek2's V3 cases: Q4_K's 256-wide models have flat distributions, and sigmoid routing
    // makes many close calls; the routers stay F32, so a smaller routing gap suffices.
    minGap: q === 'F32' ? 1e-3 : kQuant ? 0.08 : 0.04,
    minRoutingGap: q === 'F32' ? 1e-3 : 0.01,
    tolerance: base.tolerance,
  };
}

describe('glm4moe matches llama.cpp', () => {
  it.each(cases)('CPU reference, %s', async (_, q, glm4) => {
    const { spec, minGap, minRoutingGap, tolerance } = glmCase(q, glm4);
    const m = clearMarginModel(spec, promptLength, nTokens, minGap, minRoutingGap);
    await expectCpuMatchesLlama(m, tolerance);
  });

  it.each(cases)('WebGPU, %s', async (_, q, glm4) => {
    const { spec, minGap, minRoutingGap, tolerance } = glmCase(q, glm4);
    await expectGpuMatchesLlama(clearMarginModel(spec, promptLength, nTokens, minGap, minRoutingGap), tolerance);
  });
});
