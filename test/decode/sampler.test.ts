import { describe, expect, it } from 'vitest';
import { seededRandom, xoshiro128ss } from '../../workers/engine/decode/random.ts';
import { argmax, greedyParams, minP, penalize, Sampler, topIds, topK, topP, topProbabilities, type SamplerParams } from '../../workers/engine/decode/sampler.ts';

/** Logits whose softmax is exactly `probs` (up to rounding). */
const logitsOf = (probs: number[]): Float32Array => Float32Array.from(probs, Math.log);

/** Sampling with every filter off: a plain draw from softmax(logits / temperature). */
const plain = (seed: number, temperature = 1): SamplerParams => ({ temperature, topK: 0, topP: 1, minP: 0, repetitionPenalty: 1, seed });

// Probabilities placed at scrambled ids so that "sorted" and "by id" differ.
//                       id:  0     1     2     3     4
const probs = /*       */ [0.1, 0.5, 0.05, 0.2, 0.15];
const ids = (c: { ids: number[] }): number[] => [...c.ids].sort((a, b) => a - b);

describe('PRNG', () => {
  it('xoshiro128** matches the reference outputs for state {1, 2, 3, 4}', () => {
    const next = xoshiro128ss([1, 2, 3, 4]);
    expect(Array.from({ length: 4 }, next)).toEqual([11520, 0, 5927040, 70819200]);
  });

  it('gives doubles in [0, 1), the same sequence for the same seed and another for another seed', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const c = seededRandom(43);
    const xs = Array.from({ length: 1000 }, a);
    expect(Array.from({ length: 1000 }, b)).toEqual(xs);
    expect(Array.from({ length: 1000 }, c)).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.05);
  });
});

describe('greedy', () => {
  it('picks the argmax, ties to the lowest id', () => {
    const rng = seededRandom(1);
    for (let trial = 0; trial < 20; trial++) {
      const logits = Float32Array.from({ length: 50 }, () => rng() * 10 - 5);
      let best = 0;
      for (let i = 0; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
      expect(new Sampler(greedyParams).sample(logits).token).toBe(best);
    }
    expect(argmax(Float32Array.from([1, 3, 2, 3]))).toBe(1);
    expect(new Sampler({ ...greedyParams, temperature: -1 }).sample(Float32Array.from([0, 5, 5])).token).toBe(1);
  });

  it('reports the raw softmax, most probable first', () => {
    const { top } = new Sampler(greedyParams).sample(logitsOf(probs), [], 3);
    expect(top.map(([id]) => id)).toEqual([1, 3, 4]);
    top.forEach(([id, p]) => expect(p).toBeCloseTo(probs[id], 6));
    expect(topProbabilities(logitsOf(probs), 10)).toHaveLength(5);
    expect(topProbabilities(logitsOf(probs), 0)).toEqual([]);
  });
});

describe('candidate filters', () => {
  it('topIds keeps the k largest, sorted, ties to the lower id', () => {
    const v = Float32Array.from([1, 5, 3, 5, 2, 3, 0]);
    expect(topIds(v, 3)).toEqual([1, 3, 2]);
    expect(topIds(v, 100)).toEqual([1, 3, 2, 5, 4, 0, 6]);
    // The bounded-buffer path (k much smaller than n) agrees with a full sort.
    const rng = seededRandom(5);
    const big = Float32Array.from({ length: 5000 }, () => Math.round(rng() * 200));
    const sorted = Array.from({ length: big.length }, (_, i) => i).sort((a, b) => big[b] - big[a] || a - b);
    expect(topIds(big, 40)).toEqual(sorted.slice(0, 40));
  });

  it('top-k keeps exactly the k best; k ≤ 0 keeps all', () => {
    expect(ids(topK(logitsOf(probs), 2))).toEqual([1, 3]);
    expect(ids(topK(logitsOf(probs), 3))).toEqual([1, 3, 4]);
    expect(ids(topK(logitsOf(probs), 0))).toEqual([0, 1, 2, 3, 4]);
  });

  it('top-p keeps the shortest prefix whose probability reaches p', () => {
    const all = topK(logitsOf(probs), 0); // sorted: 0.5, 0.2, 0.15, 0.1, 0.05
    expect(ids(topP(all, 0.45))).toEqual([1]);
    expect(ids(topP(all, 0.6))).toEqual([1, 3]); // 0.5 < 0.6 ≤ 0.7
    expect(ids(topP(all, 0.8))).toEqual([1, 3, 4]); // 0.7 < 0.8 ≤ 0.85
    expect(ids(topP(all, 0.86))).toEqual([0, 1, 3, 4]);
    expect(ids(topP(all, 1))).toEqual([0, 1, 2, 3, 4]);
  });

  it('top-p renormalises over what top-k left (llama.cpp order)', () => {
    // After top-k 2 the shares are 0.5/0.7 ≈ 0.714 and 0.286, so p = 0.65 keeps one token;
    // over the whole vocabulary it needs two (0.5 < 0.65).
    expect(ids(topP(topK(logitsOf(probs), 2), 0.65))).toEqual([1]);
    expect(ids(topP(topK(logitsOf(probs), 0), 0.65))).toEqual([1, 3]);
  });

  it('min-p keeps the tokens with probability ≥ p × the top one', () => {
    const all = topK(logitsOf(probs), 0);
    expect(ids(minP(all, 0.41))).toEqual([1]); // threshold 0.205
    expect(ids(minP(all, 0.39))).toEqual([1, 3]); // 0.195
    expect(ids(minP(all, 0.25))).toEqual([1, 3, 4]); // 0.125
    expect(ids(minP(all, 0.05))).toEqual([0, 1, 2, 3, 4]); // 0.025
    expect(ids(minP(all, 0))).toEqual([0, 1, 2, 3, 4]);
  });

  it('the sampler only ever draws from the filtered set', () => {
    const logits = logitsOf(probs);
    const draws = (params: Partial<SamplerParams>): Set<number> => {
      const s = new Sampler({ ...plain(9), ...params });
      return new Set(Array.from({ length: 2000 }, () => s.sample(logits).token));
    };
    expect([...draws({ topK: 2 })].sort()).toEqual([1, 3]);
    expect([...draws({ topP: 0.8 })].sort()).toEqual([1, 3, 4]);
    expect([...draws({ minP: 0.39 })].sort()).toEqual([1, 3]);
    expect([...draws({ topK: 2, topP: 0.65 })]).toEqual([1]);
    expect([...draws({})].sort()).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('repetition penalty', () => {
  const logits = Float32Array.from([2, -2, 1, 0.5, 0]);

  it('divides positive logits and multiplies the others, once per distinct recent token', () => {
    expect(Array.from(penalize(logits, [0, 1, 1, 3, 4], 2))).toEqual([1, -4, 1, 0.25, 0]);
    expect(Array.from(logits)).toEqual([2, -2, 1, 0.5, 0]); // input untouched
  });

  it('looks only at the last `window` tokens; 0 disables, -1 takes all', () => {
    expect(Array.from(penalize(logits, [0, 1, 3], 2, 2))).toEqual([2, -4, 1, 0.25, 0]);
    expect(Array.from(penalize(logits, [0, 1, 3], 2, 0))).toEqual([2, -2, 1, 0.5, 0]);
    expect(Array.from(penalize(logits, [0, 1, 3], 2, -1))).toEqual([1, -4, 1, 0.25, 0]);
    expect(Array.from(penalize(logits, [0, 1, 3], 1))).toEqual([2, -2, 1, 0.5, 0]);
  });

  it('changes the greedy choice away from a repeated token', () => {
    const l = Float32Array.from([3, 2.5]);
    expect(new Sampler({ ...greedyParams, repetitionPenalty: 2 }).sample(l, [0]).token).toBe(1);
    expect(new Sampler({ ...greedyParams, repetitionPenalty: 2 }).sample(l, [1]).token).toBe(0);
    // The reported probabilities stay the model's own.
    expect(new Sampler({ ...greedyParams, repetitionPenalty: 2 }).sample(l, [0]).top[0][0]).toBe(0);
  });
});

describe('sampling distribution', () => {
  const p = [0.4, 0.3, 0.2, 0.1];
  const N = 20_000;

  /** Pearson's χ² of `N` seeded draws against `expected`. */
  function chiSquare(params: SamplerParams, expected: number[]): number {
    const sampler = new Sampler(params);
    const counts = new Array<number>(expected.length).fill(0);
    for (let i = 0; i < N; i++) counts[sampler.sample(logitsOf(p)).token]++;
    return counts.reduce((s, c, i) => s + (c - N * expected[i]) ** 2 / (N * expected[i]), 0);
  }

  // χ² with 3 degrees of freedom exceeds 16.27 with probability 0.001.
  it('matches softmax(logits) at temperature 1', () => {
    expect(chiSquare(plain(123), p)).toBeLessThan(16.27);
  });

  it('matches softmax(logits / T) at other temperatures', () => {
    for (const t of [0.5, 2]) {
      const w = p.map((x) => x ** (1 / t));
      const sum = w.reduce((a, b) => a + b);
      expect(
        chiSquare(
          plain(77, t),
          w.map((x) => x / sum),
        ),
      ).toBeLessThan(16.27);
    }
  });

  it('is reproducible for a seed and differs between seeds', () => {
    const run = (seed: number): number[] => {
      const s = new Sampler(plain(seed));
      return Array.from({ length: 200 }, () => s.sample(logitsOf(p)).token);
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });
});
