import { describe, expect, it } from 'vitest';
import { EvictionPolicy, simulateHitRate } from '../../workers/engine/experts/policy.ts';

describe('EvictionPolicy', () => {
  it('lru evicts the expert used longest ago, lfu the one used least often (ties: longest ago), never one kept', () => {
    const lru = new EvictionPolicy('lru');
    const lfu = new EvictionPolicy('lfu');
    for (const p of [lru, lfu]) {
      p.touch([1, 2]);
      p.touch([1, 3]);
      p.touch([1, 4]);
      p.touch([2]);
    }
    // Last use: 1 → 3, 2 → 4, 3 → 2, 4 → 3; uses: 1 → 3, 2 → 2, 3 → 1, 4 → 1.
    expect(lru.victim([1, 2, 3, 4], new Set())).toBe(3);
    expect(lru.victim([1, 2, 3, 4], new Set([3]))).toBe(1);
    expect(lfu.victim([1, 2, 3, 4], new Set())).toBe(3);
    expect(lfu.victim([1, 2, 4], new Set([4]))).toBe(2);
    expect(lfu.victim([1, 2], new Set([1, 2]))).toBeUndefined();
  });
});

describe('simulateHitRate', () => {
  it('counts cold misses only when every expert fits, and lets lfu keep hot experts through bursts of cold ones', () => {
    // One layer, cycles of 8 steps: hot experts 0 and 1 for 5 steps, then 3 steps of two cold ones.
    let cold = 10;
    const trace = Array.from({ length: 400 }, (_, i) => [i % 8 < 5 ? [0, 1] : [cold++, cold++]]);
    const distinct = new Set(trace.flatMap((s) => s[0])).size;
    const lookups = trace.reduce((n, s) => n + s[0].length, 0);
    expect(simulateHitRate(trace, 64, 'lru')).toBeCloseTo(1 - distinct / lookups, 12);
    // 4 slots: lru lets the burst's second step evict 0 and 1; lfu evicts the cold ones.
    const lru = simulateHitRate(trace, 4, 'lru');
    const lfu = simulateHitRate(trace, 4, 'lfu');
    expect(lru).toBeCloseTo((50 * 8) / 800, 2); // 4 hits of each cycle's 5 hot steps
    expect(lfu).toBeCloseTo((50 * 10 - 2) / 800, 2); // every hot lookup after the first
  });

  it('keeps every layer apart and skips layers without routed experts', () => {
    const trace = [
      [[1, 2], [], [5]],
      [[1, 2], [], [6]],
      [[1, 3], [], [5]],
    ];
    // Layer 0: 1, 2 miss, then 1, 2 hit, then 1 hits and 3 misses; layer 2: 5, 6 miss, 5 hits.
    expect(simulateHitRate(trace, 2, 'lru')).toBeCloseTo(4 / 9, 12);
  });
});
