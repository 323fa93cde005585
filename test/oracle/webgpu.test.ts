// Whole-model acceptance of the WebGPU engine (Dawn in Node) against llama.cpp on the same GGUF
// files, for every architecture at F32, Q8_0, Q4_K and Q6_K: greedy tokens through the real
// decode path (argmax on the GPU, ids read back) equal llama.cpp's; top-5 probabilities,
// teacher-forced on the same tokens, within 1e-3 at F32 and 1e-2 quantized. Each decode step is
// one submit with a 4-byte readback (ARCHITECTURE.md invariant 2).

import { describe, expect, it } from 'vitest';
import { loadGpuModel } from '../helpers/gpuModels.ts';
import { llamaGreedy } from '../helpers/llamaOracle.ts';
import { expectTop5Close, gpuGreedyChecked, gpuStepProbs } from '../helpers/oracleChecks.ts';
import { nTokens, oracleArchs, oracleCase, oracleQuants, promptLength } from '../helpers/oracleSpecs.ts';
import { clearMarginModel } from '../helpers/testModels.ts';

describe.each(oracleArchs)('%s on WebGPU matches llama.cpp', (arch) => {
  it.each(oracleQuants)('%s', async (q) => {
    const { spec, minGap, tolerance } = oracleCase(arch, q);
    const m = clearMarginModel(spec, promptLength, nTokens, minGap);
    // llama.cpp runs on its own threads while the GPU decodes (SwiftShader keeps about one core busy).
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
