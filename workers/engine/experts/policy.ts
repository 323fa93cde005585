// Which resident expert of a layer's cache to evict when a chosen expert must come in. Both
// policies see every expert a layer chose, step by step (the routing the engine reads back).
// lru: the one used longest ago. lfu: the one used least often (ties: longest ago), which keeps a
// model's few hot experts resident through bursts of rare ones. scripts/bench/expertCache.ts
// compares them on recorded routing.

export type EvictionPolicyName = 'lru' | 'lfu';
export const evictionPolicies: readonly EvictionPolicyName[] = ['lru', 'lfu'];

export class EvictionPolicy {
  private clock = 0;
  private readonly lastUse = new Map<number, number>();
  private readonly uses = new Map<number, number>();

  constructor(readonly name: EvictionPolicyName) {}

  /** A step chose these experts. */
  touch(experts: Iterable<number>): void {
    this.clock++;
    for (const e of experts) {
      this.lastUse.set(e, this.clock);
      this.uses.set(e, (this.uses.get(e) ?? 0) + 1);
    }
  }

  /** The expert of `resident` to evict, never one of `keep`; undefined when all are kept. */
  victim(resident: Iterable<number>, keep: ReadonlySet<number>): number | undefined {
    let best: number | undefined;
    let bestKey: readonly [number, number] = [Infinity, Infinity];
    for (const e of resident) {
      if (keep.has(e)) continue;
      const last = this.lastUse.get(e) ?? 0;
      const key = this.name === 'lru' ? ([last, e] as const) : ([this.uses.get(e) ?? 0, last] as const);
      if (key[0] < bestKey[0] || (key[0] === bestKey[0] && key[1] < bestKey[1])) {
        best = e;
        bestKey = key;
      }
    }
    return best;
  }
}

/**
 * The hit rate of `policy` with `slots` slots per layer on a routing trace ([step][layer] →
 * the experts that step's tokens chose there), starting empty: the fraction of (step, layer,
 * expert) lookups that found the expert resident.
 */
export function simulateHitRate(trace: readonly (readonly (readonly number[])[])[], slots: number, policy: EvictionPolicyName): number {
  const layers = new Map<number, { resident: Set<number>; policy: EvictionPolicy }>();
  let lookups = 0;
  let hits = 0;
  for (const step of trace) {
    step.forEach((chosen, il) => {
      if (chosen.length === 0) return;
      let l = layers.get(il);
      if (!l) layers.set(il, (l = { resident: new Set(), policy: new EvictionPolicy(policy) }));
      const need = new Set(chosen);
      for (const e of need) {
        lookups++;
        if (l.resident.has(e)) {
          hits++;
          continue;
        }
        if (l.resident.size >= slots) {
          const v = l.policy.victim(l.resident, need);
          if (v === undefined) continue; // more distinct experts than slots: the step is split
          l.resident.delete(v);
        }
        l.resident.add(e);
      }
      l.policy.touch(need);
    });
  }
  return lookups === 0 ? 1 : hits / lookups;
}
