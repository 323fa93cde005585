// DeepSeek-V3 expert selection on the CPU reference, by hand: groups scored by their top-2
// sum, the selection bias steering the choice, margins in router-logit units.

import { describe, expect, it } from 'vitest';
import { selectExperts } from '../../reference/cpu/selectExperts.ts';

const probs = [0.9, 0.1, 0.5, 0.6, 0.2, 0.3, 0.8, 0.7];

describe('selectExperts', () => {
  it('without groups or bias: the top k probabilities', () => {
    expect(selectExperts(probs, 2, undefined, undefined)).toEqual({ experts: [0, 6], margin: expect.closeTo(4 * (0.8 - 0.7), 9) });
  });

  it('keeps only the best groups by top-2 sum (g3 = 1.5, g1 = 1.1 beat g0 = 1.0)', () => {
    const s = selectExperts(probs, 2, undefined, { count: 4, used: 2 });
    expect(s.experts).toEqual([6, 7]);
    // Expert gap 0.7 − 0.6 (×4) and group gap 1.1 − 1.0 (×2).
    expect(s.margin).toBeCloseTo(Math.min(4 * 0.1, 2 * 0.1), 9);
  });

  it('chooses on probs + bias: a biased expert lifts its group', () => {
    const bias = new Float32Array([0, 1, 0, 0, 0, 0, 0, 0]);
    const s = selectExperts(probs, 2, bias, { count: 4, used: 2 });
    expect(s.experts).toEqual([1, 0]);
    expect(s.margin).toBeCloseTo(Math.min(2 * (1.5 - 1.1), 4 * (0.9 - 0.8)), 5);
  });
});
