// gpt-oss on the WebGPU engine (Dawn in Node) against llama.cpp, at F32, Q8_0, Q4_K and with
// MXFP4 experts: greedy tokens through the real decode path (argmax on the GPU, 4 bytes read
// back per step) equal llama.cpp's; top-5 probabilities, teacher-forced on the same tokens,
// within 1e-3 (F32) / 1e-2 (quantized). Also with the f16 KV cache (the default on adapters with
// shader-f16) against llama.cpp's F16 cache.

import { describe, expect, it } from 'vitest';
import type { GpuModel } from '../../workers/engine/gpu/model.ts';
import { gptOssCase, gptOssQuants } from '../helpers/gptOssCases.ts';
import { gpuGreedy, loadGpuModel } from '../helpers/gpuModels.ts';
import { llamaGreedy } from '../helpers/llamaOracle.ts';
import type { OracleStep } from '../helpers/llamaOracle.ts';
import { nTokens, promptLength } from '../helpers/oracleSpecs.ts';
import { clearMarginModel, softmax } from '../helpers/testModels.ts';
import type { ClearMarginModel } from '../helpers/testModels.ts';

/** Step i's top-5 probabilities, from the logits after prompt + tokens[0..i), against llama.cpp's. */
async function expectTop5(gpu: GpuModel, m: ClearMarginModel, theirs: readonly OracleStep[], tolerance: number): Promise<void> {
  gpu.truncate(0);
  const tokens = theirs.map((s) => s.token);
  const logits = await gpu.forwardLogits([...m.prompt, ...tokens.slice(0, nTokens - 1)]);
  theirs.forEach((step, i) => {
    const ours = softmax(logits[promptLength - 1 + i]);
    const top5 = Array.from(ours.keys()).sort((a, b) => ours[b] - ours[a]).slice(0, 5);
    for (const t of top5) {
      const diff = Math.abs(ours[t] - (step.probs.get(t) ?? 0));
      expect(diff, `step ${i} token ${t} (prompt ${m.prompt.join(',')})`).toBeLessThanOrEqual(tolerance);
    }
  });
}

describe('gpt-oss on WebGPU matches llama.cpp', () => {
  it.each(gptOssQuants)('%s', async (q) => {
    const { spec, minGap, tolerance } = gptOssCase(q);
    const m = clearMarginModel(spec, promptLength, nTokens, minGap);
    const oracle = llamaGreedy(m.path, m.prompt, nTokens);
    oracle.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
    const gpu = await loadGpuModel(m.bytes, { maxTokens: 8, nCtx: 64 });
    try {
      const greedy: number[] = [];
      let next = (await gpu.forwardGreedy(m.prompt)).at(-1) ?? -1;
      while (greedy.push(next) < nTokens) {
        [next] = await gpu.forwardGreedy([next]);
        expect(gpu.lastStep, `decode step ${greedy.length}`).toMatchObject({ submits: 1, readbackBytes: 4 });
      }
      const theirs = await oracle;
      expect(greedy, `prompt ${m.prompt.join(',')}`).toEqual(theirs.map((s) => s.token));
      await expectTop5(gpu, m, theirs, tolerance);
    } finally {
      gpu.destroy();
    }
  });
});

describe('gpt-oss with an f16 KV cache matches llama.cpp with an F16 cache', () => {
  it('MXFP4 experts', async () => {
    const { spec, minGap, tolerance } = gptOssCase('MXFP4 experts');
    const m = clearMarginModel(spec, promptLength, nTokens, minGap);
    const oracle = llamaGreedy(m.path, m.prompt, nTokens, 'F16');
    oracle.catch(() => undefined); // awaited below
    const gpu = await loadGpuModel(m.bytes, { kvCache: 'f16' });
    try {
      expect(gpu.lastStep).toMatchObject({ kvCacheType: 'f16' });
      const theirs = await oracle;
      expect(await gpuGreedy(gpu, m.prompt, nTokens), `prompt ${m.prompt.join(',')}`).toEqual(theirs.map((s) => s.token));
      await expectTop5(gpu, m, theirs, tolerance);
    } finally {
      gpu.destroy();
    }
  });
});
