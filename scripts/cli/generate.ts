// `generate`: run the generation loop on the WebGPU engine (default) or the CPU reference; one
// JSON line per token, then the result line.

import { CpuModel } from '../../workers/engine/cpu/model.ts';
import { generate, type GenerationStats } from '../../workers/engine/decode/generate.ts';
import { defaultSamplerParams, greedyParams, type SamplerParams, type TokenProb } from '../../workers/engine/decode/sampler.ts';
import { parseGguf } from '../../workers/engine/gguf/reader.ts';
import type { GgufFile } from '../../workers/engine/gguf/types.ts';
import { archOf } from '../../workers/engine/model/archs/index.ts';
import type { KvCacheType } from '../../workers/engine/model/config.ts';
import { StreamDecoder, tokenizerFromGguf, type Tokenizer } from '../../workers/engine/tokenizer/index.ts';
import { CliError, intFlag, numberFlag, parseFlags, required, tokenList } from './args.ts';
import { generateOnGpu, type GpuGenerateEvent, type StepCounters } from './gpuGenerate.ts';
import { loadGpuModel, readModelFile } from './model.ts';

export const backends = ['webgpu', 'cpu'] as const;
export type Backend = (typeof backends)[number];
const kvCacheTypes: readonly KvCacheType[] = ['f32', 'f16'];

export interface TokenLine {
  token: number;
  text: string;
  /** Absent with --no-top. */
  top?: TokenProb[];
}

/** The loop's stats, the backend and KV-cache type, and its per-decode-step counters (all 0 on the CPU). */
export type CliStats = { backend: Backend; kvCache: KvCacheType } & GenerationStats & StepCounters;

export interface GenerateResult {
  tokens: number[];
  text: string;
  sampler: SamplerParams;
  stats: CliStats;
}

const isBackend = (name: string): name is Backend => (backends as readonly string[]).includes(name);

interface Run {
  readonly file: GgufFile;
  readonly bytes: Uint8Array;
  readonly prompt: number[];
  readonly sampler: SamplerParams;
  readonly maxTokens: number;
  readonly ctxSize: number | undefined;
  /** undefined: the engine's default (f16 where the adapter has shader-f16; f32 on the CPU). */
  readonly kvCache: KvCacheType | undefined;
  readonly tokenizer: Tokenizer;
  /** undefined: no `top` reported. */
  readonly nTop: number | undefined;
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
    'no-top': { type: 'boolean', default: false },
    'ctx-size': { type: 'string' },
    backend: { type: 'string', default: 'webgpu' },
    'kv-cache': { type: 'string' },
  });
  // Check every flag before the (slow) model load.
  const backend = flags.backend;
  if (!isBackend(backend)) {
    throw new CliError('unsupported_backend', `--backend ${backend} is not available; the backends are ${backends.join(' and ')}`);
  }
  const kvCache = kvCacheTypes.find((t) => t === flags['kv-cache']);
  if (flags['kv-cache'] !== undefined && kvCache === undefined) throw new CliError('bad_args', `--kv-cache ${flags['kv-cache']}: use f32 or f16`);
  if ((flags.prompt === undefined) === (flags['prompt-tokens'] === undefined)) {
    throw new CliError('bad_args', 'give exactly one of --prompt and --prompt-tokens (see --help)');
  }
  if (flags.greedy && flags.temperature !== undefined) throw new CliError('bad_args', '--greedy and --temperature exclude each other');
  if (flags['no-top'] && flags.top !== undefined) throw new CliError('bad_args', '--top and --no-top exclude each other');
  const maxTokens = required(intFlag(flags['max-tokens'], 'max-tokens', 0), 'max-tokens');
  const nTop = flags['no-top'] ? undefined : (intFlag(flags.top, 'top', 0, 1000) ?? 5);
  const ctxSize = intFlag(flags['ctx-size'], 'ctx-size', 1);
  const sampler = samplerFrom(flags);

  const bytes = readModelFile(required(flags.model, 'model'));
  const file = parseGguf(bytes);
  const tokenizer = tokenizerFromGguf(file);
  const nVocab = archOf(file).config(file).nVocab;
  const prompt = flags.prompt !== undefined ? promptTokens(tokenizer, flags.prompt) : tokenList(flags['prompt-tokens'] ?? '', 'prompt-tokens', nVocab);
  const run: Run = { file, bytes, prompt, sampler, maxTokens, ctxSize, kvCache, tokenizer, nTop };

  const tokens: number[] = [];
  let text = '';
  for await (const ev of backend === 'cpu' ? onCpu(run) : onGpu(run)) {
    text += ev.text;
    if (ev.type === 'done') return { tokens, text, sampler, stats: { backend, ...ev.stats } };
    tokens.push(ev.token);
    print(ev.top === undefined ? { token: ev.token, text: ev.text } : { token: ev.token, text: ev.text, top: ev.top });
  }
  throw new Error('generation ended without its done event');
}

type CliEvent = Exclude<GpuGenerateEvent, { type: 'done' }> | { type: 'done'; text: string; stats: Omit<CliStats, 'backend'> };

async function* onGpu(r: Run): AsyncGenerator<CliEvent, void> {
  const model = await loadGpuModel(r.file, r.bytes, r.ctxSize, r.kvCache);
  try {
    for await (const ev of generateOnGpu(model, r.prompt, {
      sampler: r.sampler,
      maxTokens: r.maxTokens,
      isEog: (id) => r.tokenizer.isEog(id),
      detokenizer: new StreamDecoder(r.tokenizer),
      nTop: r.nTop,
    })) {
      yield ev.type === 'done' ? { ...ev, stats: { kvCache: model.lastStep.kvCacheType, ...ev.stats } } : ev;
    }
  } finally {
    model.destroy();
  }
}

/** The CPU reference: no GPU submits, dispatches or readbacks to count. */
async function* onCpu(r: Run): AsyncGenerator<CliEvent, void> {
  const kvCache = r.kvCache ?? 'f32';
  const model = new CpuModel(r.file, r.bytes, undefined, kvCache);
  for await (const ev of generate(model, r.prompt, {
    sampler: r.sampler,
    maxTokens: r.maxTokens,
    isEog: (id) => r.tokenizer.isEog(id),
    contextLimit: r.ctxSize ?? model.cfg.nCtxTrain,
    detokenizer: new StreamDecoder(r.tokenizer),
    nTop: r.nTop ?? 0,
  })) {
    if (ev.type === 'done') yield { ...ev, stats: { kvCache, ...ev.stats, submitsPerStep: 0, readbackBytesPerStep: 0, dispatchesPerStep: 0 } };
    else yield r.nTop === undefined ? { type: 'token', token: ev.token, text: ev.text } : ev;
  }
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
