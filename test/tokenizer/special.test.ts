// Special tokens on encode (parseSpecial, addSpecial) and decode (special, removeSpecial,
// cleanSpaces), with answers taken from llama.cpp (node-llama-cpp) for these vocabularies.

import { describe, expect, it } from 'vitest';
import { loadTokenizer } from './helpers.ts';

describe('qwen2 special tokens', () => {
  const tok = loadTokenizer('qwen2');
  const chat = '<|im_start|>user\nhi<|im_end|>';

  it('parses control tokens with parseSpecial', () => {
    expect(tok.encode(chat, { parseSpecial: true })).toEqual([151644, 872, 198, 6023, 151645]);
  });

  it('treats them as text without it', () => {
    expect(tok.encode(chat)).toEqual([27, 91, 318, 4906, 91, 29, 872, 198, 6023, 27, 91, 318, 6213, 91, 29]);
  });

  it('always splits out user-defined tokens, as llama.cpp does', () => {
    expect(tok.encode('[PAD151646]')).toEqual([151646]);
    expect(tok.encode('[PAD151646]', { parseSpecial: true })).toEqual([151646]);
  });

  it('adds no BOS: qwen2 does not ask for one', () => {
    expect(tok.vocab.addBos).toBe(false);
    expect(tok.encode('hi', { addSpecial: true })).toEqual(tok.encode('hi'));
  });

  it('hides control tokens on decode unless asked', () => {
    const ids = tok.encode(chat, { parseSpecial: true });
    expect(tok.decode(ids)).toBe('user\nhi');
    expect(tok.decode(ids, { special: true })).toBe(chat);
    expect(tok.isControl(151644)).toBe(true);
  });
});

describe('llama-bpe special tokens', () => {
  const tok = loadTokenizer('llama-bpe');

  it('adds BOS with addSpecial (llama3 pre-type default)', () => {
    expect(tok.encode('Hello', { addSpecial: true })).toEqual([128000, ...tok.encode('Hello')]);
  });

  it('parses a Llama 3 header', () => {
    expect(tok.encode('<|start_header_id|>user<|end_header_id|>', { parseSpecial: true })).toEqual([128006, 882, 128007]);
  });

  it('cleans spaces on request, as llama_detokenize does for this pre-type', () => {
    const ids = tok.encode("Hello , world ! It 's");
    expect(tok.decode(ids)).toBe("Hello , world ! It 's");
    expect(tok.decode(ids, { cleanSpaces: true })).toBe("Hello, world! It's");
  });
});

describe('llama-spm special tokens', () => {
  const tok = loadTokenizer('llama-spm');
  const hello = tok.encode('Hello');

  it('adds BOS and the prefix space', () => {
    expect(hello[0]).toBe(tok.vocab.tokenToId.get('▁Hello'));
    expect(tok.encode('Hello', { addSpecial: true })).toEqual([1, ...hello]);
  });

  it('gives text after a special token its own prefix space', () => {
    expect(tok.encode('a</s>b', { parseSpecial: true })).toEqual([...tok.encode('a'), 2, ...tok.encode('b')]);
  });

  // llama_detokenize strips the prefix space from the first piece only, and not after a BOS it
  // removed itself: text that followed a BOS was encoded with its own prefix space.
  it('strips the prefix space like llama_detokenize', () => {
    expect(tok.decode(hello)).toBe('Hello');
    expect(tok.decode([1, ...hello])).toBe(' Hello');
    expect(tok.decode([1, ...hello], { removeSpecial: true })).toBe(' Hello');
    expect(tok.decode([1, ...hello, 2], { special: true })).toBe('<s> Hello</s>');
  });
});
