// A chat session on the WebGPU engine with a real vocabulary and chat template: greedy answers
// equal the CPU reference's, and a follow-up turn reuses the KV cache without changing them.

import { describe, expect, it } from 'vitest';
import { openNodeGpu } from '../../scripts/node-webgpu.ts';
import { ChatSession } from '../../workers/engine/chat/session.ts';
import { defaultGenerationParams } from '../../workers/engine/chat/types.ts';
import type { ChatEvent } from '../../workers/engine/chat/types.ts';
import { parseGguf } from '../../workers/engine/gguf/reader.ts';
import { bytesSource } from '../../workers/engine/gguf/sources.ts';
import { weightsFromByteSource } from '../../workers/engine/model/weightSource.ts';
import type { ChatMessage } from '../../workers/engine/template/chatTemplate.ts';
import { cpuGreedy, testModel } from '../helpers/testModels.ts';

const greedy = { ...defaultGenerationParams, temperature: 0, maxTokens: 6 };

async function collect(events: AsyncGenerator<ChatEvent>): Promise<{ tokens: number[]; done: Extract<ChatEvent, { type: 'done' }>; reused: number }> {
  const tokens: number[] = [];
  let reused = -1;
  for await (const e of events) {
    if (e.type === 'prefill') reused = e.reusedTokens;
    if (e.type === 'token') tokens.push(e.token);
    if (e.type === 'done') return { tokens, done: e, reused };
  }
  throw new Error('no done event');
}

describe('ChatSession (qwen2 vocabulary and template)', () => {
  const { bytes } = testModel({ arch: 'qwen2moe', seed: 3, vocab: 'qwen2', nEmbd: 64, nExpertUsed: 3 });
  const load = async (): Promise<ChatSession> => {
    const file = parseGguf(bytes);
    return ChatSession.load(await openNodeGpu(), weightsFromByteSource(file, bytesSource(bytes)), { maxTokens: 16, nCtx: 256 });
  };

  it('greedy answers equal the CPU reference, and follow-ups reuse the cache', async () => {
    const session = await load();
    try {
      const turn1: ChatMessage[] = [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Name a colour.' },
      ];
      const prompt = session.promptTokens(turn1);
      expect(session.tokenizer.decode(prompt, { special: true })).toContain('<|im_start|>user\nName a colour.<|im_end|>');
      const a1 = await collect(session.generate(turn1, greedy));
      const ref = cpuGreedy(bytes, prompt, a1.tokens.length || 1).tokens;
      // Stops early only on an end-of-generation token, which is then not emitted.
      expect(a1.tokens).toEqual(ref.slice(0, a1.tokens.length));
      expect(a1.done.stats.submitsPerStep).toBe(1);
      expect(a1.done.stats.readbackBytesPerStep).toBe(4);
      // Plain decoding: one token per step, the step that ends on end-of-generation included.
      expect(a1.done.stats.tokensPerStep).toBe(1);

      const turn2: ChatMessage[] = [...turn1, { role: 'assistant', content: a1.done.fullText }, { role: 'user', content: 'Another.' }];
      const a2 = await collect(session.generate(turn2, greedy));
      expect(a2.reused).toBeGreaterThan(prompt.length - 2);

      const fresh = await load();
      try {
        const b2 = await collect(fresh.generate(turn2, greedy));
        expect(b2.reused).toBe(0);
        expect(a2.tokens).toEqual(b2.tokens);
      } finally {
        fresh.destroy();
      }
    } finally {
      session.destroy();
    }
  });

  it('profile: the answer is the same, and its stats time the prompt pass and a decode step per kernel class', async () => {
    const session = await load();
    try {
      const msgs: ChatMessage[] = [{ role: 'user', content: 'Name a colour.' }];
      const params = { ...greedy, maxTokens: 4 };
      const plain = await collect(session.generate(msgs, params));
      const profiled = await collect(session.generate(msgs, { ...params, profile: true }));
      expect(profiled.tokens).toEqual(plain.tokens);
      expect(plain.done.stats.profile).toBeUndefined();
      const p = profiled.done.stats.profile;
      expect(p?.prefill?.dispatches.qkv).toBe(session.model.cfg.nLayer);
      expect(p?.prefill?.gpuMs).toBeGreaterThan(0);
      if (profiled.tokens.length > 1) expect(p?.decode?.tokens).toBe(1);
      // Off again for the next answer.
      expect(session.model.lastProfile).toBeUndefined();
    } finally {
      session.destroy();
    }
  });

  it('sampling is reproducible for a seed and stops on abort', async () => {
    const session = await load();
    try {
      const msgs: ChatMessage[] = [{ role: 'user', content: 'Hello' }];
      const params = { ...defaultGenerationParams, temperature: 0.9, seed: 42, maxTokens: 3 };
      const a = await collect(session.generate(msgs, params));
      const b = await collect(session.generate(msgs, params));
      expect(a.tokens).toEqual(b.tokens);
      expect(a.done.stats.readbackBytesPerStep).toBe(4 + 8 * 40);
      const routed: number[][][] = [];
      for await (const e of session.generate(msgs, { ...params, routing: true })) if (e.type === 'routing') routed.push(e.experts);
      expect(routed.length).toBeGreaterThan(0);
      for (const experts of routed) {
        expect(experts).toHaveLength(session.model.cfg.nLayer);
        for (const layer of experts) expect(new Set(layer).size).toBe(session.model.cfg.nExpertUsed);
      }
      const ctrl = new AbortController();
      ctrl.abort();
      const c = await collect(session.generate(msgs, params, ctrl.signal));
      expect(c.done.stopReason).toBe('abort');
      expect(c.tokens).toEqual([]);
    } finally {
      session.destroy();
    }
  });
});
