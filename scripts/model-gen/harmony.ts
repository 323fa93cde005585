// A gpt-oss chat vocabulary for end-to-end tests: the synthetic vocabulary plus the harmony
// special tokens, gpt-oss's chat template, and a scripted answer. Random weights cannot write
// harmony, so the generator is told each token's successor along one chain (VocabSpec.successors):
// after the prompt's `<|start|>assistant` the greedy model writes
//   <|channel|>analysis<|message|> The user says hi.<|end|><|start|>assistant<|channel|>final<|message|> Hello there!<|return|>
// A first-order chain cannot repeat a token, so the second message's header is spelled with
// plain pieces (`<|chan`, `nel|>`, ...) that detokenize to the same text, and its `assistant` is
// a whole-word token that BPE never produces from the prompt.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseGguf } from '../../workers/engine/gguf/reader.ts';
import type { GgufKv } from '../../workers/engine/gguf/types.ts';
import { kv, writeGguf } from '../../workers/engine/gguf/writer.ts';
import { byteToUnicode } from '../../workers/engine/tokenizer/byteLevel.ts';
import { tokenizerFromGguf } from '../../workers/engine/tokenizer/index.ts';
import type { Rng } from './random.ts';
import { fixturesDir, syntheticVocab } from './vocab.ts';
import type { VocabSpec } from './vocab.ts';

const SPECIALS = ['<|start|>', '<|end|>', '<|message|>', '<|channel|>', '<|return|>', '<|call|>', '<|constrain|>'] as const;
/** Plain tokens of the scripted answer (byte-level: a space is Ġ). */
const PIECES = ['analysis', 'final', 'assistant', '<|chan', 'nel|>', '<|mes', 'sage|>', ' The', ' user', ' says', ' hi.', ' Hello', ' there!'] as const;
/** The scripted answer, after the prompt's last token. */
const CHAIN = [
  '<|channel|>', 'analysis', '<|message|>', ' The', ' user', ' says', ' hi.', '<|end|>',
  '<|start|>', 'assistant', '<|chan', 'nel|>', 'final', '<|mes', 'sage|>', ' Hello', ' there!', '<|return|>',
] as const;

/** What the scripted answer reads as, split into reasoning and answer. */
export const harmonyScript = { reasoning: 'The user says hi.', answer: 'Hello there!', tokens: CHAIN.length } as const;

const byteLevel = (s: string): string => Array.from(new TextEncoder().encode(s), (b) => byteToUnicode[b]).join('');

export function harmonyVocab(size: number, rng: Rng): VocabSpec {
  const base = syntheticVocab(size - SPECIALS.length - PIECES.length, rng);
  const get = (key: string): GgufKv['value'] => base.metadata.find((m) => m.key === key)?.value ?? [];
  const tokens = [...(get('tokenizer.ggml.tokens') as string[]), ...PIECES.map(byteLevel), ...SPECIALS];
  const types = [...(get('tokenizer.ggml.token_type') as number[]), ...PIECES.map(() => 1), ...SPECIALS.map(() => 3)];
  const id = (t: string): number => {
    const i = tokens.indexOf(t.startsWith('<|') && t.endsWith('|>') ? t : byteLevel(t));
    if (i < 0) throw new Error(`harmony vocab: no token ${t}`);
    return i;
  };
  const keep = new Set(['tokenizer.ggml.merges', 'tokenizer.ggml.bos_token_id']);
  const metadata: GgufKv[] = [
    ...base.metadata.filter((m) => keep.has(m.key) || m.key === 'tokenizer.ggml.model'),
    kv.string('tokenizer.ggml.pre', 'gpt-4o'),
    kv.strings('tokenizer.ggml.tokens', tokens),
    kv.i32s('tokenizer.ggml.token_type', types),
    kv.u32('tokenizer.ggml.eos_token_id', id('<|return|>')),
    kv.string('tokenizer.chat_template', readFileSync(resolve(fixturesDir, 'chat-templates', 'openai-gpt-oss-120b.jinja'), 'utf8')),
  ];
  // The prompt ends with the generation prompt `<|start|>assistant`, in BPE pieces.
  const tokenizer = tokenizerFromGguf(parseGguf(writeGguf({ metadata, tensors: [] })));
  const last = tokenizer.encode('<|start|>assistant', { addSpecial: false, parseSpecial: true }).at(-1);
  if (last === undefined) throw new Error('harmony vocab: empty generation prompt');
  const chain = [last, ...CHAIN.map(id)];
  const successors = chain.slice(1).map((to, i): [number, number] => [chain[i], to]);
  const predicted = new Set(chain);
  return {
    metadata,
    size: tokens.length,
    special: [...base.special, ...SPECIALS.map(id)].filter((t) => !predicted.has(t)),
    successors,
  };
}
