// Text ↔ token ids for one vocabulary, with llama.cpp's semantics (`llama_tokenize`,
// `llama_detokenize`), so that prompts and outputs agree with it id for id.

import type { GgufFile } from '../gguf/types.ts';
import { BpeTokenizer } from './bpe.ts';
import { cleanUpSpaces, PieceTable } from './detokenize.ts';
import { TokenizerError } from './errors.ts';
import { splitSpecial } from './special.ts';
import { SPM_SPACE, SpmTokenizer } from './spm.ts';
import { TokenAttr, vocabFromGguf, type Vocab } from './vocab.ts';

export interface EncodeOptions {
  /** Add BOS/EOS where the vocabulary asks for them (`add_bos_token`/`add_eos_token`). Default false. */
  readonly addSpecial?: boolean;
  /** Match control tokens such as `<|im_start|>` in the text. Default false: they are plain text. */
  readonly parseSpecial?: boolean;
}

export interface DecodeOptions {
  /** Render control/unknown tokens as their text. Default false: they print nothing. */
  readonly special?: boolean;
  /** Drop a leading BOS and trailing EOS when the vocabulary adds them. Default false. */
  readonly removeSpecial?: boolean;
  /**
   * Apply llama_detokenize's space clean-up (" ," → ",", …) when the vocabulary enables it.
   * Default false, which keeps decode lossless and equal to the concatenated token pieces.
   */
  readonly cleanSpaces?: boolean;
}

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

export class Tokenizer {
  private readonly bpe: BpeTokenizer | undefined;
  private readonly spm: SpmTokenizer | undefined;
  private readonly pieces: PieceTable;

  constructor(readonly vocab: Vocab) {
    this.bpe = vocab.type === 'bpe' ? new BpeTokenizer(vocab) : undefined;
    this.spm = vocab.type === 'spm' ? new SpmTokenizer(vocab) : undefined;
    this.pieces = new PieceTable(vocab);
  }

  /** Number of tokens in the vocabulary. */
  get size(): number {
    return this.vocab.tokens.length;
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    const { addSpecial = false, parseSpecial = false } = options;
    const v = this.vocab;
    const out: number[] = [];
    if (addSpecial && v.addBos) out.push(required(v.special.bos, 'BOS'));
    // SPM: a text fragment at the start or right after a special token gets the prefix space.
    let afterSpecial = true;
    for (const fragment of splitSpecial(wellFormed(text), v, parseSpecial)) {
      if (typeof fragment === 'number') {
        out.push(fragment);
        afterSpecial = true;
      } else if (this.spm) {
        const prefixed = v.addSpacePrefix && afterSpecial ? ' ' + fragment : fragment;
        this.spm.encode(prefixed.replaceAll(' ', SPM_SPACE), out);
        afterSpecial = false;
      } else {
        this.bpe?.encode(fragment, out);
      }
    }
    if (addSpecial && v.addEos) out.push(required(v.special.eos, 'EOS'));
    return out;
  }

  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    const { special = false, removeSpecial = false, cleanSpaces = false } = options;
    const v = this.vocab;
    let from = 0;
    let to = ids.length;
    // llama.cpp strips one leading space of the first piece when it adds a prefix space on encode;
    // not after a BOS it has just removed (that text started after the BOS, with its own space).
    let stripSpace = v.addSpacePrefix;
    if (removeSpecial && v.addBos && to > 0 && ids[0] === v.special.bos) {
      stripSpace = false;
      from = 1;
    }
    if (removeSpecial && v.addEos && to > from && ids[to - 1] === v.special.eos) to--;

    const parts: Uint8Array[] = [];
    let total = 0;
    for (let i = from; i < to; i++) {
      let p = this.pieces.piece(ids[i], special);
      if (i === from && stripSpace && p[0] === 0x20) p = p.subarray(1);
      parts.push(p);
      total += p.length;
    }
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      bytes.set(p, at);
      at += p.length;
    }
    const text = utf8.decode(bytes);
    return cleanSpaces && v.cleanSpaces ? cleanUpSpaces(text) : text;
  }

  /** The bytes one token stands for (control/unknown tokens: empty unless `special`). */
  tokenBytes(id: number, special = false): Uint8Array {
    return this.pieces.piece(id, special);
  }

  /** The token's text as stored in the vocabulary (GPT-2 byte characters, ▁ …). */
  tokenText(id: number): string {
    const t = this.vocab.tokens[id];
    if (t === undefined) throw new TokenizerError('bad_token_id', `token id ${id} is outside the vocabulary (0..${this.size - 1})`);
    return t;
  }

  /** Whether the token ends generation (EOS, EOT, `<|im_end|>`, …). */
  isEog(id: number): boolean {
    return this.vocab.eog.has(id);
  }

  /** Whether the token is a control token (hidden when decoding without `special`). */
  isControl(id: number): boolean {
    return (this.vocab.attrs[id] & TokenAttr.CONTROL) !== 0;
  }
}

// llama.cpp receives UTF-8, where a lone surrogate cannot exist: callers' encoders turn it into
// U+FFFD, and the pre-tokenizer must see U+FFFD (a symbol), not a surrogate code point.
function wellFormed(text: string): string {
  return /\p{Cs}/u.test(text) ? text.replace(/\p{Cs}/gu, '\uFFFD') : text;
}

function required(id: number | undefined, what: string): number {
  if (id === undefined) throw new TokenizerError('missing_token', `the vocabulary asks for ${what} but has no ${what} token`);
  return id;
}

/** The tokenizer of a GGUF file (throws TokenizerError for vocabularies it cannot run). */
export function tokenizerFromGguf(file: GgufFile): Tokenizer {
  return new Tokenizer(vocabFromGguf(file));
}
