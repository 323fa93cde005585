// Pakar's WebGPU engine on the held-out prompts: greedy accuracy per category, the tokens per
// decode step that n-gram speculative decoding reaches on the editing prompts, and what drafting
// with the model's own MTP block reaches on every prompt (tokens per step, acceptance); both
// must give plain decoding's answers.
//
//   npx tsx --import ./scripts/wgsl-loader.ts scripts/train-demo/eval.ts --model public/models/pakar-demo-q8_0.gguf

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openNodeGpu } from '../node-webgpu.ts';
import { ChatSession } from '../../workers/engine/chat/session.ts';
import { defaultGenerationParams } from '../../workers/engine/chat/types.ts';
import type { ChatStats, GenerationParams } from '../../workers/engine/chat/types.ts';
import { parseGguf } from '../../workers/engine/gguf/reader.ts';
import { bytesSource } from '../../workers/engine/gguf/sources.ts';
import { weightsFromByteSource } from '../../workers/engine/model/weightSource.ts';

interface Heldout {
  prompt: string;
  answer: string;
  category: string;
}

const { values: v } = parseArgs({ options: { model: { type: 'string' }, 'draft-max': { type: 'string' } }, strict: true });
if (!v.model) {
  console.error('usage: eval.ts --model FILE.gguf [--draft-max 8]');
  process.exit(1);
}
const heldout = JSON.parse(readFileSync(resolve(import.meta.dirname, 'heldout.json'), 'utf8')) as Heldout[];
const bytes = new Uint8Array(readFileSync(v.model));
const session = await ChatSession.load(await openNodeGpu(), weightsFromByteSource(parseGguf(bytes), bytesSource(bytes)), { maxTokens: 16, nCtx: 256, kvCache: 'f32' });
const plain = { ...defaultGenerationParams, temperature: 0, maxTokens: 32 };
const draftMax = Number(v['draft-max'] ?? '8');
const perCategory: Record<string, { right: number; total: number }> = {};
/** Generated tokens and decode steps (tokens ÷ tokens per step), drafted and accepted, per drafter. */
const spec = { ngram: { tokens: 0, steps: 0, drafted: 0, accepted: 0 }, mtp: { tokens: 0, steps: 0, drafted: 0, accepted: 0 } };
let differ = 0;
const started = performance.now();
const answer = async (prompt: string, params: GenerationParams): Promise<{ text: string; stats: ChatStats }> => {
  for await (const e of session.generate([{ role: 'user', content: prompt }], params)) if (e.type === 'done') return { text: e.fullText, stats: e.stats };
  throw new Error('no done event');
};
for (const h of heldout) {
  const { text } = await answer(h.prompt, plain);
  const c = (perCategory[h.category] ??= { right: 0, total: 0 });
  c.total++;
  if (text === h.answer) c.right++;
  else console.log(JSON.stringify({ prompt: h.prompt, got: text, want: h.answer }));
  for (const drafter of ['ngram', 'mtp'] as const) {
    // n-gram lookup has nothing to copy in an arithmetic answer.
    if (drafter === 'ngram' && h.category === 'arithmetic') continue;
    const r = await answer(h.prompt, { ...plain, speculative: drafter, draftMax });
    if (r.text !== text) differ++;
    const t = spec[drafter];
    t.tokens += r.stats.generatedTokens;
    t.steps += r.stats.generatedTokens / r.stats.tokensPerStep;
    const drafted = r.stats.draftLength * (r.stats.generatedTokens / r.stats.tokensPerStep);
    t.drafted += drafted;
    t.accepted += r.stats.acceptanceRate * drafted;
  }
}
const right = Object.values(perCategory).reduce((a, c) => a + c.right, 0);
const summary = (t: (typeof spec)['mtp']): { tokensPerStep: number; acceptance: number } => ({ tokensPerStep: t.tokens / t.steps, acceptance: t.drafted > 0 ? t.accepted / t.drafted : 0 });
console.log(
  JSON.stringify({
    accuracy: right / heldout.length,
    perCategory,
    editNgram: summary(spec.ngram),
    mtp: summary(spec.mtp),
    speculativeAnswersDiffering: differ,
    seconds: (performance.now() - started) / 1000,
  }),
);
session.model.destroy();
process.exit(0);
