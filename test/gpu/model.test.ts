// The WebGPU engine against the CPU reference on generated models: logits of a prompt and of
// greedy continuation steps, every architecture.

import { describe, expect, it } from 'vitest';
import { openNodeGpu } from '../../scripts/node-webgpu.ts';
import { CpuModel } from '../../workers/engine/cpu/model.ts';
import { bytesSource } from '../../workers/engine/gguf/sources.ts';
import { parseGguf } from '../../workers/engine/gguf/reader.ts';
import { GpuModel } from '../../workers/engine/gpu/model.ts';
import { weightsFromByteSource } from '../../workers/engine/model/weightSource.ts';
import type { GeneratorArch } from '../../scripts/model-gen/generate.ts';
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

async function loadGpu(bytes: Uint8Array, maxTokens = 8): Promise<GpuModel> {
  const gpu = await openNodeGpu();
  const file = parseGguf(bytes);
  return GpuModel.load(gpu, weightsFromByteSource(file, bytesSource(bytes)), { maxTokens, nCtx: 64 });
}

const archs: GeneratorArch[] = ['qwen3moe', 'qwen2moe', 'olmoe', 'granitemoe', 'llama'];

describe.each(archs)('%s on WebGPU equals the CPU reference', (arch) => {
  it('F32 logits over a prompt and two decode steps', async () => {
    const { bytes } = testModel({ arch, seed: 5, nHeadKv: arch === 'olmoe' ? 4 : 2 });
    const cpu = CpuModel.fromBytes(bytes);
    const gpu = await loadGpu(bytes);
    try {
      const prompt = [3, 17, 200, 45, 9];
      const ref = cpu.forward(prompt);
      const got = await gpu.forwardLogits(prompt);
      for (let t = 0; t < prompt.length; t++) expect(relErr(got[t], ref[t])).toBeLessThan(1e-5);
      for (const tok of [77, 150]) {
        const r = cpu.forward([tok])[0];
        const g = (await gpu.forwardLogits([tok]))[0];
        expect(relErr(g, r)).toBeLessThan(1e-5);
      }
      expect(gpu.lastStep.submits).toBe(1);
    } finally {
      gpu.destroy();
    }
  });
});
