// gpt-oss on the WebGPU engine (Dawn in Node) against llama.cpp, at F32, Q8_0, Q4_K and with
// MXFP4 experts: greedy tokens through the real decode path (argmax on the GPU, 4 bytes read
// back per step) equal llama.cpp's; top-5 probabilities, teacher-forced on the same tokens,
// within 1e-3 (F32) / 1e-2 (quantized). Also with the f16 KV cache (the default on adapters with
// shader-f16) against llama.cpp's F16 cache.

import { describe, expect, it } from 'vitest';
import { gptOssCase, gptOssQuants } from '../helpers/gptOssCases.ts';
import { loadGpuModel } from '../helpers/gpuModels.ts';
import { llamaGreedy } from '../helpers/llamaOracle.ts';
import { expectTop5Close, gpuGreedyChecked, gpuStepProbs } from '../helpers/oracleChecks.ts';
import { nTokens, promptLength } from '../helpers/oracleSpecs.ts';
import { clearMarginModel } from '../helpers/testModels.ts';

describe('gpt-oss on WebGPU matches llama.cpp', () => {
  it.each(gptOssQuants)('%s', async (q) => {
    const { spec, minGap, tolerance } = gptOssCase(q);
    const m = clearMarginModel(spec, promptLength, nTokens, minGap);
    const oracle = llamaGreedy(m.path, m.prompt, nTokens);
    oracle.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
    const gpu = await loadGpuModel(m.bytes, { maxTokens: 8, nCtx: 64 });
    try {
      const greedy = await gpuGreedyChecked(gpu, m.prompt, nTokens);
      const theirs = await oracle;
      expect(greedy, `prompt ${m.prompt.join(',')}`).toEqual(theirs.map((s) => s.token));
      expectTop5Close(await gpuStepProbs(gpu, m.prompt, theirs), theirs, tolerance, `prompt ${m.prompt.join(',')}`);
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
      expect(await gpuGreedyChecked(gpu, m.prompt, nTokens), `prompt ${m.prompt.join(',')}`).toEqual(theirs.map((s) => s.token));
      expectTop5Close(await gpuStepProbs(gpu, m.prompt, theirs), theirs, tolerance, `prompt ${m.prompt.join(',')}`);
    } finally {
      gpu.destroy();
    }
  });
});
