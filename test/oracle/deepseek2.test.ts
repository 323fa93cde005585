// deepseek2 acceptance on the CPU reference: greedy 32 tokens equal llama.cpp's over the MLA
// layout × q-LoRA × routing × quant matrix (test/helpers/deepseek2Cases.ts), top-5
// probabilities within 1e-3 (F32) / 1e-2 (quantized); and the KV cache holds only
// kv_lora_rank + rope_dim values per token per layer.

import { describe, expect, it } from 'vitest';
import { CpuModel } from '../../reference/cpu/model.ts';
import { deepseek2Cases, llamaCppRuns } from '../helpers/deepseek2Cases.ts';
import { expectCpuMatchesLlama } from '../helpers/oracleChecks.ts';
import { nTokens, promptLength } from '../helpers/oracleSpecs.ts';
import { clearMarginModel, testModel } from '../helpers/testModels.ts';

describe('deepseek2 matches llama.cpp', () => {
  it.each(deepseek2Cases.filter(llamaCppRuns).map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const m = clearMarginModel(c.spec, promptLength, nTokens, c.minGap, c.minRoutingGap);
    await expectCpuMatchesLlama(m, c.tolerance);
  });
});

describe('deepseek2 KV cache on the CPU', () => {
  it.each([true, false])('holds kv_lora_rank + rope_dim values per token per layer (split k_b/v_b: %s)', (splitKvB) => {
    const m = CpuModel.fromBytes(testModel({ arch: 'deepseek2', seed: 1, nLayer: 3, deepseek2: { splitKvB, kvLoraRank: 64, ropeDim: 16 } }).bytes);
    expect(m.kvBytesPerToken).toBe(0);
    m.forward([1, 2, 3, 4, 5]);
    m.forward([6]);
    // 3 layers × (64 + 16) f32 values, whatever the head count (4 heads × (48 + 32) would be 320).
    expect(m.kvBytesPerToken).toBe(3 * (64 + 16) * 4);
    expect(m.kvCacheBytes).toBe(6 * 3 * (64 + 16) * 4);
  });
});
