// Known-answer splits for each pre-tokenizer family, worked out by hand from llama.cpp's regexes
// (and its category/whitespace mapping). oracle.test.ts checks the same families against llama.cpp.

import { describe, expect, it } from 'vitest';
import { knownPreTokenizers, preTokenizer, splitText, TokenizerError } from '../../workers/engine/tokenizer/index.ts';

const split = (pre: string, text: string): string[] => splitText(text, preTokenizer(pre).regexes);

describe('preTokenizer', () => {
  it('compiles every known name', () => {
    for (const name of knownPreTokenizers) expect(preTokenizer(name).regexes.length).toBeGreaterThan(0);
  });

  it('covers the names Pakar needs', () => {
    const needed = [
      'qwen2',
      'deepseek-r1-qwen',
      'megrez',
      'llama3',
      'llama-bpe',
      'lfm2',
      'falcon3',
      'pixtral',
      'dbrx',
      'smaug-bpe',
      'refact',
      'starcoder',
      'command-r',
      'smollm',
      'exaone',
      'gpt-2',
      'olmo',
      'mpt',
      'jais',
      'trillion',
      'deepseek-llm',
      'deepseek-v3',
      'gpt-4o',
      'llama4',
      'bailingmoe',
      'bailingmoe2',
      'default',
    ];
    expect(knownPreTokenizers).toEqual(expect.arrayContaining(needed));
  });

  it('treats a missing pre as default', () => {
    expect(preTokenizer(undefined).name).toBe('default');
  });

  it('rejects an unknown name with a typed error naming it', () => {
    expect(() => preTokenizer('no-such-pre')).toThrow(TokenizerError);
    expect(() => preTokenizer('no-such-pre')).toThrow(/no-such-pre/);
    try {
      preTokenizer('no-such-pre');
    } catch (e) {
      expect((e as TokenizerError).code).toBe('unknown_pre');
    }
  });

  it('sets the llama3 flags', () => {
    const p = preTokenizer('llama-bpe');
    expect([p.ignoreMerges, p.addBos, p.cleanSpaces]).toEqual([true, true, true]);
    expect(preTokenizer('qwen2').cleanSpaces).toBe(false);
  });
});

describe('splitText', () => {
  it('gpt-2: contractions, letters, digits, trailing-space rule', () => {
    expect(split('gpt-2', "Hello world's  123 !!")).toEqual(['Hello', ' world', "'s", ' ', ' 123', ' !!']);
    expect(split('gpt-2', '\t\ta')).toEqual(['\t', '\t', 'a']);
  });

  it("uses llama.cpp's whitespace: U+0085 is space, U+FEFF is not", () => {
    expect(split('gpt-2', 'a\u0085\u0085b')).toEqual(['a', '\u0085', '\u0085', 'b']);
    expect(split('gpt-2', 'a\uFEFF\uFEFFb')).toEqual(['a', '\uFEFF\uFEFF', 'b']);
  });

  it('llama3: digits in threes, case-insensitive contractions, newline runs', () => {
    expect(split('llama3', '12345')).toEqual(['123', '45']);
    expect(split('llama3', "I'M here")).toEqual(['I', "'M", ' here']);
    expect(split('llama3', 'hello\n\n  world')).toEqual(['hello', '\n\n', ' ', ' world']);
  });

  it('qwen2: single digits', () => {
    expect(split('qwen2', 'abc123def')).toEqual(['abc', '1', '2', '3', 'def']);
  });

  it('starcoder: digits split first, then gpt-2', () => {
    expect(split('starcoder', 'abc 123')).toEqual(['abc', ' ', '1', '2', '3']);
  });

  it('default: punctuation runs, then gpt-2, then digit triples', () => {
    expect(split('default', 'Hello, world!!')).toEqual(['Hello', ',', ' world', '!!']);
    expect(split('default', '1234567')).toEqual(['123', '456', '7']);
  });

  it('gpt-4o: case changes split words; non-ASCII letters count as both cases', () => {
    expect(split('gpt-4o', 'HelloWorld')).toEqual(['Hello', 'World']);
    expect(split('gpt-4o', 'HELLOworld')).toEqual(['HELLOworld']);
    expect(split('gpt-4o', 'ÉCOLE')).toEqual(['É', 'COLE']);
    expect(split('gpt-4o', '123456')).toEqual(['123', '456']);
  });

  it('bailingmoe: contractions', () => {
    expect(split('bailingmoe2', "don't 42")).toEqual(['don', "'t", ' ', '4', '2']);
  });

  it('deepseek-v3: punctuation runs, letters after one punctuation mark, CJK apart', () => {
    expect(split('deepseek-v3', '~~ ~a .b')).toEqual(['~~', ' ~', 'a', ' .', 'b']);
    expect(split('deepseek-v3', '(abc')).toEqual(['(abc']);
    expect(split('deepseek-v3', 'abc123中文字')).toEqual(['abc', '123', '中文字']);
  });

  it('deepseek-llm: scripts split apart; U+3000 is whitespace only', () => {
    expect(split('deepseek-llm', 'Hello 世界 123')).toEqual(['Hello', ' ', '世界', ' ', '123']);
    expect(split('deepseek-llm', 'a\u3000\u3000!')).toEqual(['a', '\u3000', '\u3000!']);
  });

  it('keeps every character', () => {
    const text = 'Mixed 空白 \t\n\r\n  text… 123456 ~!? 🦙 e\u0301';
    for (const name of knownPreTokenizers) expect(split(name, text).join('')).toBe(text);
  });
});
