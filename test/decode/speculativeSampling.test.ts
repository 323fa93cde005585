// Speculative sampling end to end on the GPU model: the first two tokens drawn with
// self-drafting and MTP drafting (sampled drafts with their own q) and with adversarial deterministic drafts
// follow the distribution plain sampling draws from (the sampler chain over the GPU's top
// candidates), by a chi-square test and a total-variation bound. The pure rejection sampler is
// tested with 20,000 draws in verifyDraft.test.ts; this checks the wiring: per-position
// candidates from one batched pass, draft histories, KV rollback between draws.

import { describe, expect, it } from 'vitest';
import type { Drafter } from '../../workers/engine/decode/drafter.ts';
import { ModelDrafter } from '../../workers/engine/decode/modelDrafter.ts';
import { MtpDrafter } from '../../workers/engine/decode/mtpDrafter.ts';
import { seededRandom } from '../../workers/engine/decode/random.ts';
import { samplingDistribution } from '../../workers/engine/decode/sampler.ts';
import type { SamplerParams, TokenDist } from '../../workers/engine/decode/sampler.ts';
import { Speculator } from '../../workers/engine/decode/speculator.ts';
import type { TargetSampling } from '../../workers/engine/decode/speculator.ts';
import type { GpuModel } from '../../workers/engine/gpu/model.ts';
import { chiSquare, totalVariation } from '../helpers/chiSquare.ts';
import { loadGpuModel } from '../helpers/gpuModels.ts';
import { testModel } from '../helpers/testModels.ts';

// Every logit read back (a 257-token vocabulary): SwiftShader runs the top-k kernels slowly.
const CANDIDATES = 'all';
const DRAWS = 300;
// Top-4 at temperature 1.5: few outcomes per position, none of them negligible.
const params: SamplerParams = { temperature: 1.5, topK: 4, topP: 1, minP: 0, repetitionPenalty: 1, seed: 0 };
const prompt = [3, 17, 200, 45, 9];

async function targetAfter(model: GpuModel, tokens: number[]): Promise<TokenDist> {
  model.truncate(prompt.length - 1);
  return samplingDistribution((await model.forwardLogits(tokens)).at(-1) ?? new Float32Array(), [], params);
}

/**
 * The first two tokens through speculative steps with each drafter against the exact pair
 * distribution; `accepts`: the drafter's drafts are right often enough that some are kept.
 */
async function expectPlainSamplingPairs(model: GpuModel, drafters: { drafter: Drafter; accepts: boolean }[]): Promise<void> {
  await model.forwardGreedy(prompt.slice(0, -1));
  const last = [prompt[prompt.length - 1]];
  const p1 = await targetAfter(model, last);
  const cells = new Map<string, number>();
  for (const [i, a] of p1.ids.entries()) {
    const p2 = await targetAfter(model, [...last, a]);
    p2.ids.forEach((b, j) => cells.set(`${a},${b}`, p1.probs[i] * p2.probs[j]));
  }
  const keys = [...cells.keys()];
  const exact = keys.map((k) => cells.get(k) ?? 0);

  for (const { drafter, accepts } of drafters) {
    const uniform = seededRandom(5);
    const sampling: TargetSampling = { params, uniform, candidates: CANDIDATES, draftRandom: seededRandom(6) };
    const spec = new Speculator(model, [drafter]);
    const settings = { mode: drafter.name, draftMax: 2, adaptive: false };
    const counts = new Array<number>(keys.length).fill(0);
    let outside = 0;
    for (let n = 0; n < DRAWS; n++) {
      model.truncate(prompt.length - 1);
      const r1 = await spec.step(last, prompt, 2, settings, sampling);
      const out = [...r1.tokens];
      let kept = 1 + r1.accepted;
      if (out.length < 2) {
        const r2 = await spec.step([out[0]], [...prompt, out[0]], 1, settings, sampling);
        out.push(r2.tokens[0]);
        kept += 1 + r2.accepted;
      }
      // Rejected drafts' entries are gone: the cache holds exactly the fed, kept tokens.
      expect(model.nPast).toBe(prompt.length - 1 + kept);
      const at = keys.indexOf(`${out[0]},${out[1]}`);
      if (at < 0) outside++;
      else counts[at]++;
    }
    expect(outside, `${drafter.name}: pairs plain sampling never gives`).toBe(0);
    const { p, stat, df } = chiSquare(counts, exact);
    expect(p, `${drafter.name}: chi-square ${stat.toFixed(1)} on ${df} df`).toBeGreaterThan(0.01);
    expect(totalVariation(counts, exact), drafter.name).toBeLessThan(0.15);
    const s = spec.summary();
    expect(s.drafted).toBeGreaterThan(0);
    if (accepts) expect(s.accepted).toBeGreaterThan(0);
    else if (drafter.name === 'adversary') expect(s.accepted).toBe(0);
  }
}

describe('speculative sampling on the GPU', () => {
  it('the first two tokens follow plain sampling, with sampled and with adversarial drafts', async () => {
    const model = await loadGpuModel(testModel({ arch: 'qwen3moe', seed: 11, nLayer: 1, nVocab: 257 }).bytes, { maxTokens: 8, nCtx: 64 });
    // Always proposes tokens outside the target's top 4: q is as far from p as it gets.
    const adversary: Drafter = { name: 'adversary', msPerToken: 0, draft: ({ k }) => ({ tokens: Array.from({ length: k }, (_, j) => 100 + j) }) };
    try {
      await expectPlainSamplingPairs(model, [
        { drafter: ModelDrafter.self(model), accepts: true },
        { drafter: adversary, accepts: false },
      ]);
    } finally {
      model.destroy();
    }
  }, 300_000);

  it('and with drafts sampled from the MTP block (glm4moe; random weights: its drafts are mostly rejected)', async () => {
    const model = await loadGpuModel(testModel({ arch: 'glm4moe', seed: 11, nLayer: 1, nVocab: 257, glm4: { denseLead: 0 } }).bytes, { maxTokens: 8, nCtx: 64 });
    try {
      const mtp = MtpDrafter.of(model);
      if (!(mtp instanceof MtpDrafter)) throw new Error(mtp.unavailable);
      await expectPlainSamplingPairs(model, [{ drafter: mtp, accepts: false }]);
    } finally {
      model.destroy();
    }
  }, 300_000);
});
