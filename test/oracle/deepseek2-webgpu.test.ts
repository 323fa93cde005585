// deepseek2 acceptance on the WebGPU engine (Dawn in Node), over the CPU test's matrix less three
// cases that add no new item (test/helpers/deepseek2Cases.ts): greedy tokens through the real
// decode path (argmax on the GPU, 4-byte readback, one submit per step) equal llama.cpp's; top-5
// probabilities, teacher-forced on the same tokens, within 1e-3 (F32) / 1e-2 (quantized). The KV
// cache holds kv_lora_rank + rope_dim f32 per token per layer.

import { describe, expect, it } from 'vitest';
import { deepseek2GpuCases, llamaCppRuns } from '../helpers/deepseek2Cases.ts';
import { loadGpuModel } from '../helpers/gpuModels.ts';
import { expectGpuMatchesLlama } from '../helpers/oracleChecks.ts';
import { nTokens, promptLength } from '../helpers/oracleSpecs.ts';
import { clearMarginModel, testModel } from '../helpers/testModels.ts';

describe('deepseek2 on WebGPU matches llama.cpp', () => {
  it.each(deepseek2GpuCases.filter(llamaCppRuns).map((c) => [c.name, c] as const))('%s', async (_, c) => {
    await expectGpuMatchesLlama(clearMarginModel(c.spec, promptLength, nTokens, c.minGap, c.minRoutingGap), c.tolerance);
  });
});

describe('deepseek2 KV cache on WebGPU', () => {
  it.each([true, false])('holds kv_lora_rank + rope_dim values per token per layer (split k_b/v_b: %s)', async (splitKvB) => {
    const gpu = await loadGpuModel(testModel({ arch: 'deepseek2', seed: 1, nLayer: 3, deepseek2: { splitKvB, kvLoraRank: 64, ropeDim: 16 } }).bytes, { maxTokens: 8, nCtx: 64 });
    try {
      // 3 layers × (64 + 16) f32, for each of the 64 positions; 4 heads × (48 + 32) would be 320 per layer.
      expect(gpu.kvBytesPerToken).toBe(3 * (64 + 16) * 4);
      expect(gpu.kvCacheBytes).toBe(64 * 3 * (64 + 16) * 4);
    } finally {
      gpu.destroy();
    }
  });
});
