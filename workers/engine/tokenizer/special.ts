// Splitting special tokens out of text before the model tokenizer sees it, as llama.cpp's
// `tokenizer_st_partition`: longest token text first, every occurrence, left to right.

import { TokenAttr, type Vocab } from './vocab.ts';

/** Plain text still to tokenize, or a token id already decided. */
export type Fragment = string | number;

/**
 * Control and unknown tokens are split out only with `parseSpecial`; user-defined tokens always
 * are (llama.cpp follows HF here: added tokens are matched before the model tokenizer runs).
 */
export function splitSpecial(text: string, vocab: Vocab, parseSpecial: boolean): Fragment[] {
  let fragments: Fragment[] = text === '' ? [] : [text];
  const hidden = TokenAttr.CONTROL | TokenAttr.UNKNOWN;
  for (const id of vocab.specialTokens) {
    if (!parseSpecial && vocab.attrs[id] & hidden) continue;
    const token = vocab.tokens[id];
    if (!fragments.some((f) => typeof f === 'string' && f.includes(token))) continue;
    const next: Fragment[] = [];
    for (const f of fragments) {
      if (typeof f === 'number') {
        next.push(f);
        continue;
      }
      let pos = 0;
      for (let at = f.indexOf(token); at >= 0; at = f.indexOf(token, pos)) {
        if (at > pos) next.push(f.slice(pos, at));
        next.push(id);
        pos = at + token.length;
      }
      if (pos < f.length) next.push(f.slice(pos));
    }
    fragments = next;
  }
  return fragments;
}
