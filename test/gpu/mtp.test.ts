// The multi-token-prediction (NextN) block on WebGPU against the CPU reference, on generated
// glm4moe, qwen3next, qwen35moe and deepseek2 models: the first draft (the trunk's state at the last cached position joined with
// the token after it) and chained drafts (the block's own state and the previous draft), the
// block's KV entries filled as the trunk runs, also over a prompt longer than the state ring,
// after the cache goes back, and with paged experts.

import { describe, expect, it } from 'vitest';
import { CpuModel } from '../../reference/cpu/model.ts';
import type { TopCandidates } from '../../workers/engine/decode/stepModel.ts';
import type { GgmlTypeName } from '../../workers/engine/quant/types.ts';
import type { GpuModelOptions } from '../../workers/engine/gpu/model.ts';
import { loadGpuModel } from '../helpers/gpuModels.ts';
import { deepseek2Cases } from '../helpers/deepseek2Cases.ts';
import { testModel } from '../helpers/testModels.ts';
import type { Spec } from '../helpers/testModels.ts';

function top(logits: Float32Array, k: number): number[] {
  return Array.from(logits.keys())
    .sort((a, b) => logits[b] - logits[a] || a - b)
    .slice(0, k);
}

function expectCandidates(got: TopCandidates | undefined, want: Float32Array, tol: number, label: string): void {
  expect(got, label).toBeDefined();
  const ids = top(want, 8);
  expect(got?.ids.slice(0, 3), label).toEqual(ids.slice(0, 3));
  got?.ids.slice(0, 8).forEach((id, i) => expect(Math.abs((got.logits[i] ?? 0) - want[id]), `${label}: logit of ${id}`).toBeLessThan(tol));
}

const types = (t: GgmlTypeName): Spec['types'] => ({ embd: t, attn: t, router: 'F32', experts: t, shexp: t, output: t });
const models: [string, Spec, number][] = [
  ['glm4moe F32', { arch: 'glm4moe', seed: 31, nLayer: 2, types: types('F32') }, 1e-3],
  ['glm4moe Q8_0', { arch: 'glm4moe', seed: 31, nLayer: 2, types: types('Q8_0') }, 1e-2],
  // DeepSeek-V3's shape: MLA with q-LoRA, V3 routing; the MTP block's latent cache is one more layer.
  // The hybrids' NextN block is gated full attention; the trunk below it keeps DeltaNet state.
  ['qwen3next F32', { arch: 'qwen3next', seed: 31, nLayer: 2, types: types('F32') }, 1e-3],
  ['qwen35moe Q8_0', { arch: 'qwen35moe', seed: 31, nLayer: 2, types: types('Q8_0') }, 1e-2],
  ['deepseek2 F32', deepseek2Cases.find((c) => c.spec.deepseek2?.nextn === 1 && c.spec.types?.attn === 'F32')?.spec ?? { arch: 'deepseek2' }, 1e-3],
];

describe.each(models)('%s: the MTP block on the GPU equals the CPU reference', (_, spec, tol) => {
  const { bytes } = testModel(spec);
  // 13 tokens through passes of 4: the ring (5 states) is read before each pass overwrites it.
  const prompt = [5, 80, 17, 200, 45, 9, 100, 101, 3, 77, 140, 18, 60];

  it('first and chained drafts, after a long prefill', async () => {
    const cpu = CpuModel.fromBytes(bytes);
    cpu.forward(prompt);
    const pending = 42;
    const first = cpu.forwardMtp(cpu.lastHidden, [...prompt.slice(1), pending]);
    const d1 = top(first.logits.at(-1) ?? new Float32Array(), 1)[0];
    const second = cpu.forwardMtp(first.hidden.slice(-1), [d1]);

    const gpu = await loadGpuModel(bytes, { maxTokens: 4 });
    try {
      expect(gpu.mtpUnavailable).toBeUndefined();
      await gpu.forwardGreedyLast(prompt);
      expectCandidates(await gpu.mtpTop(pending, 8), first.logits.at(-1) ?? new Float32Array(), tol, 'first draft');
      expectCandidates(await gpu.mtpTop(d1, 8), second.logits[0], tol, 'chained draft');
      // A trunk pass ends the chain: the next draft starts from the trunk again.
      gpu.truncate(prompt.length);
      expect(await gpu.mtpGreedy(pending)).toBe(d1);
      // k drafts in one submit are the chain of k single predictions.
      gpu.truncate(prompt.length);
      const one: number[] = [];
      for (let t = pending; one.length < 4; one.push(t)) t = (await gpu.mtpGreedy(t)) ?? -1;
      gpu.truncate(prompt.length);
      expect(await gpu.mtpGreedyDraft(pending, 4)).toEqual(one);
    } finally {
      gpu.destroy();
    }
  });

  it('rolls back with the trunk, and drafts nothing once the state it needs is gone', async () => {
    const gpu = await loadGpuModel(bytes, { maxTokens: 4 });
    const cpu = CpuModel.fromBytes(bytes);
    try {
      await gpu.forwardGreedyLast(prompt);
      // Back 2 positions (within the ring), another continuation: the entries follow it.
      gpu.truncate(prompt.length - 2);
      const other = [...prompt.slice(0, -2), 7, 8];
      await gpu.forwardGreedyLast([7, 8]);
      cpu.forward(other);
      const want = cpu.forwardMtp(cpu.lastHidden, [...other.slice(1), 9]).logits.at(-1) ?? new Float32Array();
      expectCandidates(await gpu.mtpTop(9, 8), want, tol, 'after going back');
      // Back further than the ring holds: the state at the new end is gone, no draft; one pass brings it back.
      gpu.truncate(3);
      expect(await gpu.mtpGreedy(9)).toBeUndefined();
      await gpu.forwardGreedyLast([9]);
      expect(await gpu.mtpGreedy(10)).toBeTypeOf('number');
    } finally {
      gpu.destroy();
    }
  });
});

describe('the MTP block with paged experts', () => {
  it('drafts as with every expert resident, its experts loaded as it chooses them', async () => {
    const { bytes } = testModel(models[1][1]);
    const prompt = [5, 80, 17, 200, 45, 9, 100, 101, 3];
    const drafts = async (opts: GpuModelOptions): Promise<{ tokens: number[]; paged: boolean }> => {
      const gpu = await loadGpuModel(bytes, { maxTokens: 4, ...opts });
      try {
        expect(gpu.mtpUnavailable).toBeUndefined();
        await gpu.forwardGreedyLast(prompt);
        const tokens: number[] = [];
        let next = 42;
        for (let i = 0; i < 4; i++) tokens.push((next = (await gpu.mtpGreedy(next)) ?? -1));
        return { tokens, paged: gpu.expertCache.paged };
      } finally {
        gpu.destroy();
      }
    };
    const resident = await drafts({});
    // Nothing uploaded up front (a model still downloading): every expert comes in as chosen.
    const lazy = await drafts({ lazyExperts: true });
    expect(resident.paged).toBe(false);
    expect(lazy.paged).toBe(true);
    expect(lazy.tokens).toEqual(resident.tokens);
  });
});

describe('models without an MTP block the GPU runs', () => {
  it('say why', async () => {
    const plain = await loadGpuModel(testModel({ arch: 'qwen3moe', seed: 3, nLayer: 2 }).bytes);
    const off = await loadGpuModel(testModel(models[0][1]).bytes, { mtp: false });
    try {
      expect(plain.mtpUnavailable).toMatch(/no multi-token-prediction/);
      expect(off.mtpUnavailable).toMatch(/not loaded/);
      await expect(plain.mtpGreedy(1)).rejects.toThrow(/no MTP drafter/);
    } finally {
      plain.destroy();
      off.destroy();
    }
  });
});
