// gpt-oss on the WebGPU engine (Dawn in Node) against llama.cpp, at F32, Q8_0, Q4_K and with
// MXFP4 experts: greedy tokens through the real decode path (argmax on the GPU, 4 bytes read
// back per step) equal llama.cpp's; top-5 probabilities, teacher-forced on the same tokens,
// within 1e-3 (F32) / 1e-2 (quantized). Also with the f16 KV cache (the default on adapters with
// shader-f16) against llama.cpp's F16 cache.

import { describe, expect, it } from 'vitest';
import { gptOssCase, gptOssQuants } from '../helpers/gptOssCases.ts';
import { expectGpuMatchesLlama } from '../helpers/oracleChecks.ts';
import { nTokens, promptLength } from '../helpers/oracleSpecs.ts';
import { clearMarginModel } from '../helpers/testModels.ts';

describe('gpt-oss on WebGPU matches llama.cpp', () => {
  it.each(gptOssQuants)('%s', async (q) => {
    const { spec, minGap, tolerance } = gptOssCase(q);
    await expectGpuMatchesLlama(clearMarginModel(spec, promptLength, nTokens, minGap), tolerance);
  });
});

describe('gpt-oss with an f16 KV cache matches llama.cpp with an F16 cache', () => {
  it('MXFP4 experts', async () => {
    const { spec, minGap, tolerance } = gptOssCase('MXFP4 experts');
    await expectGpuMatchesLlama(clearMarginModel(spec, promptLength, nTokens, minGap), tolerance, {
      kvCache: 'f16',
      check: (gpu) => expect(gpu.lastStep).toMatchObject({ kvCacheType: 'f16' }),
    });
  });
});
