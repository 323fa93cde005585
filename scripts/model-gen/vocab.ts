// Vocabularies for generated models: a small synthetic byte-level BPE vocabulary, or the
// tokenizer of a real vocab fixture (`../shared/fixtures/vocab/ggml-vocab-NAME.gguf`).

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseGguf } from '../../workers/engine/gguf/reader.ts';
import type { GgufKv } from '../../workers/engine/gguf/types.ts';
import { kv } from '../../reference/gguf/writer.ts';
import { byteToUnicode } from '../../workers/engine/tokenizer/byteLevel.ts';
import type { Rng } from './random.ts';

export const fixturesDir = resolve(import.meta.dirname, '../../../shared/fixtures');

export interface VocabSpec {
  readonly metadata: GgufKv[];
  readonly size: number;
  /** Ids the model should never predict (control tokens). */
  readonly special: number[];
  /** [token, next]: the greedy successor the output projection must give these tokens (a scripted answer). */
  readonly successors?: readonly (readonly [number, number])[];
}

/**
 * `size` tokens: the 256 byte tokens, then merges of common letters, then `<|endoftext|>`
 * (bos = eos). A valid GPT-2 style vocabulary that llama.cpp and our tokenizer both load.
 */
export function syntheticVocab(size: number, rng: Rng): VocabSpec {
  const tokens = Array.from({ length: 256 }, (_, b) => byteToUnicode[b]);
  const seen = new Set(tokens);
  const merges: string[] = [];
  const letters = 'etaoinshrdlucmfwypvbgk '.split('').map((c) => byteToUnicode[c.charCodeAt(0)]);
  const pool = [...letters];
  while (tokens.length < size - 1) {
    const a = pool[rng.int(pool.length)];
    const b = letters[rng.int(letters.length)];
    if (seen.has(a + b) || (a + b).length > 8) continue;
    seen.add(a + b);
    tokens.push(a + b);
    merges.push(`${a} ${b}`);
    pool.push(a + b);
  }
  const eos = tokens.length;
  tokens.push('<|endoftext|>');
  const types = tokens.map((_, i) => (i === eos ? 3 : 1));
  return {
    size: tokens.length,
    special: [eos],
    metadata: [
      kv.string('tokenizer.ggml.model', 'gpt2'),
      kv.string('tokenizer.ggml.pre', 'gpt-2'),
      kv.strings('tokenizer.ggml.tokens', tokens),
      kv.i32s('tokenizer.ggml.token_type', types),
      kv.strings('tokenizer.ggml.merges', merges),
      kv.u32('tokenizer.ggml.bos_token_id', eos),
      kv.u32('tokenizer.ggml.eos_token_id', eos),
    ],
  };
}

/** The `tokenizer.*` metadata of a real vocab fixture, e.g. `qwen2` or `llama-spm`. */
export function fixtureVocab(name: string): VocabSpec {
  const file = parseGguf(new Uint8Array(readFileSync(resolve(fixturesDir, 'vocab', `ggml-vocab-${name}.gguf`))));
  const metadata = [...file.metadata.values()].filter((m) => m.key.startsWith('tokenizer.'));
  const tokens = file.metadata.get('tokenizer.ggml.tokens')?.value;
  const types = file.metadata.get('tokenizer.ggml.token_type')?.value;
  if (!Array.isArray(tokens)) throw new Error(`vocab fixture ${name} has no tokens`);
  const special = Array.isArray(types) ? types.flatMap((t, i) => (t === 3 || t === 4 ? [i] : [])) : [];
  return { metadata, size: tokens.length, special };
}
