// deepseek2 on WebGPU against the CPU reference (no llama.cpp here: test/oracle has that):
// logits over both MLA layouts, q-LoRA, V3 routing; the GPU router's V3 expert choices equal
// the CPU's; and the MLA kernels are batch-invariant (speculative decoding stays exact).

import { describe, expect, it } from 'vitest';
import { CpuModel } from '../../reference/cpu/model.ts';
import { loadGpuModel } from '../helpers/gpuModels.ts';
import { testModel } from '../helpers/testModels.ts';
import type { Spec } from '../helpers/testModels.ts';

function relErr(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

const variants: [string, Spec][] = [
  ['split k_b/v_b, lite', { arch: 'deepseek2', seed: 5, nLayer: 3, deepseek2: { splitKvB: true, qLoraRank: 0 } }],
  [
    'attn_kv_b, q-LoRA, V3 routing, YaRN',
    { arch: 'deepseek2', seed: 5, nLayer: 3, deepseek2: { splitKvB: false, qLoraRank: 64, v3Routing: true, yarnLogMul: 0.0707 }, ropeScaling: { type: 'yarn', factor: 4, originalContext: 16 } },
  ],
];

describe('deepseek2 on WebGPU equals the CPU reference', () => {
  it.each(variants)('%s: F32 logits over a 16-token prompt and two decode steps, same experts', async (_, spec) => {
    const { bytes } = testModel(spec);
    const cpu = CpuModel.fromBytes(bytes);
    const gpu = await loadGpuModel(bytes, { maxTokens: 16 });
    gpu.recordRouting = true;
    try {
      const prompt = [3, 17, 200, 45, 9, 100, 101, 102, 250, 251, 12, 13, 14, 300, 301, 302];
      const ref = cpu.forward(prompt);
      const got = await gpu.forwardLogits(prompt);
      for (let t = 0; t < prompt.length; t++) expect(relErr(got[t], ref[t]), `token ${t}`).toBeLessThan(1e-5);
      // Layer 0 is dense and routes nothing; the MoE layers chose the same experts (CPU order is by score, as the GPU's).
      expect(gpu.lastRouting?.[0][0]).toEqual([]);
      for (let il = 1; il < 3; il++) {
        for (let t = 0; t < prompt.length; t++) expect(gpu.lastRouting?.[il][t], `layer ${il} token ${t}`).toEqual(cpu.lastRouting[il][t].experts);
      }
      for (const tok of [77, 150]) {
        const r = cpu.forward([tok])[0];
        const g = (await gpu.forwardLogits([tok]))[0];
        expect(relErr(g, r)).toBeLessThan(1e-5);
      }
      expect(gpu.lastStep.submits).toBe(1);
      expect(gpu.kvBytesPerToken).toBe(3 * (64 + 16) * 4);
    } finally {
      gpu.destroy();
    }
  });

  it('keeps the latent cache in f32 and refuses an explicit f16 cache', async () => {
    const { bytes } = testModel({ arch: 'deepseek2', seed: 5, nLayer: 3 });
    await expect(loadGpuModel(bytes, { kvCache: 'f16' })).rejects.toThrow(/f32 only/);
    const gpu = await loadGpuModel(bytes, { kvCache: undefined });
    try {
      expect(gpu.lastStep).toMatchObject({ kvCacheType: 'f32', kvCacheBytes: 64 * 3 * (64 + 16) * 4 });
    } finally {
      gpu.destroy();
    }
  });

  it('logits are bit-identical for T = 1, 3, 8 (Q8_0, V3 routing)', async () => {
    const { bytes } = testModel({
      arch: 'deepseek2',
      seed: 7,
      nLayer: 3,
      deepseek2: { qLoraRank: 64, v3Routing: true },
      types: { embd: 'Q8_0', attn: 'Q8_0', router: 'F32', experts: 'Q8_0', shexp: 'Q8_0', output: 'Q8_0' },
    });
    const tokens = [5, 80, 13, 300, 41, 7, 222, 19, 64, 3, 150, 99];
    const gpu = await loadGpuModel(bytes);
    try {
      const byT = new Map<number, Float32Array[]>();
      for (const T of [1, 3, 8]) {
        gpu.truncate(0);
        const logits: Float32Array[] = [];
        for (let i = 0; i < tokens.length; i += T) logits.push(...(await gpu.forwardLogits(tokens.slice(i, i + T))));
        byT.set(T, logits);
      }
      const one = byT.get(1) ?? [];
      for (const T of [3, 8]) {
        const other = byT.get(T) ?? [];
        for (let p = 0; p < tokens.length; p++) expect(Buffer.from(other[p].buffer).equals(Buffer.from(one[p].buffer)), `T=${T} position ${p}`).toBe(true);
      }
    } finally {
      gpu.destroy();
    }
  });
});
