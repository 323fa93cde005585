// The shipped demo model (public/models/pakar-demo-q8_0.gguf, trained by scripts/train-demo):
// n-gram speculative decoding accepts ≥ 2 tokens per step on the held-out editing prompts
// (whose answers copy the prompt), and answers them as well as plain decoding. The plain greedy
// answers are checked right (≥ 90%) and equal to llama.cpp's in demoOracle.test.ts.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openNodeGpu } from '../../scripts/node-webgpu.ts';
import { ChatSession } from '../../workers/engine/chat/session.ts';
import { defaultGenerationParams } from '../../workers/engine/chat/types.ts';
import type { ChatEvent, ChatStats } from '../../workers/engine/chat/types.ts';
import { parseGguf } from '../../workers/engine/gguf/reader.ts';
import { bytesSource } from '../../workers/engine/gguf/sources.ts';
import { weightsFromByteSource } from '../../workers/engine/model/weightSource.ts';
import { DEMO_MODEL_PATH, demoModelShipped, heldoutPrompts } from '../helpers/demoModel.ts';

const greedy = { ...defaultGenerationParams, temperature: 0, maxTokens: 32, draftMax: 8 };

async function answer(events: AsyncGenerator<ChatEvent>): Promise<{ text: string; stats: ChatStats }> {
  for await (const e of events) if (e.type === 'done') return { text: e.fullText, stats: e.stats };
  throw new Error('no done event');
}

describe.skipIf(!demoModelShipped)('Pakar Demo (the bundled model)', () => {
  it('speculates ≥ 2 tokens per step on the held-out edits, ≥ 90% of them right', async () => {
    const bytes = new Uint8Array(readFileSync(DEMO_MODEL_PATH));
    const file = parseGguf(bytes);
    const session = await ChatSession.load(await openNodeGpu(), weightsFromByteSource(file, bytesSource(bytes)), { maxTokens: 16, nCtx: 256, kvCache: 'f32' });
    const prompts = heldoutPrompts().filter((p) => p.category !== 'arithmetic');
    expect(prompts.length).toBeGreaterThanOrEqual(25);
    const right = new Map<string, [number, number]>();
    let editTokens = 0;
    let editSteps = 0;
    const wrong: string[] = [];
    try {
      for (const p of prompts) {
        const { text, stats } = await answer(session.generate([{ role: 'user', content: p.prompt }], greedy));
        const [ok, n] = right.get(p.category) ?? [0, 0];
        right.set(p.category, [ok + (text === p.answer ? 1 : 0), n + 1]);
        if (text !== p.answer) wrong.push(`${p.prompt} → ${JSON.stringify(text)} (want ${p.answer})`);
        editTokens += stats.generatedTokens;
        editSteps += stats.generatedTokens / stats.tokensPerStep;
      }
    } finally {
      session.model.destroy();
    }
    const total = [...right.values()].reduce((a, [ok]) => a + ok, 0);
    const accuracy = total / prompts.length;
    console.log(JSON.stringify({ accuracy, perCategory: Object.fromEntries(right), editTokensPerStep: editTokens / editSteps, wrong }));
    expect(accuracy).toBeGreaterThanOrEqual(0.9);
    expect(editTokens / editSteps).toBeGreaterThanOrEqual(2);
  }, 300_000);
});
