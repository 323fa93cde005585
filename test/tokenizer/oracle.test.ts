// Reference: our tokenizer against llama.cpp itself (node-llama-cpp, vocab-only loads), on strings
// the vectors do not cover (special tokens, emoji, CJK, odd whitespace), on decoding, on the EOG
// set and token attributes, and, through synthetic copies of the gpt-2 vocab with another
// `tokenizer.ggml.pre`, on every pre-tokenizer family.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Llama, LlamaModel, Token } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeGguf } from '../../reference/gguf/writer.ts';
import type { GgufFile } from '../../workers/engine/gguf/types.ts';
import { TokenAttr, Tokenizer, tokenizerFromGguf } from '../../workers/engine/tokenizer/index.ts';
import { loadGguf, loadTokenizer, meta, readVectors, vectorVocabs, vocabPath, withMetadata } from './helpers.ts';

const PROBES = [
  '',
  ' ',
  'Hello world',
  '<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n',
  '<|endoftext|><|begin_of_text|><s>x</s><unk>[PAD151646]<fim_prefix>a<fim_suffix>b<fim_middle>',
  '<|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>',
  '🦙🦙 👩‍👩‍👧‍👦 🏳️‍🌈 ✅ (emoji)',
  '我想在apple工作1314151天～ 日本語のテキスト、カタカナ。 한국어 텍스트',
  'Ελληνικά Русский текст عربي עברית हिन्दी ไทย',
  ' \t \n\n\r\n  \u00a0 \u3000\u3000! \u2028 \u0085\u0085x \uFEFF\uFEFFy \u200b',
  "I'M HERE, y'all 'Re 'LL 's don't",
  '1234567890 3.14159 1e-10 ١٢٣ ①②',
  '~~ ~a ~! `code` $x+y=z^2 | a<b>c',
  'e\u0301 n\u0303 \u0915\u094D\u0937 ÉCOLE HELLOworld',
  'ＡＢＣ！？\u3000ｘ',
  'tab\tsep\tand    spaces    end   ',
  '\n\n\n',
  'lone \uD800 surrogate',
];

let llama: Llama;
let tmp: string;

beforeAll(async () => {
  const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
  llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
  tmp = mkdtempSync(path.join(os.tmpdir(), 'pakar-tok-'));
});

afterAll(async () => {
  await llama?.dispose();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const load = (modelPath: string): Promise<LlamaModel> => llama.loadModel({ modelPath, vocabOnly: true });

/** Writes a GGUF (metadata only) so that llama.cpp can load the same vocabulary we build. */
function writeTmp(name: string, file: GgufFile): string {
  const p = path.join(tmp, `${name}.gguf`);
  writeFileSync(p, writeGguf({ metadata: [...file.metadata.values()], tensors: [] }));
  return p;
}

/** Every string (both special-parsing modes) whose ids differ, as a readable list. */
function encodeMismatches(tok: Tokenizer, model: LlamaModel, texts: readonly string[]): string[] {
  const bad: string[] = [];
  for (const text of texts) {
    for (const parseSpecial of [false, true]) {
      const ours = tok.encode(text, { parseSpecial });
      const theirs = Array.from(model.tokenize(text, parseSpecial));
      if (JSON.stringify(ours) !== JSON.stringify(theirs)) {
        bad.push(`${JSON.stringify(text)} special=${parseSpecial}: ours ${ours.join(' ')} / llama.cpp ${theirs.join(' ')}`);
      }
    }
  }
  return bad;
}

/** Decoding as llama_detokenize (with its space clean-up), plain and with special tokens shown. */
function decodeMismatches(tok: Tokenizer, model: LlamaModel, idLists: readonly (readonly number[])[]): string[] {
  const bad: string[] = [];
  for (const ids of idLists) {
    for (const special of [false, true]) {
      const ours = tok.decode(ids, { special, cleanSpaces: true });
      const theirs = model.detokenize(ids as readonly Token[], special);
      if (ours !== theirs) bad.push(`[${ids.join(' ')}] special=${special}: ${JSON.stringify(ours)} / ${JSON.stringify(theirs)}`);
    }
  }
  return bad;
}

/**
 * EOG membership and token attributes for every id. node-llama-cpp's isEogToken also answers
 * true for its eos and eot ids (which llama.cpp picks among candidates in hash order), so those
 * two count as EOG on our side too.
 */
function vocabMismatches(tok: Tokenizer, model: LlamaModel): string[] {
  const bad: string[] = [];
  const bits = [
    ['control', TokenAttr.CONTROL],
    ['userDefined', TokenAttr.USER_DEFINED],
    ['unknown', TokenAttr.UNKNOWN],
    ['byte', TokenAttr.BYTE],
    ['normal', TokenAttr.NORMAL],
    ['unused', TokenAttr.UNUSED],
  ] as const;
  // node-llama-cpp reports eos only when it is a control token.
  const eos = tok.vocab.special.eos;
  if (model.tokens.eos !== (eos !== undefined && tok.isControl(eos) ? eos : null)) bad.push(`eos ${eos} / ${model.tokens.eos}`);
  for (let id = 0; id < tok.size && bad.length < 20; id++) {
    const eog = tok.isEog(id) || id === model.tokens.eos || id === model.tokens.eot;
    if (eog !== model.isEogToken(id as Token)) bad.push(`${id} ${tok.tokenText(id)}: eog ${eog}`);
    const a = model.getTokenAttributes(id as Token);
    for (const [name, bit] of bits) {
      const ours = (tok.vocab.attrs[id] & bit) !== 0;
      if (ours !== a[name]) bad.push(`${id} ${JSON.stringify(tok.tokenText(id))}: ${name} ours ${ours}`);
    }
  }
  return bad;
}

/** Ids worth decoding: every vector, and every probe with special tokens parsed. */
function idLists(tok: Tokenizer, vectors: readonly string[]): number[][] {
  return [...vectors, ...PROBES].flatMap((t) => [tok.encode(t), tok.encode(t, { parseSpecial: true })]);
}

describe.each(vectorVocabs())('%s against llama.cpp', (name) => {
  let model: LlamaModel;
  beforeAll(async () => {
    model = await load(vocabPath(name));
  });
  afterAll(async () => {
    await model?.dispose();
  });

  const specialsOf = (tok: Tokenizer): string[] => {
    const texts = tok.vocab.specialTokens.slice(0, 8).map((id) => tok.tokenText(id));
    return [texts.join(''), texts.map((t) => `a ${t}b`).join(' \n')];
  };

  it('encodes probe strings and the vocab’s own special tokens the same', () => {
    const tok = loadTokenizer(name);
    expect(encodeMismatches(tok, model, [...PROBES, ...specialsOf(tok)])).toEqual([]);
  });

  it('encodes with BOS/EOS the same', () => {
    const tok = loadTokenizer(name);
    const { addBos, addEos, special } = tok.vocab;
    const ids = tok.encode('Hello', { addSpecial: true });
    const plain = tok.encode('Hello');
    expect(ids).toEqual([...(addBos ? [special.bos] : []), ...plain, ...(addEos ? [special.eos] : [])]);
  });

  it('decodes like llama_detokenize', () => {
    const tok = loadTokenizer(name);
    const lists = idLists(
      tok,
      readVectors(name).map((v) => v.text),
    );
    expect(decodeMismatches(tok, model, lists)).toEqual([]);
  });

  it('has the same EOG set and token attributes', () => {
    expect(vocabMismatches(loadTokenizer(name), model)).toEqual([]);
  });
});

// Every pre-tokenizer family, on the gpt-2 vocabulary (complete byte-level, so any split encodes).
const FAMILIES = ['default', 'llama3', 'dbrx', 'starcoder', 'command-r', 'qwen2', 'megrez', 'deepseek-llm', 'deepseek-v3', 'gpt-4o', 'bailingmoe2', 'trillion'];

describe.each(FAMILIES)('pre-tokenizer %s against llama.cpp', (pre) => {
  let model: LlamaModel;
  let tok: Tokenizer;
  beforeAll(async () => {
    const file = withMetadata(loadGguf('gpt-2'), [meta('tokenizer.ggml.pre', pre)]);
    tok = tokenizerFromGguf(file);
    model = await load(writeTmp(`pre-${pre}`, file));
  });
  afterAll(async () => {
    await model?.dispose();
  });

  it('encodes the vectors and probes the same', () => {
    const texts = [...readVectors('gpt-2').map((v) => v.text), ...PROBES];
    expect(encodeMismatches(tok, model, texts)).toEqual([]);
  });

  it('decodes the same (its clean_spaces flag)', () => {
    expect(
      decodeMismatches(
        tok,
        model,
        idLists(
          tok,
          readVectors('gpt-2').map((v) => v.text),
        ),
      ),
    ).toEqual([]);
  });
});

// Attribute fix-ups llama.cpp applies by token text: harmony tokens, EOT-looking normal tokens,
// user-defined tokens, and the default special ids when the keys are missing.
describe('token text rules against llama.cpp', () => {
  const extra: [string, number][] = [
    ['<|start|>', 3],
    ['<|channel|>', 3],
    ['<|message|>', 3],
    ['<|end|>', 3],
    ['<|return|>', 3],
    ['<|call|>', 3],
    ['<|constrain|>', 3],
    ['<|im_end|>', 1],
    ['<fim_prefix>', 1],
    ['<think>', 4],
  ];
  let model: LlamaModel;
  let tok: Tokenizer;
  beforeAll(async () => {
    const base = loadGguf('gpt-2');
    const tokens = [...(base.metadata.get('tokenizer.ggml.tokens')?.value as string[]), ...extra.map((e) => e[0])];
    const types = [...(base.metadata.get('tokenizer.ggml.token_type')?.value as number[]), ...extra.map((e) => e[1])];
    const metadata = new Map(base.metadata);
    metadata.delete('tokenizer.ggml.bos_token_id');
    metadata.delete('tokenizer.ggml.eos_token_id');
    const file = withMetadata({ ...base, metadata }, [meta('tokenizer.ggml.tokens', tokens), meta('tokenizer.ggml.token_type', types)]);
    tok = tokenizerFromGguf(file);
    model = await load(writeTmp('text-rules', file));
  });
  afterAll(async () => {
    await model?.dispose();
  });

  it('has the same EOG set and attributes', () => {
    expect(vocabMismatches(tok, model)).toEqual([]);
    const id = (t: string): number => tok.vocab.tokenToId.get(t) ?? -1;
    expect(tok.isEog(id('<|end|>'))).toBe(false); // removed: <|return|> and <|call|> exist
    expect(tok.isEog(id('<|return|>'))).toBe(true);
    expect(tok.isEog(11)).toBe(true); // llama.cpp's default BPE eos id when the key is missing
  });

  it('encodes and decodes the same', () => {
    const texts = ['<|start|>assistant<|channel|>final<|message|>Hi<|end|><|return|>', 'a<|im_end|>b<fim_prefix>c<think>d</think>'];
    expect(encodeMismatches(tok, model, texts)).toEqual([]);
    expect(
      decodeMismatches(
        tok,
        model,
        texts.map((t) => tok.encode(t, { parseSpecial: true })),
      ),
    ).toEqual([]);
  });
});
