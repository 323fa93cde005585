// Pakar's WebGPU engine on the held-out prompts: greedy accuracy per category, and the tokens per
// decode step that n-gram speculative decoding reaches on the editing prompts.
//
//   npx tsx --import ./scripts/wgsl-loader.ts scripts/train-demo/eval.ts --model public/models/pakar-demo-q8_0.gguf

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openNodeGpu } from '../node-webgpu.ts';
import { ChatSession } from '../../workers/engine/chat/session.ts';
import { defaultGenerationParams } from '../../workers/engine/chat/types.ts';
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
const params = { ...defaultGenerationParams, temperature: 0, maxTokens: 32, draftMax: Number(v['draft-max'] ?? '8') };
const perCategory: Record<string, { right: number; total: number }> = {};
let editTokens = 0;
let editSteps = 0;
const started = performance.now();
for (const h of heldout) {
  let text = '';
  for await (const e of session.generate([{ role: 'user', content: h.prompt }], params)) {
    if (e.type !== 'done') continue;
    text = e.fullText;
    if (h.category !== 'arithmetic') {
      editTokens += e.stats.generatedTokens;
      editSteps += e.stats.generatedTokens / e.stats.tokensPerStep;
    }
  }
  const c = (perCategory[h.category] ??= { right: 0, total: 0 });
  c.total++;
  if (text === h.answer) c.right++;
  else console.log(JSON.stringify({ prompt: h.prompt, got: text, want: h.answer }));
}
const right = Object.values(perCategory).reduce((a, c) => a + c.right, 0);
console.log(JSON.stringify({ accuracy: right / heldout.length, perCategory, editTokensPerStep: editTokens / editSteps, seconds: (performance.now() - started) / 1000 }));
session.model.destroy();
process.exit(0);
