// The routed-expert cache in the benchmark (npm run bench -- --expert-cache): a routing trace
// recorded from the engine (greedy decoding with routing read back), the hit rate of each
// eviction policy on it at several cache sizes (simulated), and the engine itself paged at one
// size against fully resident: decode tokens/s, hit rate, bytes paged and stall per token, and
// whether the tokens are the same.

import { evictionPolicies, simulateHitRate } from '../../workers/engine/experts/policy.ts';
import type { EvictionPolicyName } from '../../workers/engine/experts/policy.ts';
import type { GpuContext } from '../../workers/engine/gpu/device.ts';
import { GpuModel } from '../../workers/engine/gpu/model.ts';
import type { WeightSource } from '../../workers/engine/model/weightSource.ts';
import { median, round } from './stats.ts';

export interface ExpertCacheBench {
  readonly traceTokens: number;
  /** Simulated hit rate per slot share (of nExpert) and policy. */
  readonly simulated: { readonly slots: number; readonly share: number; readonly hitRate: Readonly<Record<EvictionPolicyName, number>> }[];
  /** The engine paged at `slots` per layer, against fully resident, same prompt and tokens. */
  readonly paged: {
    readonly slots: number;
    readonly policy: EvictionPolicyName;
    readonly residentDecodeTokPerS: number;
    readonly pagedDecodeTokPerS: number;
    readonly hitRate: number;
    readonly bytesPagedPerToken: number;
    readonly stallMsPerToken: number;
    readonly sameTokens: boolean;
  };
}

async function greedy(model: GpuModel, prompt: readonly number[], n: number): Promise<{ tokens: number[]; stepMs: number[] }> {
  const tokens: number[] = [];
  const stepMs: number[] = [];
  let next = await model.forwardGreedyLast(prompt);
  while (tokens.length < n) {
    tokens.push(next);
    const t0 = performance.now();
    next = await model.forwardGreedyLast([next]);
    stepMs.push(performance.now() - t0);
  }
  return { tokens, stepMs };
}

export async function benchExpertCache(gpu: GpuContext, source: WeightSource, prompt: readonly number[], tokens: number, log: (m: string) => void): Promise<ExpertCacheBench> {
  const nCtx = prompt.length + tokens + 8;
  const resident = await GpuModel.load(gpu, source, { nCtx, maxTokens: 8 });
  const { nExpert, nExpertUsed: k } = resident.cfg;
  const perExpert = resident.expertCache.bytes / nExpert;
  const trace: number[][][] = [];
  let want: number[];
  let residentMs: number[];
  try {
    resident.recordRouting = true;
    let next = await resident.forwardGreedyLast(prompt);
    want = [];
    while (want.length < tokens) {
      want.push(next);
      next = await resident.forwardGreedyLast([next]);
      // [layer][token][slot] → [layer] distinct experts of the step.
      trace.push((resident.lastRouting ?? []).map((layer) => [...new Set(layer.flat())]));
    }
    resident.recordRouting = false;
    resident.truncate(0);
    residentMs = (await greedy(resident, prompt, tokens)).stepMs;
  } finally {
    resident.destroy();
  }
  const shares = [0.25, 0.5, 0.75];
  const simulated = shares
    .map((share) => Math.max(k, Math.floor(share * nExpert)))
    .filter((slots, i, all) => slots < nExpert && all.indexOf(slots) === i)
    .map((slots) => ({
      slots,
      share: round(slots / nExpert, 3),
      hitRate: Object.fromEntries(evictionPolicies.map((p) => [p, round(simulateHitRate(trace, slots, p), 4)])) as Record<EvictionPolicyName, number>,
    }));
  for (const s of simulated) log(`  expert cache, ${s.slots} of ${nExpert} slots: simulated hit rate ${evictionPolicies.map((p) => `${p} ${s.hitRate[p]}`).join(', ')}`);

  const slots = Math.max(k, Math.floor(nExpert / 2));
  const best = simulated.find((s) => s.slots === slots);
  const policy: EvictionPolicyName = best && best.hitRate.lfu > best.hitRate.lru ? 'lfu' : 'lru';
  const paged = await GpuModel.load(gpu, source, { nCtx, maxTokens: 8, expertCacheBytes: slots * perExpert, expertPolicy: policy });
  try {
    const before = paged.expertCache;
    const run = await greedy(paged, prompt, tokens);
    const c = paged.expertCache;
    const n = prompt.length + tokens;
    const result = {
      slots,
      policy,
      residentDecodeTokPerS: round(1000 / median(residentMs), 3),
      pagedDecodeTokPerS: round(1000 / median(run.stepMs), 3),
      hitRate: round((c.hits - before.hits) / Math.max(1, c.lookups - before.lookups), 4),
      bytesPagedPerToken: Math.round((c.bytesPaged - before.bytesPaged) / n),
      stallMsPerToken: round((c.stallMs - before.stallMs) / n, 2),
      sameTokens: run.tokens.every((t, i) => t === want[i]),
    };
    log(
      `  expert cache, ${slots} of ${nExpert} slots (${policy}): decode ${result.pagedDecodeTokPerS} tok/s vs ${result.residentDecodeTokPerS} resident, hit rate ${result.hitRate}, ${result.bytesPagedPerToken} B and ${result.stallMsPerToken} ms paged per token, same tokens: ${result.sameTokens}`,
    );
    return { traceTokens: tokens, simulated, paged: result };
  } finally {
    paged.destroy();
  }
}
