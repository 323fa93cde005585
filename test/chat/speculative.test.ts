// Speculative decoding with n-gram drafts: token for token the same output as plain greedy
// decoding (batch invariance makes verification exact), with several tokens per step when
// the answer repeats the context.

import { describe, expect, it, vi } from 'vitest';
import { openNodeGpu } from '../../scripts/node-webgpu.ts';
import { NgramDrafter } from '../../workers/engine/decode/drafter.ts';
import { Speculator } from '../../workers/engine/decode/speculator.ts';
import { GpuModel } from '../../workers/engine/gpu/model.ts';
import type { Drafter } from '../../workers/engine/decode/drafter.ts';
import { ChatSession } from '../../workers/engine/chat/session.ts';
import { defaultGenerationParams } from '../../workers/engine/chat/types.ts';
import type { ChatEvent, ChatStats } from '../../workers/engine/chat/types.ts';
import { parseGguf } from '../../workers/engine/gguf/reader.ts';
import { bytesSource } from '../../workers/engine/gguf/sources.ts';
import { weightsFromByteSource } from '../../workers/engine/model/weightSource.ts';
import { Rng } from '../../scripts/model-gen/random.ts';
import { testModel } from '../helpers/testModels.ts';

async function run(events: AsyncGenerator<ChatEvent>): Promise<{ tokens: number[]; stats: ChatStats }> {
  const tokens: number[] = [];
  for await (const e of events) {
    if (e.type === 'token') tokens.push(e.token);
    if (e.type === 'done') return { tokens, stats: e.stats };
  }
  throw new Error('no done event');
}

describe('NgramDrafter', () => {
  it('proposes what followed the latest earlier occurrence of the longest suffix', () => {
    const d = new NgramDrafter(3, 1);
    expect(d.lookup([1, 2, 3, 9, 1, 2, 3, 7, 5, 1, 2, 3], 2)).toEqual([7, 5]);
    expect(d.lookup([4, 5, 6, 4], 3)).toEqual([5, 6, 4]);
    expect(d.lookup([1, 2, 3], 4)).toEqual([]);
  });

  it('files each proposal under the length of its match', () => {
    const d = new NgramDrafter(3, 1);
    expect(d.draft({ history: [1, 2, 3, 9, 1, 2, 3], k: 2 })).toEqual({ tokens: [9, 1], evidence: 'ngram:3' });
    expect(d.draft({ history: [4, 5, 6, 4], k: 2 })).toEqual({ tokens: [5, 6], evidence: 'ngram:1' });
    expect(d.draft({ history: [1, 2, 3], k: 2 })).toEqual({ tokens: [], evidence: 'ngram:0' });
  });
});

describe('speculative decoding', () => {
  it('equals plain greedy decoding on 20 prompts, with several tokens per step', async () => {
    const { bytes } = testModel({ arch: 'qwen3moe', seed: 11, nLayer: 2 });
    const file = parseGguf(bytes);
    const load = async (): Promise<ChatSession> => ChatSession.load(await openNodeGpu(), weightsFromByteSource(file, bytesSource(bytes)), { maxTokens: 16, nCtx: 256 });
    const plain = await load();
    const spec = await load();
    const rng = new Rng(3);
    let accepted = 0;
    try {
      for (let i = 0; i < 20; i++) {
        // Repetitive text gives the n-gram drafter something to find.
        const words = Array.from({ length: 4 }, () => 'abcdefgh'.slice(rng.int(4), 4 + rng.int(4)));
        const content = `${words.join(' ')} ${words.join(' ')} ${words.slice(0, 2).join(' ')}`;
        const msgs = [{ role: 'user' as const, content }];
        const params = { ...defaultGenerationParams, temperature: 0, maxTokens: 12 };
        const a = await run(plain.generate(msgs, params));
        const b = await run(spec.generate(msgs, { ...params, draftMax: 4 }));
        expect(b.tokens, `prompt ${i} (n-gram drafts)`).toEqual(a.tokens);
        // A drafter that knows the answer: every draft accepted, several tokens per step.
        const promptLength = spec.promptTokens(msgs).length;
        const knowing: Drafter = { name: 'oracle', msPerToken: 0, draft: ({ history: h, k }) => ({ tokens: a.tokens.slice(h.length - promptLength, h.length - promptLength + k) }) };
        const c = await run(spec.generate(msgs, { ...params, draftMax: 4 }, undefined, knowing));
        expect(c.tokens, `prompt ${i} (right drafts)`).toEqual(a.tokens);
        if (a.tokens.length === params.maxTokens) {
          expect(c.stats.acceptanceRate).toBe(1);
          expect(c.stats.tokensPerStep).toBeGreaterThan(3);
        }
        // Adversarial drafts (never right) change nothing either.
        const wrong: Drafter = { name: 'adversary', msPerToken: 0, draft: ({ history: h, k }) => ({ tokens: Array.from({ length: k }, (_, j) => (a.tokens[h.length - promptLength + j] ?? 0) ^ 1) }) };
        const d = await run(spec.generate(msgs, { ...params, draftMax: 4 }, undefined, wrong));
        expect(d.tokens, `prompt ${i} (wrong drafts)`).toEqual(a.tokens);
        accepted += c.stats.acceptanceRate;
      }
    } finally {
      plain.destroy();
      spec.destroy();
    }
    expect(accepted).toBeGreaterThan(0);
  });
});

describe('calibration', () => {
  it('measures every pass length the settings allow once, even when fewer drafts fit at first', async () => {
    const { bytes } = testModel({ arch: 'qwen3moe', seed: 11, nLayer: 2 });
    const model = await GpuModel.load(await openNodeGpu(), weightsFromByteSource(parseGguf(bytes), bytesSource(bytes)), { maxTokens: 8, nCtx: 64 });
    try {
      const speculator = new Speculator(model, [new NgramDrafter()]);
      const settings = { mode: 'auto', draftMax: 4, adaptive: false };
      const prompt = [5, 6, 7, 5, 6];
      await model.forwardGreedy(prompt.slice(0, -1));
      const calibrate = vi.spyOn(speculator, 'calibrate');
      // Room for one draft only (the end of the answer is near): still calibrates 1..5 tokens.
      const first = await speculator.step(prompt.slice(-1), prompt, 1, settings);
      expect(calibrate).toHaveBeenCalledTimes(1);
      expect(speculator.planner.calibrated(5)).toBe(true);
      expect(speculator.planner.calibrated(6)).toBe(false);
      // Measured once: later steps, with more room, do not run the passes again.
      await speculator.step(first.tokens.slice(-1), [...prompt, ...first.tokens], 4, settings);
      expect(calibrate).toHaveBeenCalledTimes(1);
    } finally {
      model.destroy();
    }
  });
});
