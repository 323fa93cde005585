// deepseek2 acceptance on the WebGPU engine (Dawn in Node), over the CPU test's matrix less three
// cases that add no new item (test/helpers/deepseek2Cases.ts): greedy tokens through the real
// decode path (argmax on the GPU, 4-byte readback, one submit per step) equal llama.cpp's; top-5
// probabilities, teacher-forced on the same tokens, within 1e-3 (F32) / 1e-2 (quantized). The KV
// cache holds kv_lora_rank + rope_dim f32 per token per layer.

import { describe, expect, it } from 'vitest';
import type { GpuModel } from '../../workers/engine/gpu/model.ts';
import { deepseek2GpuCases } from '../helpers/deepseek2Cases.ts';
import { loadGpuModel } from '../helpers/gpuModels.ts';
import { llamaGreedy } from '../helpers/llamaOracle.ts';
import { nTokens, promptLength } from '../helpers/oracleSpecs.ts';
import { clearMarginModel, softmax, testModel } from '../helpers/testModels.ts';

async function greedyChecked(gpu: GpuModel, prompt: readonly number[], n: number): Promise<number[]> {
  const out: number[] = [];
  let next = (await gpu.forwardGreedy(prompt)).at(-1) ?? -1;
  for (;;) {
    out.push(next);
    if (out.length === n) return out;
    [next] = await gpu.forwardGreedy([next]);
    expect(gpu.lastStep, `decode step ${out.length}`).toMatchObject({ submits: 1, readbackBytes: 4 });
  }
}

describe('deepseek2 on WebGPU matches llama.cpp', () => {
  it.each(deepseek2GpuCases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const m = clearMarginModel(c.spec, promptLength, nTokens, c.minGap, c.minRoutingGap);
    const oracle = llamaGreedy(m.path, m.prompt, nTokens);
    oracle.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
    const gpu = await loadGpuModel(m.bytes, { maxTokens: 8, nCtx: 64 });
    try {
      const greedy = await greedyChecked(gpu, m.prompt, nTokens);
      const theirs = await oracle;
      const tokens = theirs.map((s) => s.token);
      expect(greedy, `prompt ${m.prompt.join(',')}`).toEqual(tokens);

      gpu.truncate(0);
      const logits = await gpu.forwardLogits([...m.prompt, ...tokens.slice(0, nTokens - 1)]);
      theirs.forEach((step, i) => {
        const ours = softmax(logits[promptLength - 1 + i]);
        const top5 = Array.from(ours.keys()).sort((a, b) => ours[b] - ours[a]).slice(0, 5);
        for (const t of top5) {
          const diff = Math.abs(ours[t] - (step.probs.get(t) ?? 0));
          expect(diff, `step ${i} token ${t} (prompt ${m.prompt.join(',')})`).toBeLessThanOrEqual(c.tolerance);
        }
      });
    } finally {
      gpu.destroy();
    }
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
