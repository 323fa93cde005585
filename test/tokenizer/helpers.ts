// Fixture access for the tokenizer tests: vocab GGUFs and llama.cpp's test vectors, read from
// ../shared/fixtures/vocab (never copied), plus small synthetic vocabularies.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseGguf } from '../../workers/engine/gguf/reader.ts';
import { GgufValueType, type GgufFile, type GgufKv } from '../../workers/engine/gguf/types.ts';
import { Tokenizer, tokenizerFromGguf } from '../../workers/engine/tokenizer/index.ts';

export const VOCAB_DIR = path.resolve(import.meta.dirname, '../../../shared/fixtures/vocab');

export const vocabPath = (name: string): string => path.join(VOCAB_DIR, `ggml-vocab-${name}.gguf`);

/** Every vocab fixture that comes with .inp/.out vectors ('gpt-2', 'qwen2', …). */
export function vectorVocabs(): string[] {
  const files = new Set(readdirSync(VOCAB_DIR));
  return [...files]
    .filter((f) => /^ggml-vocab-.+\.gguf$/.test(f) && files.has(`${f}.inp`) && files.has(`${f}.out`))
    .map((f) => f.slice('ggml-vocab-'.length, -'.gguf'.length))
    .sort();
}

const ggufs = new Map<string, GgufFile>();
const tokenizers = new Map<string, Tokenizer>();

export function loadGguf(name: string): GgufFile {
  let f = ggufs.get(name);
  if (!f) {
    f = parseGguf(readFileSync(vocabPath(name)));
    ggufs.set(name, f);
  }
  return f;
}

export function loadTokenizer(name: string): Tokenizer {
  let t = tokenizers.get(name);
  if (!t) {
    t = tokenizerFromGguf(loadGguf(name));
    tokenizers.set(name, t);
  }
  return t;
}

export interface Vector {
  readonly text: string;
  readonly ids: readonly number[];
}

/**
 * Reads the vectors as llama.cpp's test-tokenizer-0 does: the .inp holds the strings separated
 * by "\n__ggml_vocab_test__\n" (the file ends with one), the .out one line of ids per string.
 */
export function readVectors(name: string): Vector[] {
  const raw = readFileSync(`${vocabPath(name)}.inp`, 'utf8');
  const sep = '\n__ggml_vocab_test__\n';
  const inputs: string[] = [];
  for (let pos = 0; pos < raw.length;) {
    const next = raw.indexOf(sep, pos);
    if (next < 0) {
      inputs.push(raw.slice(pos));
      break;
    }
    inputs.push(raw.slice(pos, next));
    pos = next + sep.length;
  }
  const lines = readFileSync(`${vocabPath(name)}.out`, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop(); // std::getline yields no line after the final newline
  if (lines.length !== inputs.length) throw new Error(`${name}: ${inputs.length} inputs but ${lines.length} output lines`);
  return inputs.map((text, i) => ({
    text,
    ids: lines[i].trim() === '' ? [] : lines[i].trim().split(/\s+/).map(Number),
  }));
}

/** A metadata entry with the GGUF type a value of that shape would be written with. */
export function meta(key: string, value: string | number | boolean | string[] | number[]): GgufKv {
  if (typeof value === 'string') return { key, type: GgufValueType.STRING, value };
  if (typeof value === 'number') return { key, type: GgufValueType.U32, value };
  if (typeof value === 'boolean') return { key, type: GgufValueType.BOOL, value };
  const itemType = value.every((v) => typeof v === 'string') ? GgufValueType.STRING : GgufValueType.I32;
  return { key, type: GgufValueType.ARRAY, itemType, value };
}

/** A copy of `file` with some metadata entries replaced or added. */
export function withMetadata(file: GgufFile, changes: readonly GgufKv[]): GgufFile {
  const metadata = new Map(file.metadata);
  for (const c of changes) metadata.set(c.key, c);
  return { ...file, metadata };
}

/** A GGUF file holding only the given metadata. */
export function fakeGguf(entries: readonly GgufKv[]): GgufFile {
  return {
    version: 3,
    alignment: 32,
    metadata: new Map(entries.map((e) => [e.key, e])),
    tensors: [],
    tensorByName: new Map(),
    dataOffset: 0,
    fileSize: undefined,
  };
}
