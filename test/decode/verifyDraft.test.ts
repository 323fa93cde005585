// Speculative rejection sampling on the CPU: the tokens it produces follow the target's
// distribution exactly, whatever the drafter proposes (chi-square over 20,000 draws of the
// first two tokens, plus a total-variation bound), and greedy verification keeps exactly the
// drafts that equal the argmax.

import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../workers/engine/decode/random.ts';
import type { Random } from '../../workers/engine/decode/random.ts';
import { drawFrom, samplingDistribution } from '../../workers/engine/decode/sampler.ts';
import type { SamplerParams, TokenDist } from '../../workers/engine/decode/sampler.ts';
import { residual, verifyDraft } from '../../workers/engine/decode/verifyDraft.ts';
import { chiSquare, totalVariation } from '../helpers/chiSquare.ts';

const V = 6;
const DRAWS = 20_000;

/** A toy Markov "model": next-token logits depend on the previous token. */
function chain(seed: number, spread: number): Float32Array[] {
  const r = seededRandom(seed);
  return Array.from({ length: V }, () => Float32Array.from({ length: V }, () => (r() - 0.5) * spread));
}

type Proposer = (prev: number, random: Random) => { token: number; q: TokenDist | undefined };

/** The first two tokens after token 0 by speculative decoding with k drafts per step. */
function speculativePair(target: (prev: number) => TokenDist, propose: Proposer, k: number, random: Random): [number, number] {
  const out: number[] = [];
  let prev = 0;
  while (out.length < 2) {
    const draft: number[] = [];
    const q: (TokenDist | undefined)[] = [];
    let last = prev;
    for (let i = 0; i < k; i++) {
      const d = propose(last, random);
      draft.push(d.token);
      q.push(d.q);
      last = d.token;
    }
    const p = [prev, ...draft].map(target);
    const v = verifyDraft(draft, q, p, random);
    out.push(...draft.slice(0, v.accepted), v.next);
    prev = out[out.length - 1];
  }
  return [out[0], out[1]];
}

function exactPairs(target: (prev: number) => TokenDist): number[] {
  const probs = new Array<number>(V * V).fill(0);
  const d0 = target(0);
  d0.ids.forEach((a, i) => {
    const d1 = target(a);
    d1.ids.forEach((b, j) => (probs[a * V + b] += d0.probs[i] * d1.probs[j]));
  });
  return probs;
}

describe('verifyDraft (rejection sampling)', () => {
  const params: SamplerParams = { temperature: 0.9, topK: 5, topP: 0.95, minP: 0.02, repetitionPenalty: 1, seed: 0 };
  const logitsP = chain(1, 6);
  const target = (prev: number): TokenDist => samplingDistribution(logitsP[prev], [], params);
  const logitsQ = chain(2, 6);
  const other = (prev: number): TokenDist => samplingDistribution(logitsQ[prev], [], { ...params, topK: 0, topP: 1, minP: 0, temperature: 1 });
  /** Mass mostly on the target's least likely tokens, including ones it excludes entirely. */
  const adversary = (prev: number): TokenDist => {
    const t = samplingDistribution(logitsP[prev], [], { ...params, topK: 0, topP: 1, minP: 0, temperature: 1 });
    const w = t.probs.map((x) => Math.exp(-8 * x));
    const s = w.reduce((a, b) => a + b, 0);
    return { ids: t.ids, probs: w.map((x) => x / s) };
  };
  const sampled =
    (dist: (prev: number) => TokenDist): Proposer =>
    (prev, random) => {
      const q = dist(prev);
      return { token: drawFrom(q, random()), q };
    };
  const worstToken = (prev: number): number => {
    const t = samplingDistribution(logitsP[prev], [], { ...params, topK: 0, topP: 1, minP: 0, temperature: 1 });
    return t.ids[t.ids.length - 1];
  };

  const cases: [string, Proposer, number][] = [
    ['q = p', sampled(target), 3],
    ['another model', sampled(other), 3],
    ['adversarial q (far from p)', sampled(adversary), 4],
    ['deterministic, always the least likely token', (prev) => ({ token: worstToken(prev), q: undefined }), 2],
    ['deterministic, repeats the previous token', (prev) => ({ token: prev, q: undefined }), 3],
  ];
  const exact = exactPairs(target);

  for (const [name, propose, k] of cases) {
    it(`first two tokens follow the target exactly: ${name}`, () => {
      const random = seededRandom(7);
      const counts = new Array<number>(V * V).fill(0);
      for (let n = 0; n < DRAWS; n++) {
        const [a, b] = speculativePair(target, propose, k, random);
        counts[a * V + b]++;
      }
      const { p, stat, df } = chiSquare(counts, exact);
      expect(p, `chi-square ${stat.toFixed(1)} on ${df} df`).toBeGreaterThan(0.01);
      expect(totalVariation(counts, exact)).toBeLessThan(0.03);
      // Tokens the target excludes (top-k / top-p / min-p) never appear.
      counts.forEach((c, i) => exact[i] === 0 && expect(c).toBe(0));
    });
  }

  it('detects a wrong sampler (the test has power)', () => {
    // Accepting every draft outright would follow q, not p: the same check must fail.
    const random = seededRandom(9);
    const counts = new Array<number>(V * V).fill(0);
    for (let n = 0; n < DRAWS; n++) {
      const a = drawFrom(other(0), random());
      counts[a * V + drawFrom(other(a), random())]++;
    }
    expect(chiSquare(counts, exact).p).toBeLessThan(0.01);
  });

  it('greedy: keeps drafts while they equal the argmax, then takes the argmax', () => {
    const oneHot = (id: number): TokenDist => ({ ids: [id], probs: [1] });
    const r = seededRandom(1);
    expect(verifyDraft([4, 2, 5], [undefined, undefined, undefined], [oneHot(4), oneHot(2), oneHot(1), oneHot(3)], r)).toEqual({ accepted: 2, next: 1 });
    expect(verifyDraft([4, 2], [undefined, undefined], [oneHot(4), oneHot(2), oneHot(3)], r)).toEqual({ accepted: 2, next: 3 });
    expect(verifyDraft([0], [undefined], [oneHot(4), oneHot(2)], r)).toEqual({ accepted: 0, next: 4 });
    expect(() => verifyDraft([1, 2], [undefined, undefined], [oneHot(1)], r)).toThrow(RangeError);
  });

  it('the residual is max(0, p − q) normalised', () => {
    const p = { ids: [0, 1, 2], probs: [0.5, 0.3, 0.2] };
    const q = { ids: [1, 0, 3], probs: [0.6, 0.2, 0.2] };
    const r = residual(p, q);
    expect(r.ids).toEqual([0, 1, 2]);
    expect(r.probs[0]).toBeCloseTo(0.3 / 0.5, 12);
    expect(r.probs[1]).toBe(0);
    expect(r.probs[2]).toBeCloseTo(0.2 / 0.5, 12);
  });
});
