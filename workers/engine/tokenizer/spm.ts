// SentencePiece BPE (`tokenizer.ggml.model = llama`), as llama.cpp's `llm_tokenizer_spm_session`:
// start from one symbol per code point, repeatedly merge the adjacent pair whose concatenation is
// the token with the highest score (ties: leftmost), then emit each symbol as its token or, when
// it is none, as `<0xXX>` byte tokens.

import { TokenizerError } from './errors.ts';
import { Heap } from './heap.ts';
import type { Vocab } from './vocab.ts';

/** SentencePiece's visible space. */
export const SPM_SPACE = '\u2581';

interface Bigram {
  readonly left: number;
  readonly right: number;
  readonly score: number;
  /** Length of the pair when queued, in UTF-16 units; a mismatch later means it is stale. */
  readonly size: number;
}

const byScoreThenLeft = (a: Bigram, b: Bigram): boolean => a.score > b.score || (a.score === b.score && a.left < b.left);

const encoder = new TextEncoder();

export class SpmTokenizer {
  private readonly byteIds: readonly (number | undefined)[];

  constructor(private readonly vocab: Vocab) {
    // `<0xXX>`, else the byte itself as a token (llama.cpp's byte_to_token).
    this.byteIds = Array.from({ length: 256 }, (_, b) => {
      const hex = `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;
      return vocab.tokenToId.get(hex) ?? (b < 0x80 ? vocab.tokenToId.get(String.fromCharCode(b)) : undefined);
    });
  }

  /** Appends the ids of `text` to `out`; spaces must already be ▁ (and the prefix space added). */
  encode(text: string, out: number[]): void {
    const { tokenToId, scores } = this.vocab;
    const start: number[] = [];
    const len: number[] = [];
    for (let i = 0; i < text.length;) {
      const units = (text.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
      start.push(i);
      len.push(units);
      i += units;
    }
    const n = start.length;
    if (n === 0) return;
    const prev = start.map((_, i) => i - 1);
    const next = start.map((_, i) => (i + 1 < n ? i + 1 : -1));

    const queue = new Heap<Bigram>(byScoreThenLeft);
    const tryAdd = (left: number, right: number): void => {
      if (left < 0 || right < 0) return;
      const size = len[left] + len[right];
      const id = tokenToId.get(text.slice(start[left], start[left] + size));
      if (id !== undefined) queue.push({ left, right, score: scores[id], size });
    };
    for (let i = 1; i < n; i++) tryAdd(i - 1, i);

    for (let b = queue.pop(); b !== undefined; b = queue.pop()) {
      const { left, right } = b;
      if (len[left] === 0 || len[right] === 0 || len[left] + len[right] !== b.size) continue;
      len[left] += len[right];
      len[right] = 0;
      next[left] = next[right];
      if (next[right] >= 0) prev[next[right]] = left;
      tryAdd(prev[left], left);
      tryAdd(left, next[left]);
    }

    // A merged symbol is always a token, so only single code points can miss: llama.cpp's
    // `resegment` then falls back to byte tokens.
    for (let i = 0; i !== -1; i = next[i]) {
      const piece = text.slice(start[i], start[i] + len[i]);
      const id = tokenToId.get(piece);
      if (id !== undefined) {
        out.push(id);
        continue;
      }
      for (const b of encoder.encode(piece)) out.push(this.byteToken(b));
    }
  }

  private byteToken(b: number): number {
    const id = this.byteIds[b] ?? this.vocab.special.unk;
    if (id === undefined) {
      throw new TokenizerError('missing_token', `the vocabulary has no byte token <0x${b.toString(16).toUpperCase()}> and no unknown token`);
    }
    return id;
  }
}
