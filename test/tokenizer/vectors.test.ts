// Golden: llama.cpp's tokenizer vectors (test-tokenizer-0), id for id, for every vocab fixture.

import { describe, expect, it } from 'vitest';
import { Tokenizer, vocabFromGguf } from '../../workers/engine/tokenizer/index.ts';
import { loadGguf, loadTokenizer, readVectors, vectorVocabs } from './helpers.ts';

const vocabs = vectorVocabs();

it('finds the vocab fixtures with vectors', () => {
  expect(vocabs).toEqual(expect.arrayContaining(['gpt-2', 'llama-bpe', 'llama-spm', 'qwen2', 'refact', 'starcoder']));
});

describe.each(vocabs)('%s', (name) => {
  const vectors = readVectors(name);

  it('has vectors', () => {
    expect(vectors.length).toBeGreaterThan(40);
  });

  // test-tokenizer-0 tokenizes with add_special = false, parse_special = false.
  it.each(vectors.map((v, i) => [i, JSON.stringify(v.text).slice(0, 60), v] as const))('vector %i %s', (_i, _label, v) => {
    expect(loadTokenizer(name).encode(v.text)).toEqual(v.ids);
  });

  // SPM included: decode strips the prefix space encode added, as llama_detokenize does.
  it('round-trips every vector: decode(encode(s)) === s', () => {
    const tok = loadTokenizer(name);
    const failures = vectors.filter((v) => tok.decode(tok.encode(v.text)) !== v.text).map((v) => v.text);
    expect(failures).toEqual([]);
  });

  it('tokenizes all vectors quickly from a cold cache', () => {
    const tok = new Tokenizer(vocabFromGguf(loadGguf(name)));
    const t0 = performance.now();
    for (const v of vectors) tok.encode(v.text);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
