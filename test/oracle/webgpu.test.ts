// Whole-model acceptance of the WebGPU engine (Dawn in Node) against llama.cpp on the same GGUF
// files, for every architecture at F32, Q8_0, Q4_K and Q6_K: greedy tokens through the real
// decode path (argmax on the GPU, ids read back) equal llama.cpp's; top-5 probabilities,
// teacher-forced on the same tokens, within 1e-3 at F32 and 1e-2 quantized. Each decode step is
// one submit with a 4-byte readback (ARCHITECTURE.md invariant 2).

import { describe, it } from 'vitest';
import { expectGpuMatchesLlama } from '../helpers/oracleChecks.ts';
import { nTokens, oracleArchs, oracleCase, oracleQuants, promptLength } from '../helpers/oracleSpecs.ts';
import { clearMarginModel } from '../helpers/testModels.ts';

describe.each(oracleArchs)('%s on WebGPU matches llama.cpp', (arch) => {
  it.each(oracleQuants)('%s', async (q) => {
    const { spec, minGap, tolerance } = oracleCase(arch, q);
    await expectGpuMatchesLlama(clearMarginModel(spec, promptLength, nTokens, minGap), tolerance);
  });
});
