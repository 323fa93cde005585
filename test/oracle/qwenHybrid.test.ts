// qwen3next and qwen35moe (Gated DeltaNet + gated attention hybrids) against llama.cpp on the same
// GGUF files: greedy tokens equal, top-5 probabilities within 1e-3 (F32) / 1e-2 (quantized), at
// F32, Q8_0 and Q4_K, with value heads grouped (qwen3next, also with the legacy ssm_in) or tiled
// (qwen35moe) over the key heads. Each model carries a NextN (MTP) block the trunk must not run.

import { describe, expect, it } from 'vitest';
import { expectCpuMatchesLlama, expectGpuMatchesLlama } from '../helpers/oracleChecks.ts';
import { nTokens } from '../helpers/oracleSpecs.ts';
import { clearMarginModel } from '../helpers/testModels.ts';
import { hybridCase, type HybridArch } from '../helpers/hybridCases.ts';
import type { GgmlTypeName } from '../../workers/engine/quant/types.ts';
import type { QwenHybridSpec } from '../../scripts/model-gen/qwenHybrid.ts';

const cases: [string, HybridArch, GgmlTypeName, Partial<QwenHybridSpec>][] = [
  ['qwen3next F32', 'qwen3next', 'F32', {}],
  ['qwen3next F32, legacy ssm_in', 'qwen3next', 'F32', { legacyIn: true }],
  ['qwen35moe F32', 'qwen35moe', 'F32', {}],
  ['qwen3next Q8_0', 'qwen3next', 'Q8_0', {}],
  ['qwen35moe Q8_0', 'qwen35moe', 'Q8_0', {}],
  ['qwen3next Q4_K', 'qwen3next', 'Q4_K', {}],
  ['qwen35moe Q4_K', 'qwen35moe', 'Q4_K', {}],
];

describe('Qwen hybrids match llama.cpp', () => {
  it.each(cases)('CPU reference, %s', async (_, arch, q, hybrid) => {
    const { spec, promptLength, minGap, minRoutingGap, tolerance } = hybridCase(arch, q, hybrid);
    const m = clearMarginModel(spec, promptLength, nTokens, minGap, minRoutingGap);
    await expectCpuMatchesLlama(m, tolerance);
  });

  it.each(cases)('WebGPU, %s', async (_, arch, q, hybrid) => {
    const { spec, promptLength, minGap, minRoutingGap, tolerance } = hybridCase(arch, q, hybrid);
    const m = clearMarginModel(spec, promptLength, nTokens, minGap, minRoutingGap);
    await expectGpuMatchesLlama(m, tolerance, { nCtx: 128, check: (gpu) => expect(gpu.lastStep.recurrentStateBytes).toBeGreaterThan(0) });
  });
});
