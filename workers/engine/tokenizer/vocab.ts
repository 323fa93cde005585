// The vocabulary of a GGUF file (`tokenizer.ggml.*`), with the defaults, attribute fix-ups and
// end-of-generation set that llama.cpp derives in `llama_vocab::impl::load` (llama-vocab.cpp).

import { GgufError } from '../gguf/errors.ts';
import { optBool, optNumber, optNumberArray, optString, optStringArray } from '../gguf/metadata.ts';
import type { GgufFile } from '../gguf/types.ts';
import { TokenizerError } from './errors.ts';
import { preTokenizer, type PreTokenizer } from './pretokenize.ts';

/** Token attribute bits (`llama_token_attr`). */
export const TokenAttr = {
  UNDEFINED: 0,
  UNKNOWN: 1 << 0,
  UNUSED: 1 << 1,
  NORMAL: 1 << 2,
  CONTROL: 1 << 3,
  USER_DEFINED: 1 << 4,
  BYTE: 1 << 5,
} as const;

/** `tokenizer.ggml.token_type` values. */
const TokenType = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;

const ATTR_OF_TYPE: Readonly<Record<number, number>> = {
  [TokenType.NORMAL]: TokenAttr.NORMAL,
  [TokenType.UNKNOWN]: TokenAttr.UNKNOWN,
  [TokenType.CONTROL]: TokenAttr.CONTROL,
  [TokenType.USER_DEFINED]: TokenAttr.USER_DEFINED,
  [TokenType.UNUSED]: TokenAttr.UNUSED,
  [TokenType.BYTE]: TokenAttr.BYTE,
};

/** `gpt2` = byte-level BPE; `llama` = SentencePiece with scores and `<0xXX>` byte tokens. */
export type VocabType = 'bpe' | 'spm';

export interface SpecialIds {
  readonly bos: number | undefined;
  readonly eos: number | undefined;
  readonly eot: number | undefined;
  readonly eom: number | undefined;
  readonly unk: number | undefined;
  readonly sep: number | undefined;
  readonly pad: number | undefined;
  readonly fimPre: number | undefined;
  readonly fimSuf: number | undefined;
  readonly fimMid: number | undefined;
  readonly fimPad: number | undefined;
  readonly fimRep: number | undefined;
  readonly fimSep: number | undefined;
}

export interface Vocab {
  readonly type: VocabType;
  /** `tokenizer.ggml.model`. */
  readonly model: string;
  /** BPE only. */
  readonly pre: PreTokenizer | undefined;
  /** Token text by id (GPT-2 byte characters for BPE, ▁ for spaces in SPM). */
  readonly tokens: readonly string[];
  /** TokenAttr bits by id. */
  readonly attrs: Uint16Array;
  /** SPM merge priorities by id (0 when absent). */
  readonly scores: Float32Array;
  readonly tokenToId: ReadonlyMap<string, number>;
  /** BPE merge rank by "left right" (the merge string itself). */
  readonly mergeRanks: ReadonlyMap<string, number>;
  readonly special: SpecialIds;
  readonly addBos: boolean;
  readonly addEos: boolean;
  readonly addSpacePrefix: boolean;
  /** llama_detokenize's clean-up of " ," " 's" … (BPE pre-types decide). */
  readonly cleanSpaces: boolean;
  /** A pre-tokenized piece that is a token is emitted whole (llama3 family). */
  readonly ignoreMerges: boolean;
  /** Tokens that end generation. */
  readonly eog: ReadonlySet<number>;
  /** Control, user-defined and unknown tokens, longest text (in bytes) first: matched verbatim. */
  readonly specialTokens: readonly number[];
}

const K = 'tokenizer.ggml.';

// Texts llama.cpp takes as end-of-turn / end-of-message / FIM tokens when no key names them.
const EOT_TEXTS = ['<|eot_id|>', '<|im_end|>', '<|end|>', '<end_of_turn>', '<|endoftext|>', '<|end_of_text|>', '<EOT>', '_<EOT>', '[EOT]', '<｜end▁of▁sentence｜>', '<end_of_utterance>'];
const EOM_TEXTS = ['<|eom_id|>'];
const FIM_PRE_TEXTS = ['<|fim_prefix|>', '<fim-prefix>', '<fim_prefix>', '<｜fim▁begin｜>', '<PRE>', '▁<PRE>', '<|code_prefix|>', '<|prefix|>'];
const FIM_SUF_TEXTS = ['<|fim_suffix|>', '<fim-suffix>', '<fim_suffix>', '<｜fim▁hole｜>', '<SUF>', '▁<SUF>', '<|code_suffix|>', '<|suffix|>'];
const FIM_MID_TEXTS = ['<|fim_middle|>', '<fim-middle>', '<fim_middle>', '<｜fim▁end｜>', '<MID>', '▁<MID>', '<|code_middle|>', '<|middle|>'];
const FIM_PAD_TEXTS = ['<|fim_pad|>', '<fim-pad>', '<fim_pad>', '<PAD>', '[PAD]'];
const FIM_REP_TEXTS = ['<|fim_repo|>', '<|repo_name|>', '<fim-repo>', '<REPO>', '<reponame>'];
const FIM_SEP_TEXTS = ['<|file_sep|>'];

/** Token texts that end generation whatever the keys say (llama.cpp's list). */
export const EOG_TEXTS: readonly string[] = [
  '<|eot_id|>',
  '<|im_end|>',
  '<|end|>',
  '<|return|>',
  '<|call|>',
  '<|flush|>',
  '<|calls|>',
  '<end_of_turn>',
  '<|endoftext|>',
  '</s>',
  '<|eom_id|>',
  '<EOT>',
  '_<EOT>',
  '[EOT]',
  '[EOS]',
  '<|end_of_text|>',
  '<end_of_utterance>',
  '<eos>',
  '<turn|>',
  '<|tool_response>',
  '<｜end▁of▁sentence｜>',
  '[e~[',
];

// gpt-oss: llama.cpp always renders these, so they are treated as user-defined text.
const HARMONY_USER_DEFINED = ['<|channel|>', '<|message|>', '<|start|>', '<|constrain|>'];

/** Builds the vocabulary from a GGUF file's `tokenizer.ggml.*` keys. */
export function vocabFromGguf(file: GgufFile): Vocab {
  try {
    return build(file);
  } catch (e) {
    // A mistyped key surfaces as the tokenizer's own error, naming the key.
    if (e instanceof GgufError) throw new TokenizerError('bad_vocab', e.message);
    throw e;
  }
}

function build(file: GgufFile): Vocab {
  const model = optString(file, K + 'model');
  if (model === undefined) throw new TokenizerError('bad_vocab', `${K}model is missing: this file has no tokenizer`);
  let type: VocabType;
  if (model === 'gpt2') type = 'bpe';
  else if (model === 'llama') type = 'spm';
  else {
    throw new TokenizerError('unknown_model', `tokenizer model '${model}' (${K}model) is not supported: only gpt2 (byte-level BPE) and llama (SentencePiece) vocabularies run here`);
  }

  const pre = type === 'bpe' ? preTokenizer(optString(file, K + 'pre')) : undefined;

  const tokens = optStringArray(file, K + 'tokens');
  if (!tokens) throw new TokenizerError('bad_vocab', `${K}tokens is missing`);
  const n = tokens.length;
  const texts = tokens.map((t, i) => (t === '' ? `[EMPTY_${i}]` : t));

  const tokenToId = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const prev = tokenToId.get(texts[i]);
    if (prev !== undefined) throw new TokenizerError('bad_vocab', `duplicate token '${texts[i]}' has ids ${prev} and ${i}`);
    tokenToId.set(texts[i], i);
  }

  const scores = new Float32Array(n);
  const rawScores = optNumberArray(file, K + 'scores');
  if (rawScores) {
    if (rawScores.length < n) throw new TokenizerError('bad_vocab', `${K}scores has ${rawScores.length} entries for ${n} tokens`);
    scores.set(rawScores.slice(0, n));
  }

  const attrs = new Uint16Array(n).fill(TokenAttr.NORMAL);
  const types = optNumberArray(file, K + 'token_type');
  if (types) {
    if (types.length < n) throw new TokenizerError('bad_vocab', `${K}token_type has ${types.length} entries for ${n} tokens`);
    for (let i = 0; i < n; i++) attrs[i] = ATTR_OF_TYPE[types[i]] ?? TokenAttr.UNDEFINED;
  }

  const mergeRanks = new Map<string, number>();
  if (type === 'bpe') {
    const merges = optStringArray(file, K + 'merges');
    if (!merges) throw new TokenizerError('bad_vocab', `${K}merges is missing (needed by gpt2 tokenizers)`);
    // The merge string is "left right" split at the first space after position 0, which is
    // exactly the key `left + ' ' + right` looks up; the first of duplicates wins.
    for (let i = 0; i < merges.length; i++) if (!mergeRanks.has(merges[i])) mergeRanks.set(merges[i], i);
  }

  // Defaults before the keys, as llama.cpp has them (yes, 11 for BPE), dropped when out of range;
  // the deprecated prefix/suffix/middle keys win over fim_*, as they are read last there.
  const inRange = (id: number | undefined): number | undefined => (id !== undefined && id >= 0 && id < n ? id : undefined);
  const idKey = (name: string, fallback: number | undefined): number | undefined => {
    const v = optNumber(file, K + name);
    return v !== undefined && v >= 0 && v < n ? v : inRange(fallback);
  };
  const spm = type === 'spm';
  const special = {
    bos: idKey('bos_token_id', spm ? 1 : 11),
    eos: idKey('eos_token_id', spm ? 2 : 11),
    eot: idKey('eot_token_id', undefined),
    eom: idKey('eom_token_id', undefined),
    unk: idKey('unknown_token_id', spm ? 0 : undefined),
    sep: idKey('seperator_token_id', undefined),
    pad: idKey('padding_token_id', undefined),
    fimPre: idKey('prefix_token_id', undefined) ?? idKey('fim_pre_token_id', undefined),
    fimSuf: idKey('suffix_token_id', undefined) ?? idKey('fim_suf_token_id', undefined),
    fimMid: idKey('middle_token_id', undefined) ?? idKey('fim_mid_token_id', undefined),
    fimPad: idKey('fim_pad_token_id', undefined),
    fimRep: idKey('fim_rep_token_id', undefined),
    fimSep: idKey('fim_sep_token_id', undefined),
  };

  const addBos = optBool(file, K + 'add_bos_token') ?? (spm ? true : (pre?.addBos ?? false));
  const addEos = optBool(file, K + 'add_eos_token') ?? false;
  const addSpacePrefix = optBool(file, K + 'add_space_prefix') ?? spm;
  if (addBos && special.bos === undefined) throw new TokenizerError('missing_token', `${K}add_bos_token is true, but ${K}bos_token_id is not set`);
  if (addEos && special.eos === undefined) throw new TokenizerError('missing_token', `${K}add_eos_token is true, but ${K}eos_token_id is not set`);

  // A token found by its text is made a control token, so that it is hidden and matched verbatim.
  const byText = (list: readonly string[]): number | undefined => {
    let found: number | undefined;
    for (const t of list) {
      const id = tokenToId.get(t);
      if (id !== undefined && (found === undefined || id < found)) found = id;
    }
    if (found !== undefined) attrs[found] |= TokenAttr.CONTROL;
    return found;
  };
  special.eot ??= byText(EOT_TEXTS);
  special.eom ??= byText(EOM_TEXTS);
  special.fimPre ??= byText(FIM_PRE_TEXTS);
  special.fimSuf ??= byText(FIM_SUF_TEXTS);
  special.fimMid ??= byText(FIM_MID_TEXTS);
  special.fimPad ??= byText(FIM_PAD_TEXTS);
  special.fimRep ??= byText(FIM_REP_TEXTS);
  special.fimSep ??= byText(FIM_SEP_TEXTS);

  const eog = buildEog(special, tokenToId, attrs);

  const specialTokens: number[] = [];
  const mask = TokenAttr.CONTROL | TokenAttr.USER_DEFINED | TokenAttr.UNKNOWN;
  for (let i = 0; i < n; i++) if (attrs[i] & mask) specialTokens.push(i);
  const bytes = new Map(specialTokens.map((id) => [id, utf8Length(texts[id])]));
  specialTokens.sort((a, b) => (bytes.get(b) ?? 0) - (bytes.get(a) ?? 0));

  return {
    type,
    model,
    pre,
    tokens: texts,
    attrs,
    scores,
    tokenToId,
    mergeRanks,
    special,
    addBos,
    addEos,
    addSpacePrefix,
    cleanSpaces: pre?.cleanSpaces ?? false,
    ignoreMerges: pre?.ignoreMerges ?? false,
    eog,
    specialTokens,
  };
}

function buildEog(special: SpecialIds, tokenToId: ReadonlyMap<string, number>, attrs: Uint16Array): Set<number> {
  const eog = new Set<number>();
  for (const id of [special.fimPad, special.fimRep, special.fimSep]) if (id !== undefined) eog.add(id);
  for (const t of EOG_TEXTS) {
    const id = tokenToId.get(t);
    if (id === undefined) continue;
    eog.add(id);
    attrs[id] |= TokenAttr.CONTROL;
  }
  for (const t of HARMONY_USER_DEFINED) {
    const id = tokenToId.get(t);
    if (id !== undefined) attrs[id] = TokenAttr.USER_DEFINED;
  }
  for (const id of [special.eos, special.eot, special.eom]) if (id !== undefined) eog.add(id);

  // o200k_harmony (gpt-oss) and solar-open: `<|end|>` closes a message, not the generation.
  const inEog = (t: string): number | undefined => {
    const id = tokenToId.get(t);
    return id !== undefined && eog.has(id) ? id : undefined;
  };
  const end = inEog('<|end|>');
  const hasCall = inEog('<|call|>') !== undefined || inEog('<|calls|>') !== undefined;
  if (end !== undefined && hasCall && (inEog('<|return|>') !== undefined || inEog('<|flush|>') !== undefined)) {
    eog.delete(end);
    attrs[end] = TokenAttr.USER_DEFINED;
  }
  // gemma4 / paddleocr: `</s>` is plain text there.
  const s = inEog('</s>');
  if (s !== undefined && inEog('<|tool_response>') !== undefined) {
    eog.delete(s);
    attrs[s] = TokenAttr.NORMAL;
  }
  return eog;
}

/** UTF-8 length of a string, without encoding it. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
