// Pakar's WebGPU engine on one GGUF: prefill and greedy decode speed, and the per-step counters
// of ARCHITECTURE.md invariant 2 (submits, dispatches, readback bytes).
// Protocol: load; a warm-up step; then `runs` × (when prefill is timed: empty the cache and
// prefill the prompt with forwardGreedyLast; then `decodeTokens` greedy steps, each timed to
// its readback). Without a timed prefill, the runs simply continue decoding after the warm-up.

import { GpuModel } from '../../workers/engine/gpu/model.ts';
import type { GpuContext } from '../../workers/engine/gpu/device.ts';
import type { KvCacheType } from '../../workers/engine/model/config.ts';
import type { WeightSource } from '../../workers/engine/model/weightSource.ts';
import { median, round } from './stats.ts';

export interface EngineRunSettings {
  readonly prompt: readonly number[];
  /** Whether each run re-runs and times the prompt (else it is run once, in the warm-up). */
  readonly timePrefill: boolean;
  readonly decodeTokens: number;
  readonly runs: number;
}

export interface WebGpuResult {
  readonly loadSeconds: number;
  readonly decodeTokPerS: number;
  /** Median, min and max of every timed decode step, in ms. */
  readonly decodeStepMs: { readonly median: number; readonly min: number; readonly max: number; readonly n: number };
  readonly prefillTokPerS: number | null;
  readonly prefillTokens: number;
  readonly prefillChunk: number;
  readonly dispatchesPerStep: number;
  readonly dispatchesPerLayer: number;
  readonly prefillDispatchesPerStep: number | null;
  readonly submitsPerStep: number;
  readonly readbackBytesPerStep: number;
  readonly weightBytesOnGpu: number;
  readonly scratchBytes: number;
  readonly kvCacheType: KvCacheType;
  readonly kvCacheBytes: number;
}

export async function benchWebGpu(gpu: GpuContext, source: WeightSource, s: EngineRunSettings, log: (m: string) => void): Promise<WebGpuResult> {
  const chunk = Math.min(64, Math.max(8, s.prompt.length));
  const t0 = performance.now();
  const model = await GpuModel.load(gpu, source, { maxTokens: chunk, nCtx: s.prompt.length + 1 + s.runs * s.decodeTokens + 8 });
  const loadSeconds = (performance.now() - t0) / 1000;
  log(`  loaded in ${loadSeconds.toFixed(1)} s; warm-up`);
  try {
    const nLayer = model.cfg.nLayer;
    // One single-token step compiles every pipeline and makes every bind group: a step of T
    // tokens uses the same ones (T only changes the uniforms and the grid).
    let next = await model.forwardGreedyLast(s.prompt.slice(0, 1));
    let prefillDispatches: number | null = null;

    const steps: number[] = [];
    const prefills: number[] = [];
    let counters = { submits: 0, dispatches: 0, readbackBytes: 0 };
    for (let run = 0; run < s.runs; run++) {
      if (s.timePrefill) {
        model.truncate(0);
        const t = performance.now();
        next = await model.forwardGreedyLast(s.prompt);
        const seconds = (performance.now() - t) / 1000;
        prefills.push(s.prompt.length / seconds);
        prefillDispatches = model.lastStep.dispatches;
        log(`  run ${run + 1}/${s.runs}: prefill ${s.prompt.length} tokens ${(seconds * 1000).toFixed(0)} ms`);
      }
      for (let i = 0; i < s.decodeTokens; i++) {
        const t = performance.now();
        next = await model.forwardGreedyLast([next]);
        steps.push(performance.now() - t);
        const { submits, dispatches, readbackBytes } = model.lastStep;
        counters = { submits, dispatches, readbackBytes };
      }
      log(`  run ${run + 1}/${s.runs}: ${s.decodeTokens} decode steps, median ${median(steps.slice(-s.decodeTokens)).toFixed(0)} ms`);
    }
    const stepMs = median(steps);
    return {
      loadSeconds: round(loadSeconds, 2),
      decodeTokPerS: round(1000 / stepMs, 3),
      decodeStepMs: { median: round(stepMs, 2), min: round(Math.min(...steps), 2), max: round(Math.max(...steps), 2), n: steps.length },
      prefillTokPerS: prefills.length ? round(median(prefills), 3) : null,
      prefillTokens: s.timePrefill ? s.prompt.length : 0,
      prefillChunk: chunk,
      dispatchesPerStep: counters.dispatches,
      dispatchesPerLayer: round(counters.dispatches / nLayer, 2),
      prefillDispatchesPerStep: prefillDispatches,
      submitsPerStep: counters.submits,
      readbackBytesPerStep: counters.readbackBytes,
      weightBytesOnGpu: model.lastStep.weightBytes,
      scratchBytes: model.lastStep.scratchBytes,
      kvCacheType: model.lastStep.kvCacheType,
      kvCacheBytes: model.lastStep.kvCacheBytes,
    };
  } finally {
    model.destroy();
  }
}
