// The checks every whole-model oracle test makes against llama.cpp: top-5 probabilities close,
// and greedy decoding on the GPU with each decode step's counters (ARCHITECTURE.md invariant 2).

import { expect } from 'vitest';
import type { GpuModel } from '../../workers/engine/gpu/model.ts';
import { loadGpuModel } from './gpuModels.ts';
import { llamaGreedy, type OracleStep } from './llamaOracle.ts';
import { nTokens } from './oracleSpecs.ts';
import { softmax } from './testModels.ts';

/** Our 5 most probable tokens of each step are within `tolerance` of llama.cpp's probabilities. */
export function expectTop5Close(ours: readonly Float64Array[], theirs: readonly OracleStep[], tolerance: number, context: string): void {
  theirs.forEach((step, i) => {
    const p = ours[i];
    const top5 = Array.from(p.keys())
      .sort((a, b) => p[b] - p[a])
      .slice(0, 5);
    for (const t of top5) {
      expect(Math.abs(p[t] - (step.probs.get(t) ?? 0)), `step ${i} token ${t} (${context})`).toBeLessThanOrEqual(tolerance);
    }
  });
}

/** The CPU reference's greedy run of a clear-margin model against llama.cpp's: tokens equal, top-5 probabilities within `tolerance`. */
export async function expectCpuMatchesLlama(
  m: { readonly path: string; readonly prompt: number[]; readonly run: { readonly tokens: number[]; readonly probs: Float64Array[] } },
  tolerance: number,
): Promise<void> {
  const theirs = await llamaGreedy(m.path, m.prompt, nTokens);
  const context = `prompt ${m.prompt.join(',')}`;
  expect(
    theirs.map((s) => s.token),
    context,
  ).toEqual(m.run.tokens);
  expectTop5Close(m.run.probs, theirs, tolerance, context);
}

/** Probabilities of each step of `theirs` on the GPU, teacher-forced on llama.cpp's tokens. */
export async function gpuStepProbs(gpu: GpuModel, prompt: readonly number[], theirs: readonly OracleStep[]): Promise<Float64Array[]> {
  gpu.truncate(0);
  const tokens = theirs.map((s) => s.token);
  const logits = await gpu.forwardLogits([...prompt, ...tokens.slice(0, -1)]);
  return theirs.map((_, i) => softmax(logits[prompt.length - 1 + i]));
}

/** Greedy decoding on the GPU; every decode step must be one submit with a 4-byte readback. */
export async function gpuGreedyChecked(gpu: GpuModel, prompt: readonly number[], n: number): Promise<number[]> {
  const out: number[] = [];
  let next = (await gpu.forwardGreedy(prompt)).at(-1) ?? -1;
  for (;;) {
    out.push(next);
    if (out.length === n) return out;
    [next] = await gpu.forwardGreedy([next]);
    expect(gpu.lastStep, `decode step ${out.length}`).toMatchObject({ submits: 1, readbackBytes: 4 });
  }
}

/**
 * The WebGPU engine against llama.cpp on one clear-margin model: llama.cpp decodes on its own
 * threads while the GPU does (SwiftShader keeps about one core busy); greedy tokens equal, top-5
 * probabilities (teacher-forced on llama.cpp's tokens) within `tolerance`. `check` looks at the
 * loaded model first (its KV cache type, its sizes).
 */
export async function expectGpuMatchesLlama(
  m: { readonly path: string; readonly bytes: Uint8Array; readonly prompt: number[] },
  tolerance: number,
  o: { readonly kvCache?: 'f32' | 'f16'; readonly nCtx?: number; readonly check?: (gpu: GpuModel) => void } = {},
): Promise<void> {
  const oracle = llamaGreedy(m.path, m.prompt, nTokens, o.kvCache === 'f16' ? 'F16' : 'F32');
  oracle.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
  const gpu = await loadGpuModel(m.bytes, { maxTokens: 8, nCtx: o.nCtx ?? 64, kvCache: o.kvCache ?? 'f32' });
  try {
    o.check?.(gpu);
    const greedy = await gpuGreedyChecked(gpu, m.prompt, nTokens);
    const theirs = await oracle;
    expect(greedy, `prompt ${m.prompt.join(',')}`).toEqual(theirs.map((s) => s.token));
    expectTop5Close(await gpuStepProbs(gpu, m.prompt, theirs), theirs, tolerance, `prompt ${m.prompt.join(',')}`);
  } finally {
    gpu.destroy();
  }
}
