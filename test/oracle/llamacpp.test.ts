// Whole-model acceptance: the CPU reference against llama.cpp on the same GGUF files, for
// every architecture at F32, Q8_0, Q4_K and Q6_K: greedy tokens equal, top-5 probabilities
// close (1e-3 at F32; 1e-2 quantized, where llama.cpp also quantizes the activations).

import { describe, expect, it } from 'vitest';
import type { GgmlTypeName } from '../../workers/engine/quant/types.ts';
import type { GeneratorArch } from '../../scripts/model-gen/generate.ts';
import { llamaGreedy } from '../helpers/llamaOracle.ts';
import { clearMarginModel } from '../helpers/testModels.ts';

const archs: GeneratorArch[] = ['qwen3moe', 'qwen2moe', 'olmoe', 'granitemoe', 'llama'];
const quants: GgmlTypeName[] = ['F32', 'Q8_0', 'Q4_K', 'Q6_K'];
const prompt = [11, 42, 7, 300, 5, 99];
const nTokens = 32;

describe.each(archs)('%s matches llama.cpp', (arch) => {
  it.each(quants)('%s', async (q) => {
    const kQuant = q.endsWith('_K');
    const m = clearMarginModel(
      {
        arch,
        seed: 1,
        // K-quant rows are 256 wide: llama.cpp would fall back to other types for shorter rows.
        nEmbd: kQuant ? 256 : 64,
        nFf: kQuant ? 256 : 64,
        nFfShexp: kQuant ? 256 : 96,
        nHead: 4,
        nHeadKv: arch === 'olmoe' ? 4 : 2,
        nExpert: 8,
        nExpertUsed: arch === 'qwen2moe' ? 3 : 2,
        // llama.cpp never quantizes routers (ffn_gate_inp).
        types: { embd: q, attn: q, router: 'F32', experts: q, shexp: q, output: q },
      },
      prompt,
      nTokens,
      q === 'F32' ? 1e-3 : 0.03,
    );
    const theirs = await llamaGreedy(m.path, prompt, nTokens);
    expect(theirs.map((s) => s.token)).toEqual(m.run.tokens);

    const tolerance = q === 'F32' ? 1e-3 : 1e-2;
    theirs.forEach((step, i) => {
      const ours = m.run.probs[i];
      const top5 = Array.from(ours.keys()).sort((a, b) => ours[b] - ours[a]).slice(0, 5);
      for (const t of top5) {
        const diff = Math.abs(ours[t] - (step.probs.get(t) ?? 0));
        expect(diff, `step ${i} token ${t} (seed ${m.seed})`).toBeLessThanOrEqual(tolerance);
      }
    });
  });
});
