// Chat prompts for speculative decoding on a trained chat model (Pakar Demo): one that copies
// its input, one that edits it (both held-out prompts it never trained on), and a free answer.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chatPromptTokens, chatTemplateOf } from '../../workers/engine/chat/chatPrompt.ts';
import type { GgufFile } from '../../workers/engine/gguf/types.ts';
import { tokenizerFromGguf } from '../../workers/engine/tokenizer/index.ts';
import type { BenchPrompt } from './speculative.ts';

interface Heldout {
  readonly prompt: string;
  readonly category: string;
}

export function chatBenchPrompts(file: GgufFile): { prompts: BenchPrompt[]; isEog: (id: number) => boolean } {
  const heldout = JSON.parse(readFileSync(resolve(import.meta.dirname, '../train-demo/heldout.json'), 'utf8')) as Heldout[];
  const first = (category: string): string => {
    const h = heldout.find((p) => p.category === category);
    if (!h) throw new Error(`no held-out ${category} prompt`);
    return h.prompt;
  };
  const tokenizer = tokenizerFromGguf(file);
  const template = chatTemplateOf(file);
  const texts: [BenchPrompt['prompt'], string][] = [
    ['copy', first('repeat')],
    ['edit', first('replace')],
    ['free', 'What can you do?'],
  ];
  return {
    prompts: texts.map(([prompt, text]) => ({ prompt, text, tokens: chatPromptTokens(tokenizer, template, [{ role: 'user', content: text }]) })),
    isEog: (id) => tokenizer.isEog(id),
  };
}
