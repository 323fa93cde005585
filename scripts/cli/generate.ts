// `generate`: run the app's generation loop (decode/decodeLoop.ts) on the WebGPU engine (default)
// or the CPU reference; one JSON line per token, then the result line.

import { CpuModel } from '../../reference/cpu/model.ts';
import { cpuStepModel } from '../../reference/cpu/stepModel.ts';
import { decodeLoop, type DecodeEvent, type DecodeStats } from '../../workers/engine/decode/decodeLoop.ts';
import { Speculator } from '../../workers/engine/decode/speculator.ts';
import { defaultSamplerParams, greedyParams, type SamplerParams, type TokenProb } from '../../workers/engine/decode/sampler.ts';
import type { GgufFile } from '../../workers/engine/gguf/types.ts';
import { archOf } from '../../workers/engine/model/archs/index.ts';
import type { KvCacheType } from '../../workers/engine/model/config.ts';
import { StreamDecoder, tokenizerFromGguf, type Tokenizer } from '../../workers/engine/tokenizer/index.ts';
import { CliError, intFlag, numberFlag, parseFlags, required, tokenList } from './args.ts';
import { NgramDrafter } from '../../workers/engine/decode/drafter.ts';
import type { Drafter } from '../../workers/engine/decode/drafter.ts';
import { MtpDrafter } from '../../workers/engine/decode/mtpDrafter.ts';
import { ModelDrafter } from '../../workers/engine/decode/modelDrafter.ts';
import type { SelfDraftOptions } from '../../workers/engine/decode/modelDrafter.ts';
import type { GpuModel } from '../../workers/engine/gpu/model.ts';
import { loadGpuModel, openModelFile } from './model.ts';
import { evictionPolicies } from '../../workers/engine/experts/policy.ts';
import type { EvictionPolicyName } from '../../workers/engine/experts/policy.ts';

export const backends = ['webgpu', 'cpu'] as const;
export type Backend = (typeof backends)[number];
const kvCacheTypes: readonly KvCacheType[] = ['f32', 'f16'];

export interface TokenLine {
  token: number;
  text: string;
  /** Absent with --no-top. */
  top?: TokenProb[];
}

/**
 * The routed-expert cache over the run (GpuModel.expertCache): its GPU MiB (all the experts' when
 * resident), the share of (layer, expert) lookups that found the expert resident, and the bytes
 * paged in and the time spent loading and re-running passes, per token run (prompt and generated).
 */
export interface ExpertCacheFigures {
  expertCacheMiB: number;
  expertHitRate: number;
  expertBytesPagedPerToken: number;
  expertStallMsPerToken: number;
}

/** The loop's stats (its per-decode-step GPU counters all 0 on the CPU), the backend and KV-cache type, and the expert cache's. */
export type CliStats = { backend: Backend; kvCache: KvCacheType; speculative: string } & DecodeStats & Partial<ExpertCacheFigures>;

/** `--speculative`: off, a drafter, or auto; `draft` carries the draft model's path. */
interface SpeculativeFlag {
  readonly mode: 'off' | 'ngram' | 'self' | 'mtp' | 'draft' | 'auto';
  readonly draftPath?: string;
  readonly draftMax: number;
  readonly adaptive: boolean;
  /** How `self` cuts the model down. */
  readonly selfDraft: SelfDraftOptions;
}

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
  readonly speculative: SpeculativeFlag;
  /** Bytes for the routed experts' GPU slots; undefined: all resident. */
  readonly expertCacheBytes: number | undefined;
  readonly expertPolicy: EvictionPolicyName | undefined;
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
    speculative: { type: 'string', default: 'off' },
    'draft-max': { type: 'string' },
    'draft-adaptive': { type: 'boolean', default: false },
    'self-experts': { type: 'string' },
    'self-layers': { type: 'string' },
    'kv-cache': { type: 'string' },
    'expert-cache-mib': { type: 'string' },
    'expert-policy': { type: 'string' },
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
  const selfDraft = { expertsUsed: intFlag(flags['self-experts'], 'self-experts', 1), layers: intFlag(flags['self-layers'], 'self-layers', 1) };
  const speculative = speculativeFrom(flags.speculative, flags['draft-max'], flags['draft-adaptive'], selfDraft);
  if (speculative.mode !== 'off' && flags.top !== undefined) throw new CliError('bad_args', '--speculative reports no per-token top candidates: leave out --top');
  if (speculative.mode !== 'off' && backend === 'cpu') throw new CliError('bad_args', '--speculative runs on the webgpu backend only (its verification relies on batch-invariant GPU kernels)');
  // Speculation reports no per-token `top` (that would need every position's candidates).
  const nTop = flags['no-top'] || speculative.mode !== 'off' ? undefined : (intFlag(flags.top, 'top', 0, 1000) ?? 5);
  const ctxSize = intFlag(flags['ctx-size'], 'ctx-size', 1);
  const sampler = samplerFrom(flags);
  const cacheMiB = numberFlag(flags['expert-cache-mib'], 'expert-cache-mib', 2 ** -20, 2 ** 30);
  const expertPolicy = evictionPolicies.find((p) => p === flags['expert-policy']);
  if (flags['expert-policy'] !== undefined && expertPolicy === undefined) throw new CliError('bad_args', `--expert-policy ${flags['expert-policy']}: use ${evictionPolicies.join(' or ')}`);
  if ((cacheMiB !== undefined || expertPolicy !== undefined) && backend === 'cpu')
    throw new CliError('bad_args', '--expert-cache-mib and --expert-policy page experts on the GPU: use the webgpu backend');
  const expertCacheBytes = cacheMiB === undefined ? undefined : Math.floor(cacheMiB * 2 ** 20);

  const { file, bytes } = openModelFile(required(flags.model, 'model'));
  const tokenizer = tokenizerFromGguf(file);
  const nVocab = archOf(file).config(file).nVocab;
  const prompt = flags.prompt !== undefined ? promptTokens(tokenizer, flags.prompt) : tokenList(flags['prompt-tokens'] ?? '', 'prompt-tokens', nVocab);
  const run: Run = { file, bytes, prompt, sampler, maxTokens, ctxSize, kvCache, tokenizer, nTop, speculative, expertCacheBytes, expertPolicy };

  const tokens: number[] = [];
  let text = '';
  for await (const ev of backend === 'cpu' ? onCpu(run) : onGpu(run)) {
    text += ev.text;
    if (ev.type === 'done') return { tokens, text, sampler, stats: { backend, speculative: flags.speculative, ...ev.stats } };
    tokens.push(ev.token);
    print(ev.top === undefined ? { token: ev.token, text: ev.text } : { token: ev.token, text: ev.text, top: ev.top });
  }
  throw new Error('generation ended without its done event');
}

type CliEvent = Extract<DecodeEvent, { type: 'token' }> | { type: 'done'; text: string; stats: Omit<CliStats, 'backend' | 'speculative'> };

/** The expert cache's figures for a run of `tokens` tokens. */
function expertCacheFigures(model: GpuModel, tokens: number): ExpertCacheFigures {
  const c = model.expertCache;
  const per = (n: number): number => (tokens > 0 ? n / tokens : 0);
  return {
    expertCacheMiB: c.bytes / 2 ** 20,
    expertHitRate: c.lookups > 0 ? c.hits / c.lookups : 1,
    expertBytesPagedPerToken: per(c.bytesPaged),
    expertStallMsPerToken: per(c.stallMs),
  };
}

async function* onGpu(r: Run): AsyncGenerator<CliEvent, void> {
  const model = await loadGpuModel(r.file, r.bytes, r.ctxSize, r.kvCache, { expertCacheBytes: r.expertCacheBytes, expertPolicy: r.expertPolicy });
  let draftModel: GpuModel | undefined;
  try {
    const s = r.speculative;
    let drafters: Drafter[] = [];
    if (s.mode !== 'off') {
      drafters = [new NgramDrafter()];
      const { nExpertUsed, nLayer } = model.cfg;
      if (s.selfDraft.layers !== undefined && s.selfDraft.layers > nLayer) throw new CliError('bad_args', `--self-layers ${s.selfDraft.layers}: the model has ${nLayer} layers`);
      if (s.mode === 'self' || nExpertUsed > 1 || (s.selfDraft.layers ?? nLayer) < nLayer) drafters.push(ModelDrafter.self(model, s.selfDraft));
      const mtp = MtpDrafter.of(model);
      if (mtp instanceof MtpDrafter) drafters.push(mtp);
      else if (s.mode === 'mtp') throw new CliError('bad_args', `--speculative mtp: ${mtp.unavailable}`);
      if (s.draftPath !== undefined) {
        const { file, bytes } = openModelFile(s.draftPath);
        draftModel = await loadGpuModel(file, bytes, model.nCtx, r.kvCache);
        drafters.push(ModelDrafter.separate(draftModel, file, model, r.file));
      }
    }
    const loop = decodeLoop(model, {
      prompt: r.prompt,
      cache: [],
      sampler: r.sampler,
      maxTokens: r.maxTokens,
      isEog: (id) => r.tokenizer.isEog(id),
      detokenizer: new StreamDecoder(r.tokenizer),
      nTop: r.nTop,
      speculation: s.mode === 'off' ? undefined : { speculator: new Speculator(model, drafters), settings: { mode: s.mode, draftMax: s.draftMax, adaptive: s.adaptive } },
    });
    for await (const ev of loop) {
      if (ev.type === 'token') yield ev;
      else if (ev.type === 'done') yield { ...ev, stats: { kvCache: model.lastStep.kvCacheType, ...ev.stats, ...expertCacheFigures(model, ev.stats.promptTokens + ev.stats.generatedTokens) } };
    }
  } finally {
    draftModel?.destroy();
    model.destroy();
  }
}

function speculativeFrom(value: string, draftMax: string | undefined, adaptive: boolean, selfDraft: SelfDraftOptions): SpeculativeFlag {
  const k = intFlag(draftMax, 'draft-max', 0, 64) ?? 4;
  if (value.startsWith('draft:')) {
    const draftPath = value.slice('draft:'.length);
    if (draftPath === '') throw new CliError('bad_args', "--speculative draft:<model.gguf> needs the draft model's path");
    return { mode: 'draft', draftPath, draftMax: k, adaptive, selfDraft };
  }
  if (value === 'off' || value === 'ngram' || value === 'self' || value === 'mtp' || value === 'auto') return { mode: k === 0 ? 'off' : value, draftMax: k, adaptive, selfDraft };
  throw new CliError('bad_args', `--speculative ${value}: use off, ngram, self, mtp, draft:<model.gguf> or auto`);
}

/** The CPU reference: no GPU submits, dispatches or readbacks to count. */
async function* onCpu(r: Run): AsyncGenerator<CliEvent, void> {
  const kvCache = r.kvCache ?? 'f32';
  const model = new CpuModel(r.file, r.bytes, undefined, kvCache);
  const loop = decodeLoop(cpuStepModel(model, r.ctxSize ?? model.cfg.nCtxTrain), {
    prompt: r.prompt,
    cache: [],
    sampler: r.sampler,
    maxTokens: r.maxTokens,
    isEog: (id) => r.tokenizer.isEog(id),
    detokenizer: new StreamDecoder(r.tokenizer),
    nTop: r.nTop,
  });
  for await (const ev of loop) {
    if (ev.type === 'token') yield ev;
    else if (ev.type === 'done') yield { ...ev, stats: { kvCache, ...ev.stats } };
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
