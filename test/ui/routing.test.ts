import { describe, expect, it } from 'vitest';
import { MAX_STEPS, addRoutingStep, addTokenText, emptyRouting, relativeToLayerMax, tokenMatrix, topExperts, usageShares } from '../../src/insights/routing.ts';

describe('expert routing log', () => {
  // 2 layers × 4 experts, 2 experts per token.
  let log = emptyRouting('m', 2, 4);
  log = addRoutingStep(log, {
    token: 10,
    experts: [
      [0, 1],
      [2, 3],
    ],
  });
  log = addRoutingStep(log, {
    token: 11,
    experts: [
      [0, 2],
      [3, 1],
    ],
  });
  log = addRoutingStep(log, {
    token: 12,
    experts: [
      [0, 9],
      [3, -1],
      [1, 1],
    ],
  }); // out-of-range ids and layers are ignored

  it('counts picks per layer and expert', () => {
    expect([...log.counts]).toEqual([3, 1, 1, 0, 0, 1, 1, 3]);
    expect(log.steps).toHaveLength(3);
  });

  it("shares per layer, and relative to each layer's favourite", () => {
    const shares = usageShares(log);
    expect(shares[0]).toBeCloseTo(3 / 5);
    expect(shares[7]).toBeCloseTo(3 / 5);
    expect([...relativeToLayerMax(shares, 2, 4)].map((v) => Math.round(v * 3))).toEqual([3, 1, 1, 0, 0, 1, 1, 3]);
    expect(topExperts(log)).toEqual([
      { expert: 0, share: expect.closeTo(0.6) },
      { expert: 3, share: expect.closeTo(0.6) },
    ]);
  });

  it('per-token matrix for a layer, best-ranked strongest', () => {
    const { values, steps } = tokenMatrix(log, 1, 2);
    expect(steps.map((s) => s.token)).toEqual([11, 12]);
    expect([...values].map((v) => Math.round(v * 3))).toEqual([0, 2, 0, 3, 0, 0, 0, 3]);
  });

  it('keeps the last MAX_STEPS steps and token texts', () => {
    let big = emptyRouting('m', 1, 2);
    for (let i = 0; i < MAX_STEPS + 5; i++) big = addRoutingStep(big, { token: i, experts: [[i % 2]] });
    expect(big.steps).toHaveLength(MAX_STEPS);
    expect(big.steps[0].token).toBe(5);
    expect(big.counts[0] + big.counts[1]).toBe(MAX_STEPS + 5);
    const named = addTokenText(big, 7, 'cat');
    expect(named.texts.get(7)).toBe('cat');
    expect(addTokenText(named, 7, 'cat')).toBe(named);
    expect(addTokenText(named, 8, '')).toBe(named);
  });
});
