// The routed-expert cache (gpu/expertSlots.ts): with the experts paged into slots worth 10% and
// 25% of their bytes, every architecture decodes exactly the tokens (the CPU reference's), and
// bit for bit the logits, of the fully resident model, while the cache misses, evicts and re-runs passes; a model whose
// expert tensors exceed one binding runs paged; a model whose download stopped after its dense
// weights runs with its experts read from the Hub as routing needs them.

import { describe, expect, it } from 'vitest';
import { generatorArchs } from '../../scripts/model-gen/generate.ts';
import { openNodeGpu } from '../../scripts/node-webgpu.ts';
import { GpuModel } from '../../workers/engine/gpu/model.ts';
import { parseGguf } from '../../workers/engine/gguf/reader.ts';
import { isExpertRecord } from '../../workers/engine/store/keys.ts';
import { planRecords } from '../../workers/engine/store/plan.ts';
import { gpuGreedy, loadGpuModel } from '../helpers/gpuModels.ts';
import type { HubDouble } from '../helpers/hubDouble.ts';
import { freshDbName, hubSource, RECORD_BYTES, small, storeFor, withHub } from '../store/helpers.ts';
import { cpuGreedy, testModel } from '../helpers/testModels.ts';
import type { Spec } from '../helpers/testModels.ts';

// 12 tokens: a chunk of 8 (up to 16 distinct experts a layer, more than 10%'s 3 slots: it runs
// in halves) and one of 4.
const prompt = [3, 17, 200, 45, 9, 100, 101, 102, 250, 251, 12, 13];

async function run(model: GpuModel): Promise<{ tokens: number[]; logits: Float32Array }> {
  const tokens = await gpuGreedy(model, prompt, 6);
  const logits = (await model.forwardLogits([tokens[5]]))[0];
  return { tokens, logits };
}

const bits = (a: Float32Array): number[] => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe.each(generatorArchs)('%s with paged experts', (arch) => {
  it("decodes exactly as fully resident at 10% and 25% of the experts' bytes", async () => {
    const spec: Spec = {
      arch,
      seed: 11,
      nExpert: 32,
      nExpertUsed: 2,
      // Dense leading layers: one more, so that two layers route.
      nLayer: arch === 'deepseek2' || arch === 'glm4moe' ? 3 : 2,
      nHeadKv: arch === 'olmoe' ? 4 : 2,
      types: { embd: 'Q8_0', attn: 'Q8_0', router: 'F32', experts: 'Q8_0', shexp: 'Q8_0', output: 'Q8_0' },
    };
    const { bytes } = testModel(spec);
    // The trunk's experts only (glm4moe's MTP block pages too, in test/gpu/mtp.test.ts).
    const resident = await loadGpuModel(bytes, { mtp: false });
    const want = await run(resident);
    const all = resident.expertCache;
    resident.destroy();
    expect(all.paged).toBe(false);
    // The ground truth: the CPU reference's greedy tokens.
    expect(want.tokens).toEqual(cpuGreedy(bytes, prompt, want.tokens.length).tokens);
    for (const share of [0.1, 0.25]) {
      const paged = await loadGpuModel(bytes, { expertCacheBytes: Math.floor(share * all.bytes), mtp: false });
      try {
        const got = await run(paged);
        expect(got.tokens, `${share}`).toEqual(want.tokens);
        expect(bits(got.logits)).toEqual(bits(want.logits));
        const c = paged.expertCache;
        expect(c.paged).toBe(true);
        expect(c.slots).toBe(Math.floor(share * 32));
        expect(c.hits).toBeLessThan(c.lookups);
        expect(c.bytesPaged).toBeGreaterThan(c.bytes);
      } finally {
        paged.destroy();
      }
    }
  });
});

describe('paged experts', () => {
  it('run a model whose expert tensors exceed one binding, and refuse a budget under k experts a layer', async () => {
    // 64 experts of 64 × 64 f32: 1 MiB per gate tensor, over a 600 KB binding.
    const { bytes } = testModel({ arch: 'qwen3moe', seed: 12, nExpert: 64, nExpertUsed: 4 });
    // The trunk's experts only (glm4moe's MTP block pages too, in test/gpu/mtp.test.ts).
    const resident = await loadGpuModel(bytes, { mtp: false });
    const want = await run(resident);
    const perExpert = resident.expertCache.bytes / 64;
    resident.destroy();
    // Without a budget: as many slots as a binding holds (600 KB / 2 × 16 KB gate|up = 18).
    const auto = await loadGpuModel(bytes, { maxBindingBytes: 600_000 });
    const paged = await loadGpuModel(bytes, { maxBindingBytes: 600_000, expertCacheBytes: 12 * perExpert });
    try {
      expect(auto.expertCache).toMatchObject({ paged: true, slots: 18 });
      expect((await run(auto)).tokens).toEqual(want.tokens);
      expect((await run(paged)).tokens).toEqual(want.tokens);
    } finally {
      auto.destroy();
      paged.destroy();
    }
    await expect(loadGpuModel(bytes, { maxBindingBytes: 600_000, expertCacheBytes: 40 * perExpert })).rejects.toMatchObject({ code: 'too_large' });
    await expect(loadGpuModel(bytes, { expertCacheBytes: 3 * perExpert })).rejects.toMatchObject({ code: 'too_large' });
  });
});

describe('a model still downloading', () => {
  let hub: HubDouble;
  withHub((h) => (hub = h));

  it('runs once its dense weights are stored, reading experts from the Hub, with the tokens of the whole file', async () => {
    const store = storeFor(hub, freshDbName());
    const dense = planRecords(parseGguf(small), RECORD_BYTES).filter((r) => !isExpertRecord(r.key)).length;
    const ctl = new AbortController();
    await expect(store.download('tiny', hubSource, { signal: ctl.signal, onProgress: (p) => p.recordsDone >= dense + 2 && ctl.abort() })).rejects.toMatchObject({ code: 'aborted' });
    const whole = await loadGpuModel(small);
    const want = await run(whole);
    whole.destroy();
    hub.resetStats();
    const model = await GpuModel.load(await openNodeGpu(), await store.openProgressive('tiny'), { maxTokens: 8, nCtx: 64, kvCache: 'f32', lazyExperts: true });
    try {
      expect(model.expertCache).toMatchObject({ paged: true, slots: 8, bytesPaged: 0 });
      expect(await run(model)).toEqual(want);
      expect(model.expertCache.bytesPaged).toBeGreaterThan(0);
      expect(hub.stats.cdnRequests).toBeGreaterThan(0);
    } finally {
      model.destroy();
    }
  });
});
