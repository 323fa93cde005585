// Chat vocabularies with a scripted answer, for end-to-end tests of reasoning models: the
// synthetic vocabulary plus a template's special tokens and a real chat template. Random weights
// cannot write a chat format, so the generator is told each token's greedy successor along one
// chain (VocabSpec.successors), starting from the last token of the generation prompt.
// A first-order chain cannot repeat a token: repeated text is spelled with distinct plain pieces.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseGguf } from '../../workers/engine/gguf/reader.ts';
import type { GgufKv } from '../../workers/engine/gguf/types.ts';
import { kv, writeGguf } from '../../reference/gguf/writer.ts';
import { byteToUnicode } from '../../workers/engine/tokenizer/byteLevel.ts';
import { tokenizerFromGguf } from '../../workers/engine/tokenizer/index.ts';
import type { Rng } from './random.ts';
import { fixturesDir, syntheticVocab } from './vocab.ts';
import type { VocabSpec } from './vocab.ts';

export interface ChatScript {
  /** Special tokens: [text, GGUF token type] (3 control: hidden; 4 user-defined: rendered). */
  readonly specials: readonly (readonly [string, 3 | 4])[];
  /** Plain tokens the script needs (no merges lead to them, so BPE never produces them). */
  readonly pieces: readonly string[];
  /** The scripted answer, token by token (specials by their text). */
  readonly chain: readonly string[];
  readonly eos: string;
  /** The chat template fixture (../shared/fixtures/chat-templates). */
  readonly template: string;
  /** How the template's generation prompt ends; its last token starts the chain. */
  readonly generationPrompt: string;
  readonly pre: string;
}

/** A plain token's byte-level form (a space is Ġ, a newline Ċ). */
const byteLevel = (s: string): string => Array.from(new TextEncoder().encode(s), (b) => byteToUnicode[b]).join('');

export function scriptedVocab(script: ChatScript, size: number, rng: Rng): VocabSpec {
  const base = syntheticVocab(size - script.specials.length - script.pieces.length, rng);
  const get = (key: string): GgufKv['value'] => base.metadata.find((m) => m.key === key)?.value ?? [];
  const specials = script.specials.map(([t]) => t);
  const tokens = [...(get('tokenizer.ggml.tokens') as string[]), ...script.pieces.map(byteLevel), ...specials];
  const types = [...(get('tokenizer.ggml.token_type') as number[]), ...script.pieces.map(() => 1), ...script.specials.map(([, type]) => type)];
  const id = (t: string): number => {
    const i = tokens.indexOf(specials.includes(t) ? t : byteLevel(t));
    if (i < 0) throw new Error(`scripted vocab: no token ${JSON.stringify(t)}`);
    return i;
  };
  const keep = new Set(['tokenizer.ggml.model', 'tokenizer.ggml.merges', 'tokenizer.ggml.bos_token_id']);
  const metadata: GgufKv[] = [
    ...base.metadata.filter((m) => keep.has(m.key)),
    kv.string('tokenizer.ggml.pre', script.pre),
    kv.strings('tokenizer.ggml.tokens', tokens),
    kv.i32s('tokenizer.ggml.token_type', types),
    kv.u32('tokenizer.ggml.eos_token_id', id(script.eos)),
    kv.string('tokenizer.chat_template', readFileSync(resolve(fixturesDir, 'chat-templates', script.template), 'utf8')),
  ];
  const tokenizer = tokenizerFromGguf(parseGguf(writeGguf({ metadata, tensors: [] })));
  const last = tokenizer.encode(script.generationPrompt, { addSpecial: false, parseSpecial: true }).at(-1);
  if (last === undefined) throw new Error('scripted vocab: empty generation prompt');
  const chain = [last, ...script.chain.map(id)];
  if (new Set(chain).size !== chain.length) throw new Error('scripted vocab: a first-order chain cannot repeat a token');
  const successors = chain.slice(1).map((to, i): [number, number] => [chain[i], to]);
  const predicted = new Set(chain);
  return {
    metadata,
    size: tokens.length,
    special: [...base.special, ...script.specials.map(([t]) => id(t))].filter((t) => !predicted.has(t)),
    successors,
  };
}
