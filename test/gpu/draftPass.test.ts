// The cut-down passes self-drafting runs (fewer experts per token, fewer layers) against the CPU
// reference on a file cut down the same way: expert_used_count lowered, or the later blocks
// dropped with block_count lowered. The GPU runs the full model's weights with per-call options.

import { describe, expect, it } from 'vitest';
import { CpuModel } from '../../reference/cpu/model.ts';
import { parseGguf } from '../../workers/engine/gguf/reader.ts';
import type { GgufKv } from '../../workers/engine/gguf/types.ts';
import { writeGguf } from '../../reference/gguf/writer.ts';
import type { ForwardOptions } from '../../workers/engine/gpu/model.ts';
import { loadGpuModel } from '../helpers/gpuModels.ts';
import { testModel } from '../helpers/testModels.ts';

function relErr(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

/** The same model with `expertsUsed` experts per token and only its first `layers` blocks. */
function cutDown(bytes: Uint8Array, { expertsUsed, layers }: ForwardOptions): Uint8Array {
  const file = parseGguf(bytes);
  const arch = String(file.metadata.get('general.architecture')?.value);
  const set: Record<string, number | undefined> = { [`${arch}.expert_used_count`]: expertsUsed, [`${arch}.block_count`]: layers };
  const metadata = [...file.metadata.values()].map((m): GgufKv => (set[m.key] === undefined ? m : { ...m, value: set[m.key] as number }));
  const keep = (name: string): boolean => layers === undefined || !/^blk\.(\d+)\./.test(name) || Number(/^blk\.(\d+)\./.exec(name)?.[1]) < layers;
  const tensors = file.tensors.filter((t) => keep(t.name)).map((t) => ({ name: t.name, dims: t.dims, type: t.type, data: bytes.subarray(t.byteOffset, t.byteOffset + t.byteLength) }));
  return writeGguf({ metadata, tensors });
}

describe.each(['qwen3moe', 'granitemoe'] as const)('%s draft passes equal the CPU reference of the cut-down model', (arch) => {
  const { bytes } = testModel({ arch, seed: 8, nLayer: 3, nExpertUsed: 2 });
  const prompt = [3, 17, 200, 45, 9, 100, 101, 102];
  const cases: ForwardOptions[] = [{ expertsUsed: 1 }, { layers: 1 }, { layers: 2, expertsUsed: 1 }];

  it.each(cases)('%o', async (opts) => {
    const ref = CpuModel.fromBytes(cutDown(bytes, opts)).forward(prompt);
    const full = CpuModel.fromBytes(bytes).forward(prompt);
    const gpu = await loadGpuModel(bytes, { maxTokens: 8 });
    try {
      const got = await gpu.forwardLogits(prompt, opts);
      for (let t = 0; t < prompt.length; t++) expect(relErr(got[t], ref[t])).toBeLessThan(1e-5);
      // The cut is real: the full model's logits differ.
      expect(relErr(got.at(-1) ?? new Float32Array(), full.at(-1) ?? new Float32Array())).toBeGreaterThan(1e-3);
      // As a drafter uses it: full pass, draft pass, roll back; the full pass after it is exact.
      gpu.truncate(0);
      await gpu.forwardLogits(prompt.slice(0, 4));
      await gpu.forwardLogits(prompt.slice(4), opts);
      gpu.truncate(4);
      const again = await gpu.forwardLogits(prompt.slice(4));
      for (let t = 0; t < 4; t++) expect(relErr(again[t], full[4 + t])).toBeLessThan(1e-5);
    } finally {
      gpu.destroy();
    }
  });

  it('refuses passes the model cannot run', async () => {
    const gpu = await loadGpuModel(bytes, { maxTokens: 8 });
    try {
      await expect(gpu.forwardLogits([1], { layers: 4 })).rejects.toThrow(/layers 4/);
      await expect(gpu.forwardLogits([1], { expertsUsed: 3 })).rejects.toThrow(/experts used 3/);
      // Refused before anything was recorded or cached: the model runs on.
      expect(gpu.nPast).toBe(0);
      expect(await gpu.forwardLogits([1])).toHaveLength(1);
    } finally {
      gpu.destroy();
    }
  });
});
