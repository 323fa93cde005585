// The vocabulary as built from GGUF keys: EOG sets (values from llama.cpp for these fixtures),
// flag overrides, and typed errors for vocabularies we cannot run.

import { describe, expect, it } from 'vitest';
import type { GgufFile } from '../../workers/engine/gguf/types.ts';
import { byteToUnicode } from '../../workers/engine/tokenizer/byteLevel.ts';
import { TokenAttr, tokenizerFromGguf, TokenizerError, type TokenizerErrorCode, vocabFromGguf } from '../../workers/engine/tokenizer/index.ts';
import { fakeGguf, loadGguf, loadTokenizer, meta, withMetadata } from './helpers.ts';

function errorOf(fn: () => unknown): TokenizerError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TokenizerError) return e;
    throw e;
  }
  throw new Error('expected a TokenizerError');
}

function expectCode(fn: () => unknown, code: TokenizerErrorCode, mentions: string): void {
  const e = errorOf(fn);
  expect(e.code).toBe(code);
  expect(e.message).toContain(mentions);
}

/** A tiny byte-level vocabulary: the 256 byte characters, then `extra` as control tokens. */
function tinyVocab(extra: readonly string[], more: Parameters<typeof meta>[] = []): GgufFile {
  return fakeGguf([
    meta('tokenizer.ggml.model', 'gpt2'),
    meta('tokenizer.ggml.pre', 'gpt-2'),
    meta('tokenizer.ggml.tokens', [...byteToUnicode, ...extra]),
    meta('tokenizer.ggml.token_type', [...byteToUnicode.map(() => 1), ...extra.map(() => 3)]),
    meta('tokenizer.ggml.merges', []),
    ...more.map((m) => meta(...m)),
  ]);
}

describe('end-of-generation set (as llama.cpp has it for these files)', () => {
  const eog = (name: string): number[] => [...loadTokenizer(name).vocab.eog].sort((a, b) => a - b);

  it('qwen2: <|im_end|>, <|endoftext|>, and the plain-text </s> llama.cpp also lists', () => {
    const tok = loadTokenizer('qwen2');
    expect(tok.tokenText(151645)).toBe('<|im_end|>');
    expect(tok.tokenText(151643)).toBe('<|endoftext|>');
    expect(tok.isEog(151645) && tok.isEog(151643)).toBe(true);
    expect(eog('qwen2')).toEqual([128247, 151643, 151645]);
    expect(tok.tokenText(128247)).toBe('</s>');
  });

  it('other fixtures', () => {
    expect(eog('llama-bpe')).toEqual([128001, 128009]); // <|end_of_text|>, <|eot_id|>
    expect(eog('refact')).toEqual([0, 4, 18]); // <|endoftext|>, <fim_pad>, <reponame>
    expect(eog('starcoder')).toEqual([0, 4]);
    expect(eog('gpt-2')).toEqual([50256]);
    expect(eog('llama-spm')).toEqual([2]);
  });

  it('removes <|end|> when <|return|> and <|call|> exist (gpt-oss harmony)', () => {
    const tok = tokenizerFromGguf(tinyVocab(['<|end|>', '<|return|>', '<|call|>', '<|channel|>', '<|message|>']));
    const id = (t: string): number => tok.vocab.tokenToId.get(t) ?? -1;
    expect(tok.isEog(id('<|end|>'))).toBe(false);
    expect(tok.isEog(id('<|return|>')) && tok.isEog(id('<|call|>'))).toBe(true);
    // rendered as text, and split out even without parseSpecial, as llama.cpp does for gpt-oss
    expect(tok.vocab.attrs[id('<|channel|>')]).toBe(TokenAttr.USER_DEFINED);
    expect(tok.encode('<|channel|>final<|message|>')).toEqual([id('<|channel|>'), ...tok.encode('final'), id('<|message|>')]);
    expect(tok.decode([id('<|channel|>'), id('<|end|>')])).toBe('<|channel|><|end|>');
  });

  it('keeps <|end|> without them (Phi-style vocabularies)', () => {
    const tok = tokenizerFromGguf(tinyVocab(['<|end|>', '<|return|>']));
    expect(tok.isEog(tok.vocab.tokenToId.get('<|end|>') ?? -1)).toBe(true);
  });

  it('adds the eos/eot/eom ids from the keys', () => {
    const tok = tokenizerFromGguf(
      tinyVocab(
        ['<stop>'],
        [
          ['tokenizer.ggml.eos_token_id', 256],
          ['tokenizer.ggml.eot_token_id', 65],
        ],
      ),
    );
    expect(tok.isEog(256) && tok.isEog(65)).toBe(true);
  });
});

describe('flags', () => {
  it('lets tokenizer.ggml.add_bos_token override the pre-type default', () => {
    const file = withMetadata(loadGguf('llama-bpe'), [meta('tokenizer.ggml.add_bos_token', false)]);
    const tok = tokenizerFromGguf(file);
    expect(tok.encode('Hi', { addSpecial: true })).toEqual(tok.encode('Hi'));
  });

  it('adds EOS when the vocabulary asks for it', () => {
    const file = withMetadata(loadGguf('llama-spm'), [meta('tokenizer.ggml.add_eos_token', true)]);
    const tok = tokenizerFromGguf(file);
    expect(tok.encode('Hi', { addSpecial: true })).toEqual([1, ...tok.encode('Hi'), 2]);
    expect(tok.decode(tok.encode('Hi', { addSpecial: true }), { removeSpecial: true })).toBe(' Hi');
  });

  it('can turn the SPM prefix space off', () => {
    const file = withMetadata(loadGguf('llama-spm'), [meta('tokenizer.ggml.add_space_prefix', false)]);
    const tok = tokenizerFromGguf(file);
    expect(tok.encode('Hello')[0]).not.toBe(tok.vocab.tokenToId.get('▁Hello'));
    expect(tok.decode(tok.encode(' Hello'))).toBe(' Hello');
  });
});

describe('errors', () => {
  it('names an unknown tokenizer model', () => {
    const file = withMetadata(loadGguf('gpt-2'), [meta('tokenizer.ggml.model', 'bert')]);
    expectCode(() => vocabFromGguf(file), 'unknown_model', "'bert'");
  });

  it('names an unknown pre-tokenizer', () => {
    const file = withMetadata(loadGguf('gpt-2'), [meta('tokenizer.ggml.pre', 'brand-new-pre')]);
    expectCode(() => vocabFromGguf(file), 'unknown_pre', "'brand-new-pre'");
  });

  it('falls back to the default pre-tokenizer when the key is missing, as llama.cpp does', () => {
    const base = loadGguf('gpt-2');
    const metadata = new Map(base.metadata);
    metadata.delete('tokenizer.ggml.pre');
    expect(vocabFromGguf({ ...base, metadata }).pre?.name).toBe('default');
  });

  it('rejects a file without a tokenizer', () => {
    expectCode(() => vocabFromGguf(fakeGguf([])), 'bad_vocab', 'tokenizer.ggml.model');
  });

  it('rejects mistyped keys, naming them', () => {
    const file = withMetadata(loadGguf('gpt-2'), [meta('tokenizer.ggml.tokens', 7)]);
    expectCode(() => vocabFromGguf(file), 'bad_vocab', 'tokenizer.ggml.tokens');
  });

  it('rejects a BPE vocabulary without merges', () => {
    const base = loadGguf('gpt-2');
    const metadata = new Map(base.metadata);
    metadata.delete('tokenizer.ggml.merges');
    expectCode(() => vocabFromGguf({ ...base, metadata }), 'bad_vocab', 'merges');
  });

  it('rejects add_bos_token without a BOS id', () => {
    // Three tokens: llama.cpp's default BPE bos id (11) is out of range, so there is none.
    const file = fakeGguf([meta('tokenizer.ggml.model', 'gpt2'), meta('tokenizer.ggml.tokens', ['a', 'b', 'c']), meta('tokenizer.ggml.merges', []), meta('tokenizer.ggml.add_bos_token', true)]);
    expectCode(() => vocabFromGguf(file), 'missing_token', 'bos_token_id');
  });

  it('rejects token ids outside the vocabulary', () => {
    const tok = loadTokenizer('gpt-2');
    expectCode(() => tok.decode([tok.size]), 'bad_token_id', String(tok.size));
    expectCode(() => tok.tokenText(-1), 'bad_token_id', '-1');
  });
});
