// Pakar's WebGPU engine on one GGUF: prefill and greedy decode speed, and the per-step counters
// of ARCHITECTURE.md invariant 2 (submits, dispatches, readback bytes).
// Protocol: load; a warm-up step; then `runs` × (when prefill is timed: empty the cache and
// prefill the prompt with forwardGreedyLast; then `decodeTokens` greedy steps, each timed to
// its readback). Without a timed prefill, the runs simply continue decoding after the warm-up.
// Then the cost of a T-token pass (T = 2, 4, 8) over a 1-token pass at the same position, and,
// with `profile`, one profiled decode step and one profiled prefill chunk (time per kernel class).

import { GpuModel } from '../../workers/engine/gpu/model.ts';
import type { GpuContext } from '../../workers/engine/gpu/device.ts';
import type { KvCacheType } from '../../workers/engine/model/config.ts';
import type { WeightSource } from '../../workers/engine/model/weightSource.ts';
import type { StepProfile } from '../../workers/engine/gpu/profiler.ts';
import { median, round } from './stats.ts';

export interface EngineRunSettings {
  readonly prompt: readonly number[];
  /** Whether each run re-runs and times the prompt (else it is run once, in the warm-up). */
  readonly timePrefill: boolean;
  readonly decodeTokens: number;
  readonly runs: number;
  /** Also time one decode step and one prefill chunk per kernel class. */
  readonly profile?: boolean;
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
  /** Median ms of a T-token pass over a 1-token pass at the same position, T = 2, 4, 8. */
  readonly passCostRatio: Readonly<Record<string, number>>;
  readonly passMs: Readonly<Record<string, number>>;
  readonly profile: { readonly decode: StepProfile; readonly prefill: StepProfile; readonly mapAsyncMs: number } | null;
}

export async function benchWebGpu(gpu: GpuContext, source: WeightSource, s: EngineRunSettings, log: (m: string) => void): Promise<WebGpuResult> {
  const chunk = Math.min(64, Math.max(8, s.prompt.length));
  const t0 = performance.now();
  const model = await GpuModel.load(gpu, source, { maxTokens: chunk, nCtx: s.prompt.length + 1 + s.runs * s.decodeTokens + 8 });
  const loadSeconds = (performance.now() - t0) / 1000;
  log(`  loaded in ${loadSeconds.toFixed(1)} s; warm-up`);
  try {
    const nLayer = model.cfg.nLayer;
    // Steps of 1, 2, 4 and 8 tokens compile every pipeline (the projections have one per token
    // tile) and make every bind group; longer passes reuse the 8-token ones.
    for (const T of [8, 4, 2].filter((n) => n <= model.maxBatch)) {
      await model.forwardGreedy(Array.from({ length: T }, (_, i) => s.prompt[i % s.prompt.length]));
      model.truncate(0);
    }
    // The prompt's own chunks (their expert tiles follow the chunk length).
    if (s.timePrefill) {
      await model.forwardGreedyLast(s.prompt);
      model.truncate(0);
    }
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

    // T-token passes at one position (the cache is cut back after each): what a speculative
    // verification of T − 1 drafts costs next to one decode step.
    const at = model.nPast;
    const passMs: Record<string, number> = {};
    for (const T of [1, 2, 4, 8].filter((n) => n <= model.maxBatch)) {
      const times: number[] = [];
      for (let r = 0; r < Math.max(2, s.runs); r++) {
        model.truncate(at);
        const t = performance.now();
        await model.forwardGreedy(s.prompt.slice(0, T).concat(Array(Math.max(0, T - s.prompt.length)).fill(next)));
        times.push(performance.now() - t);
      }
      passMs[T] = round(median(times), 2);
    }
    model.truncate(at);
    const passCostRatio = Object.fromEntries(
      Object.entries(passMs)
        .filter(([T]) => T !== '1')
        .map(([T, ms]) => [T, round(ms / passMs[1], 3)]),
    );
    log(
      `  pass cost over T=1 (${passMs[1]} ms): ${Object.entries(passCostRatio)
        .map(([T, r]) => `T=${T} ${r}×`)
        .join(', ')}`,
    );

    let profile: WebGpuResult['profile'] = null;
    if (s.profile) {
      model.setProfiling(true);
      await model.forwardGreedyLast([next]);
      const decode = rounded(model.lastProfile);
      model.truncate(0);
      await model.forwardGreedyLast(s.prompt.slice(0, chunk));
      const prefill = rounded(model.lastProfile);
      model.setProfiling(false);
      profile = { decode, prefill, mapAsyncMs: await mapAsyncLatency(gpu.device) };
      log(`  profile (${decode.method}), decode ${decode.gpuMs} ms on the GPU of ${decode.waitMs} ms waited: ${top(decode)}`);
      log(`  profile, prefill ${prefill.tokens} tokens ${prefill.gpuMs} ms: ${top(prefill)}`);
    }
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
      passCostRatio,
      passMs,
      profile,
    };
  } finally {
    model.destroy();
  }
}

/** A profiled pass for the bench JSON: classes by time, times rounded to µs. */
function rounded(p: StepProfile | undefined): StepProfile {
  if (!p) throw new Error('profiling recorded nothing');
  const r = (x: number): number => round(x, 3);
  return {
    ...p,
    kernelMs: Object.fromEntries(
      Object.entries(p.kernelMs)
        .sort((a, b) => b[1] - a[1])
        .map(([k, ms]) => [k, r(ms)]),
    ),
    gpuMs: r(p.gpuMs),
    recordMs: r(p.recordMs),
    waitMs: r(p.waitMs),
  };
}

/** The five largest kernel classes with their share of the GPU time. */
function top(p: StepProfile): string {
  return Object.entries(p.kernelMs)
    .slice(0, 5)
    .map(([k, ms]) => `${k} ${ms} ms (${((100 * ms) / p.gpuMs).toFixed(0)}%)`)
    .join(', ');
}

/** Median ms of an empty submit whose 4-byte readback is mapped: the host's floor per step. */
async function mapAsyncLatency(device: GPUDevice): Promise<number> {
  const src = device.createBuffer({ size: 4, usage: GPUBufferUsage.COPY_SRC });
  const dst = device.createBuffer({ size: 4, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    const e = device.createCommandEncoder();
    e.copyBufferToBuffer(src, 0, dst, 0, 4);
    device.queue.submit([e.finish()]);
    await dst.mapAsync(GPUMapMode.READ);
    dst.unmap();
    times.push(performance.now() - t);
  }
  src.destroy();
  dst.destroy();
  return round(median(times), 3);
}
