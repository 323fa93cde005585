// `generate`: run the generation loop on the CPU reference model; one JSON line per token,
// then the result line.

import { CpuModel } from '../../workers/engine/cpu/model.ts';
import { generate, type GenerationStats } from '../../workers/engine/decode/generate.ts';
import { defaultSamplerParams, greedyParams, type SamplerParams, type TokenProb } from '../../workers/engine/decode/sampler.ts';
import { StreamDecoder, tokenizerFromGguf, type Tokenizer } from '../../workers/engine/tokenizer/index.ts';
import { CliError, intFlag, numberFlag, parseFlags, required, tokenList } from './args.ts';
import { readModelFile } from './model.ts';

export const backends = ['cpu'] as const;

export interface TokenLine {
  token: number;
  text: string;
  top: TokenProb[];
}

export interface GenerateResult {
  tokens: number[];
  text: string;
  sampler: SamplerParams;
  stats: GenerationStats;
}

export async function generateCommand(args: string[], print: (line: TokenLine) => void): Promise<GenerateResult> {
  const flags = parseFlags(args, {
    model: { type: 'string' },
    prompt: { type: 'string' },
    'prompt-tokens': { type: 'string' },
    'max-tokens': { type: 'string' },
    greedy: { type: 'boolean', default: false },
    temperature: { type: 'string' },
    seed: { type: 'string' },
    'top-k': { type: 'string' },
    'top-p': { type: 'string' },
    'min-p': { type: 'string' },
    'repeat-penalty': { type: 'string' },
    'repeat-last-n': { type: 'string' },
    top: { type: 'string' },
    'ctx-size': { type: 'string' },
    backend: { type: 'string', default: 'cpu' },
  });
  // Check every flag before the (slow) model load.
  const backend = flags.backend;
  if (!(backends as readonly string[]).includes(backend)) {
    throw new CliError('unsupported_backend', `--backend ${backend} is not available; the only backend so far is 'cpu' (WebGPU comes later)`);
  }
  if ((flags.prompt === undefined) === (flags['prompt-tokens'] === undefined)) {
    throw new CliError('bad_args', 'give exactly one of --prompt and --prompt-tokens (see --help)');
  }
  if (flags.greedy && flags.temperature !== undefined) throw new CliError('bad_args', '--greedy and --temperature exclude each other');
  const maxTokens = required(intFlag(flags['max-tokens'], 'max-tokens', 0), 'max-tokens');
  const nTop = intFlag(flags.top, 'top', 0, 1000) ?? 5;
  const ctxSize = intFlag(flags['ctx-size'], 'ctx-size', 1);
  const sampler = samplerFrom(flags);

  const model = CpuModel.fromBytes(readModelFile(required(flags.model, 'model')));
  const tokenizer = tokenizerFromGguf(model.file);
  const prompt = flags.prompt !== undefined ? promptTokens(tokenizer, flags.prompt) : tokenList(flags['prompt-tokens'] ?? '', 'prompt-tokens', model.cfg.nVocab);

  const tokens: number[] = [];
  let text = '';
  for await (const ev of generate(model, prompt, {
    sampler,
    maxTokens,
    isEog: (id) => tokenizer.isEog(id),
    contextLimit: ctxSize ?? model.cfg.nCtxTrain,
    detokenizer: new StreamDecoder(tokenizer),
    nTop,
  })) {
    text += ev.text;
    if (ev.type === 'done') return { tokens, text, sampler, stats: ev.stats };
    tokens.push(ev.token);
    print({ token: ev.token, text: ev.text, top: ev.top });
  }
  throw new Error('generation ended without its done event');
}

type SamplingFlags = Partial<Record<'temperature' | 'seed' | 'top-k' | 'top-p' | 'min-p' | 'repeat-penalty' | 'repeat-last-n', string>> & { greedy?: boolean };

function samplerFrom(f: SamplingFlags): SamplerParams {
  const d = defaultSamplerParams;
  const temperature = f.greedy ? 0 : (numberFlag(f.temperature, 'temperature', 0, 1000) ?? d.temperature);
  const seed = intFlag(f.seed, 'seed', 0, 0xffffffff);
  const filters = {
    topK: intFlag(f['top-k'], 'top-k', 0) ?? d.topK,
    topP: numberFlag(f['top-p'], 'top-p', 0, 1) ?? d.topP,
    minP: numberFlag(f['min-p'], 'min-p', 0, 1) ?? d.minP,
  };
  const penalty = {
    repetitionPenalty: numberFlag(f['repeat-penalty'], 'repeat-penalty', Number.MIN_VALUE, 1000) ?? d.repetitionPenalty,
    repetitionWindow: intFlag(f['repeat-last-n'], 'repeat-last-n', -1) ?? d.repetitionWindow,
  };
  // Greedy ignores the filters (they always keep the argmax) but not the penalty.
  if (temperature === 0) return { ...greedyParams, ...penalty };
  // Like llama.cpp, a random seed unless one is given; the result line reports it.
  return { temperature, ...filters, ...penalty, seed: seed ?? Math.floor(Math.random() * 0x100000000) };
}

/**
 * Prompt text as llama.cpp's tools tokenize it: control tokens parsed, BOS when the vocabulary
 * asks for it. Not EOS: a prompt that ends in EOS would end the text before it starts.
 */
function promptTokens(tokenizer: Tokenizer, text: string): number[] {
  const ids = tokenizer.encode(text, { parseSpecial: true });
  const bos = tokenizer.vocab.special.bos;
  return tokenizer.vocab.addBos && bos !== undefined ? [bos, ...ids] : ids;
}
