import { describe, expect, it } from 'vitest';
import { modelFit } from '../../src/models/fit.ts';

const GiB = 2 ** 30;

describe('whether a model fits this device', () => {
  it('fits within half the reported memory', () => {
    expect(modelFit(1.2 * GiB, 8)).toMatchObject({ verdict: 'fits' });
  });

  it('may not fit above half, or above a reported 8 GiB, which Chrome never exceeds', () => {
    expect(modelFit(3 * GiB, 4)).toMatchObject({ verdict: 'tight' });
    const big = modelFit(17.9 * GiB, 8);
    expect(big.verdict).toBe('tight');
    expect(big.text).toMatch(/at least 8/);
  });

  it('is too big above what a device under the cap has', () => {
    expect(modelFit(5 * GiB, 4)).toMatchObject({ verdict: 'too_big' });
  });

  it('says when the browser gives no figure', () => {
    expect(modelFit(GiB, undefined)).toMatchObject({ verdict: 'unknown' });
  });
});
