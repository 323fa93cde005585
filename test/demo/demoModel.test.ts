// The shipped demo model (public/models/pakar-demo-q8_0.gguf, trained by scripts/train-demo):
// n-gram speculative decoding accepts ≥ 2 tokens per step on the held-out editing prompts
// (whose answers copy the prompt), and answers them as well as plain decoding; its own MTP
// head drafts free answers (what it learnt, nothing to copy from the prompt) at ≥ 1.7 tokens
// per verifying pass with ≥ 0.7 of its drafts accepted (3 drafts a step: 3.44 and 0.82 when
// this was written; 4 drafts give 3.76 at 0.70, the head being trained one token ahead), the
// answers plain decoding's. The plain greedy
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

/** Answers from what the demo learnt (scripts/train-demo/data.py's facts and word tasks): nothing in them to copy from the prompt. */
const freePrompts = [
  'What is Pakar?',
  'Who are you?',
  'What can you do?',
  'Does Pakar need the internet?',
  'What does Pakar mean?',
  'How big are you?',
  'Where do you run?',
  'Hello',
  'Count from 3 to 9.',
  'Spell window.',
  'Reverse flower.',
];

async function loadDemo(): Promise<ChatSession> {
  const bytes = new Uint8Array(readFileSync(DEMO_MODEL_PATH));
  return ChatSession.load(await openNodeGpu(), weightsFromByteSource(parseGguf(bytes), bytesSource(bytes)), { maxTokens: 16, nCtx: 256, kvCache: 'f32' });
}

describe.skipIf(!demoModelShipped)('Pakar Demo (the bundled model)', () => {
  it('drafts its free answers with its own MTP head: ≥ 1.7 tokens per pass, ≥ 0.7 accepted, the plain answers', async () => {
    const session = await loadDemo();
    const prompts = freePrompts.map((prompt) => ({ prompt }));
    let tokens = 0;
    let steps = 0;
    let drafted = 0;
    let accepted = 0;
    try {
      for (const p of prompts) {
        const plain = await answer(session.generate([{ role: 'user', content: p.prompt }], { ...greedy, maxTokens: 48, draftMax: 0 }));
        const { text, stats } = await answer(session.generate([{ role: 'user', content: p.prompt }], { ...greedy, maxTokens: 48, speculative: 'mtp', draftMax: 3 }));
        expect(text, p.prompt).toBe(plain.text);
        const n = stats.generatedTokens / stats.tokensPerStep;
        tokens += stats.generatedTokens;
        steps += n;
        drafted += stats.draftLength * n;
        accepted += stats.acceptanceRate * stats.draftLength * n;
      }
    } finally {
      session.model.destroy();
    }
    console.log(JSON.stringify({ mtpTokensPerStep: tokens / steps, mtpAcceptance: accepted / drafted }));
    expect(tokens / steps).toBeGreaterThanOrEqual(1.7);
    expect(accepted / drafted).toBeGreaterThanOrEqual(0.7);
  }, 300_000);

  it('speculates ≥ 2 tokens per step on the held-out edits, ≥ 90% of them right', async () => {
    const session = await loadDemo();
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
