// Streaming detokenization: one token at a time, never half a character.

import { describe, expect, it } from 'vitest';
import { byteToUnicode } from '../../workers/engine/tokenizer/byteLevel.ts';
import { StreamDecoder, type Tokenizer } from '../../workers/engine/tokenizer/index.ts';
import { loadTokenizer, vectorVocabs } from './helpers.ts';

const TEXTS = [' this is 🦙.cpp', '我想在apple工作1314151天～', '👩‍👩‍👧‍👦 and 🏳️‍🌈 ✅', 'Ελληνικά Русский ไทย हिन्दी', 'ied 4 ½ months\n\n\tÄpfel'];

function stream(tok: Tokenizer, ids: readonly number[]): string[] {
  const s = new StreamDecoder(tok);
  const deltas = ids.map((id) => s.push(id));
  deltas.push(s.flush());
  return deltas;
}

describe.each(vectorVocabs())('%s', (name) => {
  const tok = loadTokenizer(name);

  it.each(TEXTS)('streams %j with whole characters only', (text) => {
    const ids = tok.encode(text);
    const deltas = stream(tok, ids);
    expect(deltas.join('')).toBe(tok.decode(ids));
    expect(deltas.join('')).toBe(text);
    for (const d of deltas) expect(d).not.toContain('\uFFFD');
  });

  it('really splits characters across tokens in these texts', () => {
    const held = TEXTS.flatMap((t) => stream(tok, tok.encode(t))).filter((d) => d === '');
    expect(held.length).toBeGreaterThan(1); // at least one token (besides flush) completed nothing
  });
});

describe('StreamDecoder edge cases', () => {
  const gpt2 = loadTokenizer('gpt-2');
  const byteId = (b: number): number => gpt2.vocab.tokenToId.get(byteToUnicode[b]) ?? -1;

  it('holds a lead byte until its continuation arrives', () => {
    const s = new StreamDecoder(gpt2);
    expect([0xe2, 0x9c, 0x85].map((b) => s.push(byteId(b)))).toEqual(['', '', '✅']);
  });

  it('emits U+FFFD only for bytes that are really invalid, like decode()', () => {
    const ids = [byteId(0xf0), gpt2.encode('a')[0]];
    const s = new StreamDecoder(gpt2);
    expect([s.push(ids[0]), s.push(ids[1]), s.flush()]).toEqual(['', '\uFFFDa', '']);
    expect(gpt2.decode(ids)).toBe('\uFFFDa');
  });

  it('flushes an unfinished character as U+FFFD and starts over', () => {
    const s = new StreamDecoder(gpt2);
    expect(s.push(byteId(0xe2))).toBe('');
    expect(s.flush()).toBe('\uFFFD');
    expect(s.push(gpt2.encode('ok')[0])).toBe('ok');
  });

  it('forgets held bytes on reset', () => {
    const s = new StreamDecoder(gpt2);
    s.push(byteId(0xe2));
    s.reset();
    expect(s.push(gpt2.encode('x')[0]) + s.flush()).toBe('x');
  });

  it('shows control tokens only with special', () => {
    const qwen = loadTokenizer('qwen2');
    expect(new StreamDecoder(qwen).push(151645)).toBe('');
    expect(new StreamDecoder(qwen, { special: true }).push(151645)).toBe('<|im_end|>');
  });

  it('strips the SPM prefix space of the first token only, as decode() does', () => {
    const spm = loadTokenizer('llama-spm');
    const ids = spm.encode('Hi there');
    expect(stream(spm, ids).join('')).toBe('Hi there');
    expect(new StreamDecoder(spm, { stripLeadingSpace: false }).push(ids[0])).toBe(' Hi');
  });
});
