// Byte-level BPE (`tokenizer.ggml.model = gpt2`), as llama.cpp's `llm_tokenizer_bpe_session`:
// pre-tokenize, spell each piece's UTF-8 bytes as GPT-2 characters, then merge adjacent symbols
// by lowest merge rank (ties: leftmost) until no pair has a rank.

import { byteToUnicode } from './byteLevel.ts';
import { Heap } from './heap.ts';
import { splitText } from './pretokenize.ts';
import type { Vocab } from './vocab.ts';

const encoder = new TextEncoder();

/** A piece in GPT-2 byte form: each UTF-8 byte as its stand-in character (' ' → 'Ġ'). */
export function byteEncode(piece: string): string {
  let out = '';
  for (const b of encoder.encode(piece)) out += byteToUnicode[b];
  return out;
}

interface Bigram {
  readonly left: number;
  readonly right: number;
  readonly rank: number;
  readonly text: string;
}

const byRankThenLeft = (a: Bigram, b: Bigram): boolean => a.rank < b.rank || (a.rank === b.rank && a.left < b.left);

// Distinct pieces seen before the cache is dropped (chat text repeats pieces a lot).
const CACHE_LIMIT = 65_536;

export class BpeTokenizer {
  private readonly cache = new Map<string, readonly number[]>();
  private readonly regexes: readonly RegExp[];

  constructor(private readonly vocab: Vocab) {
    this.regexes = vocab.pre?.regexes ?? [];
  }

  /** Appends the ids of `text` (no special tokens in it) to `out`. */
  encode(text: string, out: number[]): void {
    for (const piece of splitText(text, this.regexes)) {
      const word = byteEncode(piece);
      let ids = this.cache.get(word);
      if (!ids) {
        ids = this.encodeWord(word);
        if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
        this.cache.set(word, ids);
      }
      for (const id of ids) out.push(id);
    }
  }

  private encodeWord(word: string): number[] {
    const { tokenToId, mergeRanks } = this.vocab;
    if (this.vocab.ignoreMerges) {
      const id = tokenToId.get(word);
      if (id !== undefined) return [id];
    }
    // One symbol per character: GPT-2 byte characters are all single UTF-16 units.
    const n = word.length;
    if (n === 0) return [];
    const start = new Int32Array(n);
    const len = new Int32Array(n);
    const prev = new Int32Array(n);
    const next = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      start[i] = i;
      len[i] = 1;
      prev[i] = i - 1;
      next[i] = i + 1 < n ? i + 1 : -1;
    }
    const text = (i: number): string => word.slice(start[i], start[i] + len[i]);
    const queue = new Heap<Bigram>(byRankThenLeft);
    const addBigram = (left: number, right: number): void => {
      if (left < 0 || right < 0) return;
      const l = text(left);
      const r = text(right);
      const rank = mergeRanks.get(l + ' ' + r);
      if (rank !== undefined) queue.push({ left, right, rank, text: l + r });
    };
    for (let i = 1; i < n; i++) addBigram(i - 1, i);

    for (let b = queue.pop(); b !== undefined; b = queue.pop()) {
      const { left, right } = b;
      // Stale entries: a side was merged away, or grew since the pair was queued.
      if (len[left] === 0 || len[right] === 0 || text(left) + text(right) !== b.text) continue;
      len[left] += len[right];
      len[right] = 0;
      next[left] = next[right];
      if (next[right] >= 0) prev[next[right]] = left;
      addBigram(prev[left], left);
      addBigram(left, next[left]);
    }

    const ids: number[] = [];
    for (let i = 0; i !== -1; i = next[i]) {
      const t = text(i);
      const id = tokenToId.get(t);
      if (id !== undefined) {
        ids.push(id);
        continue;
      }
      // llama.cpp's fallback looks up each UTF-8 byte of the symbol as a one-byte token; only
      // ASCII bytes can match, the rest are dropped. Kept as is to agree with it.
      for (const ch of t) {
        if (ch.charCodeAt(0) >= 0x80) continue;
        const byteId = tokenToId.get(ch);
        if (byteId !== undefined) ids.push(byteId);
      }
    }
    return ids;
  }
}
