// Whole-model acceptance of the WebGPU engine (Dawn in Node) against llama.cpp on the same GGUF
// files, for every architecture at F32, Q8_0, Q4_K and Q6_K: greedy tokens through the real
// decode path (argmax on the GPU, ids read back) equal llama.cpp's; top-5 probabilities,
// teacher-forced on the same tokens, within 1e-3 at F32 and 1e-2 quantized. Each decode step is
// one submit with a 4-byte readback (ARCHITECTURE.md invariant 2).

import { describe, expect, it } from 'vitest';
import type { GpuModel } from '../../workers/engine/gpu/model.ts';
import { loadGpuModel } from '../helpers/gpuModels.ts';
import { llamaGreedy } from '../helpers/llamaOracle.ts';
import { nTokens, oracleArchs, oracleCase, oracleQuants, promptLength } from '../helpers/oracleSpecs.ts';
import { clearMarginModel, softmax } from '../helpers/testModels.ts';

/** Greedy decoding on the GPU, checking each decode step's counters. */
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

describe.each(oracleArchs)('%s on WebGPU matches llama.cpp', (arch) => {
  it.each(oracleQuants)('%s', async (q) => {
    const { spec, minGap, tolerance } = oracleCase(arch, q);
    const m = clearMarginModel(spec, promptLength, nTokens, minGap);
    // llama.cpp runs on its own threads while the GPU decodes (SwiftShader keeps about one core busy).
    const oracle = llamaGreedy(m.path, m.prompt, nTokens);
    oracle.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
    const gpu = await loadGpuModel(m.bytes, { maxTokens: 8, nCtx: 64 });
    try {
      const greedy = await greedyChecked(gpu, m.prompt, nTokens);
      const theirs = await oracle;
      const tokens = theirs.map((s) => s.token);
      expect(greedy, `prompt ${m.prompt.join(',')}`).toEqual(tokens);

      // Step i's logits are those after prompt + tokens[0..i).
      gpu.truncate(0);
      const logits = await gpu.forwardLogits([...m.prompt, ...tokens.slice(0, nTokens - 1)]);
      theirs.forEach((step, i) => {
        const ours = softmax(logits[promptLength - 1 + i]);
        const top5 = Array.from(ours.keys()).sort((a, b) => ours[b] - ours[a]).slice(0, 5);
        for (const t of top5) {
          const diff = Math.abs(ours[t] - (step.probs.get(t) ?? 0));
          expect(diff, `step ${i} token ${t} (prompt ${m.prompt.join(',')})`).toBeLessThanOrEqual(tolerance);
        }
      });
    } finally {
      gpu.destroy();
    }
  });
});
