// gpt-oss on the CPU reference against llama.cpp (node-llama-cpp 3.21.1): attention sinks,
// sliding-window layers, biases, top-k-then-softmax routing, the clamped SwiGLU and YaRN, at
// F32, Q8_0, Q4_K and with MXFP4 experts: greedy tokens equal, top-5 probabilities within
// 1e-3 (F32) / 1e-2 (quantized).

import { describe, it } from 'vitest';
import { gptOssCase, gptOssQuants } from '../helpers/gptOssCases.ts';
import { expectCpuMatchesLlama } from '../helpers/oracleChecks.ts';
import { nTokens, promptLength } from '../helpers/oracleSpecs.ts';
import { clearMarginModel } from '../helpers/testModels.ts';

describe('gpt-oss matches llama.cpp', () => {
  it.each(gptOssQuants)('%s', async (q) => {
    const { spec, minGap, tolerance } = gptOssCase(q);
    const m = clearMarginModel(spec, promptLength, nTokens, minGap);
    await expectCpuMatchesLlama(m, tolerance);
  });
});
