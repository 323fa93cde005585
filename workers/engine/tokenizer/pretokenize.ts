// Pre-tokenizers for byte-level BPE, by `tokenizer.ggml.pre`, as llama.cpp defines them
// (llama-vocab.cpp `llm_tokenizer_bpe` for the regexes, `llama_vocab::impl::load` for the names
// and flags). Each regex in a list splits every piece the previous one produced; text between
// matches is kept as pieces of its own, as `unicode_regex_split` does.
//
// llama.cpp does not run these regexes on the raw text: it first turns non-ASCII whitespace into
// \v, and for regexes with \p{…} classes it maps every other non-ASCII code point to one byte for
// its Unicode category. The same view is used here (whitespace → \v, `\s` = ASCII whitespace
// only), so U+0085 is a space and U+FEFF is not, and U+3000 never matches a CJK range. Its
// category classes agree with JavaScript's \p{L}, \p{N}, \p{P}, \p{S}, \p{M} (ASCII included).

import { TokenizerError } from './errors.ts';

// llama.cpp's White_Space set beyond ASCII; in the match view each of these is \v.
const WIDE_SPACE = /[\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]/g;
const WS = String.raw`\t-\r `;

/** Compiles a regex written in llama.cpp's syntax for the match view (`\s` = ASCII whitespace). */
function llamaRegex(src: string): RegExp {
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      const e = src[i + 1];
      i++;
      if (e === 's') out += inClass ? WS : `[${WS}]`;
      else if (e === 'S' && !inClass) out += `[^${WS}]`;
      else out += c + e;
      continue;
    }
    if (c === '[' && !inClass) inClass = true;
    else if (c === ']' && inClass) inClass = false;
    out += c;
  }
  return new RegExp(out, 'gu');
}

// `(?i:'s|'t|'re|'ve|'m|'ll|'d)` spelled out, as llama.cpp does (no inline flags before ES2025).
const CONTRACTIONS = String.raw`(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])`;

// llama.cpp runs this one as hand-written code (`unicode_regex_split_custom_gpt2`) which also
// takes a lone whitespace before a non-space as a piece: the trailing `|\s+` says the same.
const GPT2 = String.raw`'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`;

const LLAMA3 = String.raw`${CONTRACTIONS}|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`;

const QWEN2 = String.raw`${CONTRACTIONS}|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`;

// HF's form uses \p{Lu}/\p{Ll} classes; llama.cpp's (kept here) treats every non-ASCII letter as
// both upper and lower case, so only ASCII case decides where words split.
const UPPERISH = String.raw`(?:(?=\p{L})[^a-z])`;
const LOWERISH = String.raw`(?:(?=\p{L})[^A-Z])`;
const GPT4O =
  String.raw`[^\r\n\p{L}\p{N}]?${UPPERISH}*${LOWERISH}+${CONTRACTIONS}?` +
  String.raw`|[^\r\n\p{L}\p{N}]?${UPPERISH}+${LOWERISH}*${CONTRACTIONS}?` +
  String.raw`|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`;

// Possessive quantifiers of the HF regex made greedy, as llama.cpp does.
const BAILINGMOE = String.raw`'(?:[sSdDmMtT]|[lL][lL]|[vV][eE]|[rR][eE])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+`;

const DEEPSEEK_V3 = [
  String.raw`\p{N}{1,3}`,
  String.raw`[\u4E00-\u9FA5\u3040-\u309F\u30A0-\u30FF]+`,
  String.raw`[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_\x60{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+` + String.raw`| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
];

const DEEPSEEK_LLM = [
  '[\r\n]',
  // Latin, Greek, Cyrillic, Armenian, Georgian, Cherokee, … letters (DeepSeek-LLM's tokenizer.json).
  String.raw`\s?[A-Za-z\u00B5\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u01BA\u01BC-\u01BF\u01C4-\u0293\u0295-\u02AF\u0370-\u0373\u0376\u0377\u037B-\u037D\u037F\u0386\u0388-\u038A\u038C\u038E-\u03A1\u03A3-\u03F5\u03F7-\u0481\u048A-\u052F\u0531-\u0556\u10A0-\u10C5\u13A0-\u13F5\u13F8-\u13FD\u1C90-\u1CBA\u1CBD-\u1CBF\u1D00-\u1D2B\u1D6B-\u1D77\u1D79-\u1D9A\u1E00-\u1F15\u1F18-\u1F1D\u1F20-\u1F45\u1F48-\u1F4D\u1F50-\u1F57\u1F59\u1F5B\u1F5D\u1F5F-\u1F7D\u1F80-\u1FB4\u1FB6-\u1FBC\u1FBE\u1FC2-\u1FC4\u1FC6-\u1FCC\u1FD0-\u1FD3\u1FD6-\u1FDB\u1FE0-\u1FEC\u1FF2-\u1FF4\u1FF6-\u1FFC\u2102\u2107\u210A-\u2113\u2115\u2119-\u211D\u2124\u2126\u2128\u212A-\u212D\u212F-\u2134\u2139\u213C-\u213F\u2145-\u2149\u214E\u2183\u2184\u2C00-\u2C7B\u2C7E-\u2CE4\u2CEB-\u2CEE\u2CF2\u2CF3\uA640-\uA66D\uA680-\uA69B\uA722-\uA76F\uA771-\uA787\uA78B-\uA78E\uAB70-\uABBF\uFB00-\uFB06\uFB13-\uFB17\uFF21-\uFF3A\uFF41-\uFF5A\u{10400}-\u{1044F}\u{104B0}-\u{104D3}\u{104D8}-\u{104FB}\u{10C80}-\u{10CB2}\u{10CC0}-\u{10CF2}\u{118A0}-\u{118DF}\u{1E900}-\u{1E943}]+`,
  String.raw`\s?[!-/:-~\uFF01-\uFF0F\uFF1A-\uFF5E\u2018-\u201F\u3000-\u3002]+`,
  String.raw`\s+$`,
  String.raw`[\u4E00-\u9FA5\u0800-\u4E00\uAC00-\uD7FF]+`,
  String.raw`\p{N}+`,
];

const FAMILIES = {
  default: [String.raw`[\p{P}\$\+<=>\^~\|]+`, GPT2, String.raw`\p{N}+`, '[0-9][0-9][0-9]'],
  gpt2: [GPT2],
  starcoder: [String.raw`\p{N}`, GPT2],
  llama3: [LLAMA3],
  qwen2: [QWEN2],
  gpt4o: [GPT4O],
  bailingmoe: [BAILINGMOE],
  deepseekV3: DEEPSEEK_V3,
  deepseekLlm: DEEPSEEK_LLM,
} as const satisfies Record<string, readonly string[]>;

type Family = keyof typeof FAMILIES;

interface PreEntry {
  readonly family: Family;
  /** llama.cpp's `clean_spaces`: detokenize removes the space in " ," " 's" etc. */
  readonly cleanSpaces: boolean;
  /** A piece that is already a token is emitted whole, skipping merges (llama3, tekken). */
  readonly ignoreMerges?: boolean;
  /** Default of `tokenizer.ggml.add_bos_token` for this pre-type. */
  readonly addBos?: boolean;
}

const LLAMA3_ENTRY: PreEntry = { family: 'llama3', cleanSpaces: true, ignoreMerges: true, addBos: true };

// Names and flags as in llama.cpp's `llama_vocab::impl::load`; BPE's default is clean_spaces = true.
const PRE_TYPES: Readonly<Record<string, PreEntry>> = {
  default: { family: 'default', cleanSpaces: true },
  llama3: LLAMA3_ENTRY,
  'llama-v3': LLAMA3_ENTRY,
  'llama-bpe': LLAMA3_ENTRY,
  falcon3: LLAMA3_ENTRY,
  'falcon-h1': LLAMA3_ENTRY,
  pixtral: LLAMA3_ENTRY,
  'midm-2.0': LLAMA3_ENTRY,
  lfm2: LLAMA3_ENTRY,
  dbrx: { family: 'llama3', cleanSpaces: true },
  'smaug-bpe': { family: 'llama3', cleanSpaces: true },
  'deepseek-llm': { family: 'deepseekLlm', cleanSpaces: false },
  'deepseek-v3': { family: 'deepseekV3', cleanSpaces: false },
  mpt: { family: 'gpt2', cleanSpaces: true },
  'gpt-2': { family: 'gpt2', cleanSpaces: true },
  'phi-2': { family: 'gpt2', cleanSpaces: true },
  olmo: { family: 'gpt2', cleanSpaces: true },
  jais: { family: 'gpt2', cleanSpaces: true },
  exaone4: { family: 'gpt2', cleanSpaces: true },
  trillion: { family: 'gpt2', cleanSpaces: false },
  starcoder: { family: 'starcoder', cleanSpaces: true },
  refact: { family: 'starcoder', cleanSpaces: true },
  'command-r': { family: 'starcoder', cleanSpaces: false },
  smollm: { family: 'starcoder', cleanSpaces: false },
  codeshell: { family: 'starcoder', cleanSpaces: true },
  exaone: { family: 'starcoder', cleanSpaces: true },
  'minerva-7b': { family: 'starcoder', cleanSpaces: true },
  qwen2: { family: 'qwen2', cleanSpaces: false },
  'deepseek-r1-qwen': { family: 'qwen2', cleanSpaces: false },
  stablelm2: { family: 'qwen2', cleanSpaces: true },
  hunyuan: { family: 'qwen2', cleanSpaces: false },
  megrez: { family: 'qwen2', cleanSpaces: true },
  'gpt-4o': { family: 'gpt4o', cleanSpaces: false },
  llama4: { family: 'gpt4o', cleanSpaces: false },
  'minimax-m2': { family: 'gpt4o', cleanSpaces: false },
  bailingmoe: { family: 'bailingmoe', cleanSpaces: false },
  bailingmoe2: { family: 'bailingmoe', cleanSpaces: false },
  'llada-moe': { family: 'bailingmoe', cleanSpaces: false },
};

export interface PreTokenizer {
  /** The `tokenizer.ggml.pre` value ('default' when the key is missing). */
  readonly name: string;
  readonly regexes: readonly RegExp[];
  readonly cleanSpaces: boolean;
  readonly ignoreMerges: boolean;
  readonly addBos: boolean;
}

/** Every `tokenizer.ggml.pre` value this module accepts. */
export const knownPreTokenizers: readonly string[] = Object.keys(PRE_TYPES);

const compiled = new Map<Family, readonly RegExp[]>();

/** The pre-tokenizer for a `tokenizer.ggml.pre` value; a missing value means 'default', as in llama.cpp. */
export function preTokenizer(pre: string | undefined): PreTokenizer {
  const name = pre === undefined || pre === '' ? 'default' : pre;
  const entry = Object.hasOwn(PRE_TYPES, name) ? PRE_TYPES[name] : undefined;
  if (!entry) {
    throw new TokenizerError('unknown_pre', `unknown pre-tokenizer '${name}' (tokenizer.ggml.pre): this model's tokenizer is not supported yet; ` + `supported: ${knownPreTokenizers.join(', ')}`);
  }
  let regexes = compiled.get(entry.family);
  if (!regexes) {
    regexes = FAMILIES[entry.family].map(llamaRegex);
    compiled.set(entry.family, regexes);
  }
  return {
    name,
    regexes,
    cleanSpaces: entry.cleanSpaces,
    ignoreMerges: entry.ignoreMerges ?? false,
    addBos: entry.addBos ?? false,
  };
}

/**
 * Splits text with each regex in turn. Every piece is split on its own (a lookahead cannot see
 * past its end), and the text between matches becomes a piece too, so nothing is lost.
 */
export function splitText(text: string, regexes: readonly RegExp[]): string[] {
  if (text === '') return [];
  // Matching runs on the view; pieces are cut from the text at the same offsets (one unit each).
  let pieces = [text];
  let views = [text.replace(WIDE_SPACE, '\v')];
  for (const re of regexes) {
    const nextPieces: string[] = [];
    const nextViews: string[] = [];
    const cut = (piece: string, view: string, from: number, to: number): void => {
      nextPieces.push(piece.slice(from, to));
      nextViews.push(view.slice(from, to));
    };
    for (let k = 0; k < pieces.length; k++) {
      const piece = pieces[k];
      const view = views[k];
      let last = 0;
      for (const m of view.matchAll(re)) {
        if (m[0] === '') continue;
        if (m.index > last) cut(piece, view, last, m.index);
        cut(piece, view, m.index, m.index + m[0].length);
        last = m.index + m[0].length;
      }
      if (last < piece.length) cut(piece, view, last, piece.length);
    }
    pieces = nextPieces;
    views = nextViews;
  }
  return pieces;
}
