// Token ids back to bytes, as llama.cpp's `token_to_piece` and `llama_detokenize`.

import { unicodeToByte } from './byteLevel.ts';
import { TokenizerError } from './errors.ts';
import { SPM_SPACE } from './spm.ts';
import { TokenAttr, type Vocab } from './vocab.ts';

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);
const HIDDEN = TokenAttr.UNKNOWN | TokenAttr.CONTROL;
const VERBATIM = HIDDEN | TokenAttr.USER_DEFINED;

/** The bytes each token stands for, computed once per token. */
export class PieceTable {
  private readonly pieces: (Uint8Array | undefined)[];

  constructor(private readonly vocab: Vocab) {
    this.pieces = new Array<Uint8Array | undefined>(vocab.tokens.length);
  }

  /** Bytes of one token; control/unknown tokens are empty unless `special`. */
  piece(id: number, special: boolean): Uint8Array {
    const { attrs, tokens } = this.vocab;
    if (!Number.isInteger(id) || id < 0 || id >= tokens.length) {
      throw new TokenizerError('bad_token_id', `token id ${id} is outside the vocabulary (0..${tokens.length - 1})`);
    }
    if (!special && attrs[id] & HIDDEN) return EMPTY;
    let p = this.pieces[id];
    if (!p) {
      p = this.compute(id);
      this.pieces[id] = p;
    }
    return p;
  }

  private compute(id: number): Uint8Array {
    const attr = this.vocab.attrs[id];
    const text = this.vocab.tokens[id];
    if (attr & VERBATIM) return encoder.encode(text);
    if (attr & TokenAttr.NORMAL) {
      return this.vocab.type === 'spm' ? encoder.encode(text.replaceAll(SPM_SPACE, ' ')) : gpt2Bytes(text);
    }
    // llama.cpp reads the two hex digits of `<0xXX>` with strtol.
    if (attr & TokenAttr.BYTE) return Uint8Array.of(parseInt(text.slice(3, 5), 16) || 0);
    return EMPTY; // unused / undefined tokens print nothing
  }
}

/** GPT-2 byte characters back to bytes; an unmapped character is spelled out as llama.cpp does. */
function gpt2Bytes(text: string): Uint8Array {
  const out: number[] = [];
  for (const ch of text) {
    const b = unicodeToByte.get(ch);
    if (b !== undefined) {
      out.push(b);
      continue;
    }
    const hex = Array.from(encoder.encode(ch), (x) => x.toString(16).padStart(2, '0')).join('');
    out.push(...encoder.encode(`[UNK_BYTE_0x${hex}${text}]`));
  }
  return Uint8Array.from(out);
}

/**
 * llama_detokenize's `clean_spaces` passes: drop the space in " ?", " !", " .", " ,"; turn
 * " ' " into "'"; drop the space in " 's", " 'm", " 're", " 've". Only ASCII is inspected, so
 * working on UTF-16 units gives the same result as llama.cpp working on bytes.
 */
export function cleanUpSpaces(text: string): string {
  let a = text.split('');
  if (a.length === 0) return text;

  let out = [a[0]];
  for (let i = 1; i < a.length; i++) {
    const x = a[i];
    if (a[i - 1] === ' ' && (x === '?' || x === '!' || x === '.' || x === ',')) out.pop();
    out.push(x);
  }

  a = out;
  out = [a[0]];
  for (let i = 1; i < a.length; i++) {
    const x = a[i];
    if (x === "'" && i + 1 < a.length && a[i - 1] === ' ' && a[i + 1] === ' ') {
      out.pop();
      a[++i] = '\0'; // the skipped space; the next character sees it as its predecessor
    }
    out.push(x);
  }

  a = out;
  out = [a[0]];
  for (let i = 1; i < a.length; i++) {
    const x = a[i];
    if (a[i - 1] === ' ' && x === "'" && i + 1 < a.length) {
      const x1 = a[i + 1];
      const x2 = i + 2 < a.length ? a[i + 2] : '';
      if (x1 === 's' || x1 === 'm') out.pop();
      else if (x1 !== 't' && x1 !== 'd' && ((x1 === 'r' && x2 === 'e') || (x1 === 'v' && x2 === 'e'))) out.pop();
    }
    out.push(x);
  }
  return out.join('');
}
