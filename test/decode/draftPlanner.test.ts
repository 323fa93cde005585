// The draft-length planner: k maximises expected tokens per second from measured pass costs and
// tracked acceptance; 0 when drafting cannot pay (e.g. a device where a pass costs T times a
// one-token pass) or would gain under 10%, with rare one-token probes that cost at most 2% of
// plain decoding.

import { describe, expect, it } from 'vitest';
import { DraftPlanner } from '../../workers/engine/decode/draftPlanner.ts';

function planner(cost: (t: number) => number, kMax = 8): DraftPlanner {
  const p = new DraftPlanner();
  for (let t = 1; t <= kMax + 1; t++) p.observePass(t, cost(t));
  return p;
}

const free = { name: 'ngram', msPerToken: 0 };

describe('DraftPlanner', () => {
  it('drafts long when verification is nearly free and drafts are right', () => {
    const p = planner(() => 10);
    for (let i = 0; i < 20; i++) p.observeDraft('ngram', 4, 4);
    expect(p.acceptance('ngram')).toBeGreaterThan(0.9);
    expect(p.choose([free], 8)).toMatchObject({ drafter: 'ngram', k: 8 });
  });

  it('weighs MoE verify cost against acceptance: a middle k', () => {
    // Each extra token routes to other experts: +40% per token.
    const p = planner((t) => 10 * (1 + 0.4 * (t - 1)));
    for (let i = 0; i < 30; i++) p.observeDraft('ngram', 3, i % 4 === 0 ? 1 : 3);
    const c = p.choose([free], 8);
    expect(c.k).toBeGreaterThan(0);
    expect(c.k).toBeLessThan(8);
    // It is the k with the best expected rate.
    for (let k = 1; k <= 8; k++) expect(p.expected(free, k).speedup).toBeLessThanOrEqual(c.expectedSpeedup + 1e-12);
  });

  it('turns drafting off where a pass costs T times a one-token pass, probing ≤ 2% of the time', () => {
    const p = planner((t) => 10 * t);
    const self = { name: 'self', msPerToken: 6 };
    let probes = 0;
    let extraMs = 0;
    for (let step = 0; step < 1000; step++) {
      const c = p.choose([free, self], 4);
      if (c.k > 0) {
        probes++;
        expect(c).toMatchObject({ drafter: 'ngram', k: 1 });
        extraMs += p.passCost(2) - p.passCost(1);
        p.observeDraft('ngram', 1, 1); // even right drafts cannot pay here
      }
    }
    expect(probes).toBeGreaterThan(0);
    expect(extraMs / (1000 * p.passCost(1))).toBeLessThanOrEqual(0.02);
  });

  it('counts an unmeasured drafter as costing a one-token pass, and picks the faster drafter', () => {
    const p = planner((t) => 10 + t);
    for (let i = 0; i < 30; i++) {
      p.observeDraft('self', 4, 3);
      p.observeDraft('draft', 4, 3);
    }
    expect(
      p.choose(
        [
          { name: 'self', msPerToken: undefined },
          { name: 'draft', msPerToken: 2 },
        ],
        4,
      ).drafter,
    ).toBe('draft');
    expect(
      p.choose(
        [
          { name: 'self', msPerToken: 1 },
          { name: 'draft', msPerToken: 2 },
        ],
        4,
      ).drafter,
    ).toBe('self');
  });

  it('does not draft for a gain it only predicts to be small (the estimates are noisy)', () => {
    const p = planner(() => 10);
    const self = { name: 'self', msPerToken: 0.5 };
    for (let i = 0; i < 100; i++) p.observeDraft('self', 1, i % 10 === 0 ? 1 : 0);
    const { speedup } = p.expected(self, 1);
    expect(speedup).toBeGreaterThan(1);
    expect(speedup).toBeLessThan(1.1);
    expect(p.choose([self], 4)).toMatchObject({ drafter: undefined, k: 0 });
  });

  it('never plans more tokens than a proposal has', () => {
    const p = planner(() => 10);
    for (let i = 0; i < 20; i++) p.observeDraft('ngram:3', 4, 4);
    expect(p.choose([{ name: 'ngram:3', msPerToken: 0, maxK: 2 }], 8)).toMatchObject({ drafter: 'ngram:3', k: 2 });
  });

  it("starts from a drafter's own prior, and probes a drafter it never timed at once", () => {
    const p = planner(() => 10);
    // A trained MTP head (prior 0.8) drafts at once where an unknown drafter (0.5) would not.
    const head = { name: 'mtp', msPerToken: 4, priorAcceptance: 0.8 };
    expect(p.choose([{ ...head, priorAcceptance: undefined }], 4).drafter).toBeUndefined();
    expect(p.choose([head], 4)).toMatchObject({ drafter: 'mtp' });
    // Where nothing gains (a pass costs T one-token passes), an untimed drafter is probed at once.
    const flat = planner((t) => 10 * t);
    expect(flat.choose([free, { name: 'mtp', msPerToken: undefined }], 4)).toMatchObject({ drafter: 'mtp', k: 1 });
  });

  it('acceptance follows recent evidence', () => {
    const p = new DraftPlanner();
    expect(p.acceptance('x')).toBe(0.5);
    for (let i = 0; i < 100; i++) p.observeDraft('x', 4, 0);
    expect(p.acceptance('x')).toBeLessThan(0.05);
    for (let i = 0; i < 100; i++) p.observeDraft('x', 4, 4);
    expect(p.acceptance('x')).toBeGreaterThan(0.95);
  });
});
