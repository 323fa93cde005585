// The WebGPU engine against the CPU reference on generated models: logits of a prompt and of
// greedy continuation steps, every architecture.

import { describe, expect, it } from 'vitest';
import { CpuModel } from '../../reference/cpu/model.ts';
import { parseGguf } from '../../workers/engine/gguf/reader.ts';
import type { ArchDef } from '../../workers/engine/model/archs/arch.ts';
import { qwen3moe } from '../../workers/engine/model/archs/qwen3moe.ts';
import { layerTensorName } from '../../workers/engine/model/tensorNames.ts';
import type { GeneratorArch } from '../../scripts/model-gen/generate.ts';
import { nodeGpuInstance } from '../../scripts/node-webgpu.ts';
import { openGpu } from '../../workers/engine/gpu/device.ts';
import type { GpuError } from '../../workers/engine/gpu/errors.ts';
import { loadGpuModel, loadGpuModelOn } from '../helpers/gpuModels.ts';
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

const archs: GeneratorArch[] = ['qwen3moe', 'qwen2moe', 'olmoe', 'granitemoe', 'llama', 'gpt-oss'];

describe.each(archs)('%s on WebGPU equals the CPU reference', (arch) => {
  // 16 tokens in one pass: two token tiles, and experts (and the shared expert) with more than
  // 8 members, whose second tile once summed onto the first.
  it('F32 logits over a 16-token prompt and two decode steps', async () => {
    const { bytes } = testModel({ arch, seed: 5, nHeadKv: arch === 'olmoe' ? 4 : 2 });
    const cpu = CpuModel.fromBytes(bytes);
    const gpu = await loadGpuModel(bytes, { maxTokens: 16 });
    try {
      const prompt = [3, 17, 200, 45, 9, 100, 101, 102, 250, 251, 12, 13, 14, 300, 301, 302];
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

describe('f16 KV cache', () => {
  it('equals the CPU reference with an f16 cache, and differs from an f32 cache', async () => {
    const { bytes } = testModel({ arch: 'qwen3moe', seed: 5, nHeadKv: 2 });
    const prompt = [3, 17, 200, 45, 9, 100, 101, 102, 250, 251, 12, 13];
    const cpu = new CpuModel(parseGguf(bytes), bytes, undefined, 'f16');
    const gpu = await loadGpuModel(bytes, { maxTokens: 16, kvCache: 'f16' });
    const f32 = await loadGpuModel(bytes, { maxTokens: 16, kvCache: 'f32' });
    try {
      const ref = cpu.forward(prompt);
      const got = await gpu.forwardLogits(prompt);
      const wide = await f32.forwardLogits(prompt);
      // The projections' f32 sums differ from the CPU's in their last bits (another order), and
      // a key or value on a binary16 rounding boundary then rounds the other way: 3e-5, not 1e-5.
      for (let t = 0; t < prompt.length; t++) expect(relErr(got[t], ref[t]), `position ${t}`).toBeLessThan(3e-5);
      // From the second position on, attention reads rounded keys and values.
      expect(relErr(got[prompt.length - 1], wide[prompt.length - 1])).toBeGreaterThan(1e-6);
      const r = cpu.forward([77])[0];
      expect(relErr((await gpu.forwardLogits([77]))[0], r)).toBeLessThan(3e-5);
      expect(gpu.lastStep.kvCacheBytes).toBe(f32.lastStep.kvCacheBytes / 2);
    } finally {
      gpu.destroy();
      f32.destroy();
    }
  });
});

describe('batch invariance', () => {
  it.each(['qwen2moe', 'qwen3moe', 'gpt-oss'] as const)('%s: logits are bit-identical for T = 1, 2, 5, 8', async (arch) => {
    const { bytes } = testModel({ arch, seed: 7, nEmbd: 256, nFf: 256, nFfShexp: 256, types: { embd: 'Q4_K', attn: 'Q6_K', router: 'F32', experts: 'Q4_K', shexp: 'Q8_0', output: 'Q6_K' } });
    const tokens = [5, 80, 13, 300, 41, 7, 222, 19, 64, 3, 150, 99, 1, 250, 33, 8];
    const gpu = await loadGpuModel(bytes);
    try {
      const byT = new Map<number, Float32Array[]>();
      for (const T of [1, 2, 5, 8]) {
        gpu.truncate(0);
        const logits: Float32Array[] = [];
        for (let i = 0; i < tokens.length; i += T) logits.push(...(await gpu.forwardLogits(tokens.slice(i, i + T))));
        byT.set(T, logits);
      }
      const one = byT.get(1) ?? [];
      for (const T of [2, 5, 8]) {
        const other = byT.get(T) ?? [];
        for (let p = 0; p < tokens.length; p++) expect(Buffer.from(other[p].buffer).equals(Buffer.from(one[p].buffer)), `T=${T} position ${p}`).toBe(true);
      }
    } finally {
      gpu.destroy();
    }
  });
});

describe('preparePasses', () => {
  it('records passes without running them: the model then gives the logits a model without it gives', async () => {
    const { bytes } = testModel({ arch: 'qwen3moe', seed: 5 });
    const plain = await loadGpuModel(bytes, { maxTokens: 16 });
    const prepared = await loadGpuModel(bytes, { maxTokens: 16 });
    try {
      prepared.preparePasses();
      expect(prepared.nPast).toBe(0);
      const prompt = [3, 17, 200, 45, 9, 100, 101, 102, 250];
      for (const tokens of [prompt, [7], [8, 9, 10]]) {
        const want = await plain.forwardLogits(tokens);
        const got = await prepared.forwardLogits(tokens);
        got.forEach((row, t) => expect(Buffer.from(row.buffer).equals(Buffer.from(want[t].buffer)), `token ${t}`).toBe(true));
      }
    } finally {
      plain.destroy();
      prepared.destroy();
    }
  });
});

describe('GPU sampling candidates', () => {
  it('forwardTop gives the top k of the CPU logits and the exact log-normaliser', async () => {
    const { bytes } = testModel({ arch: 'qwen3moe', seed: 5 });
    const cpu = CpuModel.fromBytes(bytes);
    const gpu = await loadGpuModel(bytes);
    try {
      const prompt = [3, 17, 200, 45, 9, 11, 12, 13, 14, 15];
      const ref = cpu.forward(prompt).at(-1) ?? new Float32Array();
      const top = await gpu.forwardTop(prompt, 16);
      const order = Array.from(ref.keys())
        .sort((a, b) => ref[b] - ref[a] || a - b)
        .slice(0, 16);
      expect(top.ids).toEqual(order);
      top.logits.forEach((l, i) => expect(l).toBeCloseTo(ref[order[i]], 4));
      const max = Math.max(...ref);
      const logZ = max + Math.log(ref.reduce((s, x) => s + Math.exp(x - max), 0));
      expect(top.logZ).toBeCloseTo(logZ, 4);
      expect(gpu.lastStep.readbackBytes).toBe(4 + 8 * 16);
    } finally {
      gpu.destroy();
    }
  });
});

describe('dispatches', () => {
  it('a decode step takes 9 dispatches per layer (plus embed, output norm, output, argmax) and one submit', async () => {
    const { bytes } = testModel({ arch: 'qwen3moe', seed: 5 });
    const gpu = await loadGpuModel(bytes);
    try {
      await gpu.forwardGreedy([1, 2, 3]);
      await gpu.forwardGreedy([4]);
      expect(gpu.lastStep.dispatches).toBe(gpu.cfg.nLayer * 9 + 4);
      expect(gpu.lastStep.submits).toBe(1);
      expect(gpu.lastStep.readbackBytes).toBe(4);
    } finally {
      gpu.destroy();
    }
  });
});

describe('profiling', () => {
  it.each(['timestamps', 'submits'] as const)('by %s: times every dispatch by kernel class, and a profiled pass returns what a plain one does', async (method) => {
    const { bytes } = testModel({ arch: 'qwen3moe', seed: 5 });
    const gpu = await loadGpuModel(bytes);
    try {
      const plain = await gpu.forwardLogits([1, 2, 3]);
      gpu.truncate(0);
      gpu.setProfiling(true, method);
      const profiled = await gpu.forwardLogits([1, 2, 3]);
      const p = gpu.lastProfile;
      expect(profiled).toEqual(plain);
      expect(p?.tokens).toBe(3);
      expect(p?.method).toBe(method);
      const nLayer = gpu.cfg.nLayer;
      expect(p?.dispatches).toMatchObject({ qkv: nLayer, attention: nLayer, router: nLayer, 'experts.up': nLayer, 'experts.down': nLayer, output: 1 });
      expect(Object.values(p?.dispatches ?? {}).reduce((a, b) => a + b, 0)).toBe(gpu.lastStep.dispatches);
      expect(p?.gpuMs).toBeGreaterThan(0);
      expect(p?.gpuMs).toBeCloseTo(
        Object.values(p?.kernelMs ?? {}).reduce((a, b) => a + b, 0),
        6,
      );
      gpu.setProfiling(false);
      await gpu.forwardGreedy([4]);
      expect(gpu.lastProfile).toBeUndefined();
    } finally {
      gpu.destroy();
    }
  });
});

describe('routing log', () => {
  it('reports the experts the CPU reference chooses, per layer and token', async () => {
    const { bytes } = testModel({ arch: 'qwen2moe', seed: 5, nExpertUsed: 3 });
    const cpu = CpuModel.fromBytes(bytes);
    const gpu = await loadGpuModel(bytes);
    try {
      gpu.recordRouting = true;
      const tokens = [7, 8, 9, 10];
      cpu.forward(tokens);
      await gpu.forwardGreedy(tokens);
      const ref = cpu.lastRouting.map((layer) => layer.map((r) => r.experts));
      expect(gpu.lastRouting).toEqual(ref);
    } finally {
      gpu.destroy();
    }
  });
});

describe('weights larger than one binding', () => {
  it.each([false, true])('split embedding and output (tied %s) give the same logits', async (tied) => {
    const { bytes } = testModel({ arch: 'qwen3moe', seed: 5, nVocab: 2048, tied });
    const whole = await loadGpuModel(bytes);
    // 300 KB: the 262 KB expert tensors fit, the 524 KB embedding and output split in two.
    const split = await loadGpuModel(bytes, { maxBindingBytes: 300_000 });
    try {
      const tokens = [5, 1500, 2000, 7, 1024];
      const a = await whole.forwardLogits(tokens);
      const b = await split.forwardLogits(tokens);
      for (let t = 0; t < tokens.length; t++) expect(Buffer.from(b[t].buffer).equals(Buffer.from(a[t].buffer))).toBe(true);
      expect(await split.forwardGreedy([2047])).toEqual(await whole.forwardGreedy([2047]));
    } finally {
      whole.destroy();
      split.destroy();
    }
  });
});

describe('device loss', () => {
  it('is reported as GpuError device_lost, and the model loads again on a new device', async () => {
    const { bytes } = testModel({ arch: 'qwen3moe', seed: 5 });
    let lost: GpuError | undefined;
    const first = await openGpu(nodeGpuInstance(), { onLost: (e) => (lost = e) });
    const model = await loadGpuModelOn(first, bytes);
    const before = await model.forwardGreedy([1, 2, 3]);
    first.device.destroy();
    await first.device.lost;
    expect(lost?.code).toBe('device_lost');
    await expect(model.forwardGreedy([4])).rejects.toMatchObject({ code: 'device_lost' });

    const second = await openGpu(nodeGpuInstance());
    const again = await loadGpuModelOn(second, bytes);
    try {
      expect(await again.forwardGreedy([1, 2, 3])).toEqual(before);
    } finally {
      again.destroy();
      second.device.destroy();
    }
  });
});

describe('uncaught GPU errors', () => {
  it('are reported as they happen, and the next forward pass fails with the first of them', async () => {
    const { bytes } = testModel({ arch: 'qwen3moe', seed: 5 });
    const seen: GpuError[] = [];
    const gpu = await openGpu(nodeGpuInstance(), { onError: (e) => seen.push(e) });
    const model = await loadGpuModelOn(gpu, bytes);
    try {
      const before = await model.forwardGreedy([1, 2, 3]);
      // Work outside any error scope that WebGPU rejects: a buffer with no usage.
      gpu.device.createBuffer({ size: 16, usage: 0 });
      await expect(model.forwardGreedy([4])).rejects.toMatchObject({ code: 'validation' });
      expect(seen.map((e) => e.code)).toEqual(['validation']);
      // Reported once: the model runs on.
      model.truncate(0);
      expect(await model.forwardGreedy([1, 2, 3])).toEqual(before);
    } finally {
      model.destroy();
      gpu.device.destroy();
    }
  });
});

describe('attention options for later architectures', () => {
  // qwen3moe's graph with gpt-oss-style attention: sinks on every layer, a 3-token sliding
  // window on even layers.
  const swaArch: ArchDef = {
    ...qwen3moe,
    forward(b, cfg) {
      let x = b.embed();
      for (let il = 0; il < cfg.nLayer; il++) {
        const attn = b.attention(b.rmsNorm(x, layerTensorName(il, 'attnNorm')), il, { qkNorm: 'per_head', qkvBias: false, sinks: true, slidingWindow: il % 2 === 0 ? 3 : undefined });
        const h = b.add(x, attn, 1);
        x = b.add(h, b.moe(b.rmsNorm(h, layerTensorName(il, 'ffnNorm')), il, { gating: 'softmax', normWeights: true, weightsScale: 1, sharedExpert: 'none' }), 1);
      }
      return b.output(b.rmsNorm(x, 'output_norm.weight'));
    },
  };

  it('sinks and a sliding window: GPU equals the CPU reference', async () => {
    const { bytes } = testModel({ arch: 'qwen3moe', seed: 9, sinks: true });
    const cpu = new CpuModel(parseGguf(bytes), bytes, swaArch);
    const plain = CpuModel.fromBytes(bytes);
    const gpu = await loadGpuModel(bytes, { maxTokens: 16, arch: swaArch });
    try {
      const tokens = [3, 17, 200, 45, 9, 100, 101, 102, 250, 251];
      const ref = cpu.forward(tokens);
      const got = await gpu.forwardLogits(tokens);
      for (let t = 0; t < tokens.length; t++) expect(relErr(got[t], ref[t])).toBeLessThan(1e-5);
      // The options change the result (they are not silently ignored).
      expect(relErr(plain.forward(tokens)[9], ref[9])).toBeGreaterThan(1e-3);
    } finally {
      gpu.destroy();
    }
  });
});
