// The speed benchmark (not a test): npm run bench [-- --quick] [--models tiny,demo,granite-q4k,granite-q8,qwen3next-q8,qwen35moe-q4k]
// [--tokens N] [--prompt N] [--runs N] [--bandwidth-mib N] [--no-llama] [--profile]
// Prints ONE JSON object on stdout (progress goes to stderr): per model and quant, Pakar's WebGPU
// decode and prefill tokens/s (medians after a warm-up), dispatches per step and per layer,
// submits and readback bytes per step, the active weight bytes a token reads, the adapter's
// streaming bandwidth measured in the same run, the roofline fraction
// (bytes/token × decode tok/s ÷ bandwidth), and llama.cpp's CPU numbers on the same GGUF
// (PERFORMANCE.md). Models are generated once into .cache/bench/ (the 24-layer Q4_K one takes
// 15–25 minutes of JS quantization here; later runs reuse it).
//
// On a software adapter (SwiftShader) a granite-shaped decode step takes ~10 s, so the default
// there uses few tokens for the granite models (see defaultPlan); --quick keeps granite's layer
// shapes and vocabulary but only 2 of its 24 layers: a minute or two, for CI.

import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { openNodeGpu } from './node-webgpu.ts';
import { activeBytesPerToken } from './bench/activeBytes.ts';
import { measureBandwidth } from './bench/bandwidth.ts';
import { round } from './bench/stats.ts';
import { benchLlamaCpp } from './bench/llamaCpp.ts';
import type { LlamaCppResult } from './bench/llamaCpp.ts';
import { benchModels, checkModel, ensureModel } from './bench/models.ts';
import type { BenchModel } from './bench/models.ts';
import { benchWebGpu } from './bench/webgpu.ts';
import { chatBenchPrompts } from './bench/chatPrompts.ts';
import { benchSpeculative } from './bench/speculative.ts';
import { benchExpertCache } from './bench/expertCache.ts';
import type { ExpertCacheBench } from './bench/expertCache.ts';
import type { PromptResult } from './bench/speculative.ts';
import { GpuModel } from '../workers/engine/gpu/model.ts';
import { Rng } from './model-gen/random.ts';
import { parseGguf } from '../workers/engine/gguf/reader.ts';
import { bytesSource } from '../workers/engine/gguf/sources.ts';
import { archOf } from '../workers/engine/model/archs/index.ts';
import { weightsFromByteSource } from '../workers/engine/model/weightSource.ts';

const usage = `usage: npm run bench -- [--quick] [--models NAMES] [--tokens N] [--prompt N] [--runs N] [--bandwidth-mib N] [--no-llama]
  --quick            granite models cut to 2 of their 24 layers, few tokens (CI-sized)
  --models NAMES     comma-separated subset of: tiny, demo (once public/models has it), granite-q4k, granite-q5k,
                     granite-q8, qwen3next-q8, qwen35moe-q4k (default: all)
  --tokens N         timed decode steps per run
  --prompt N         prompt tokens timed as prefill (0: do not time prefill)
  --runs N           timed runs per model after the warm-up
  --bandwidth-mib N  size of the bandwidth probe's buffer (default 256; a multiple of 4)
  --no-llama         skip the llama.cpp reference
  --no-speculative   skip speculative decoding (per drafter vs plain; tiny, demo and granite-q8)
  --draft-max K      draft tokens per step for the speculative runs (default 4)
  --spec-repeats N   runs per speculative mode and prompt (default 7; 1 for granite on a software adapter)
  --profile          time one decode step and one prefill chunk per kernel class (webgpu.profile)
  --expert-cache     record a routing trace, simulate the eviction policies on it, and decode with
                     half the experts paged against fully resident (expertCache)
  --regenerate       rewrite the cached models in .cache/bench/ (after a generator change)`;

const { values: v } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    models: { type: 'string' },
    tokens: { type: 'string' },
    prompt: { type: 'string' },
    runs: { type: 'string' },
    'bandwidth-mib': { type: 'string' },
    'no-llama': { type: 'boolean' },
    'no-speculative': { type: 'boolean' },
    'draft-max': { type: 'string' },
    'spec-repeats': { type: 'string' },
    regenerate: { type: 'boolean' },
    profile: { type: 'boolean' },
    'expert-cache': { type: 'boolean' },
    help: { type: 'boolean' },
  },
  strict: true,
});
if (v.help) {
  console.error(usage);
  process.exit(0);
}

const log = (s: string): void => {
  process.stderr.write(`[bench] ${s}\n`);
};
const int = (name: string, s: string | undefined, min: number): number | undefined => {
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isInteger(n) || n < min) {
    console.error(`--${name} must be an integer ≥ ${min}\n${usage}`);
    process.exit(1);
  }
  return n;
};
const quick = v.quick ?? false;
const flags = { tokens: int('tokens', v.tokens, 1), prompt: int('prompt', v.prompt, 0), runs: int('runs', v.runs, 1), mib: int('bandwidth-mib', v['bandwidth-mib'], 4) };

const catalog = benchModels(quick);
const wanted = v.models ? v.models.split(',').map((s) => s.trim()) : catalog.map((m) => m.name);
const unknown = wanted.filter((n) => !catalog.some((m) => m.name === n));
if (unknown.length) {
  console.error(`unknown model(s) ${unknown.join(', ')}; choose from ${catalog.map((m) => m.name).join(', ')}`);
  process.exit(1);
}
const models = catalog.filter((m) => wanted.includes(m.name));

const gpu = await openNodeGpu();
const { vendor, architecture, description } = gpu.adapterInfo;
const software = /swiftshader|llvmpipe|lavapipe|software|warp|basic render/i.test(`${architecture} ${description}`);
log(`adapter: ${vendor} ${architecture} (${description})${software ? ' — a software adapter' : ''}`);

interface Plan {
  readonly prompt: number;
  readonly tokens: number;
  readonly runs: number;
}

/**
 * Tokens and runs for a model on this adapter, before command-line overrides. On SwiftShader a
 * 24-layer granite decode step takes ~10 s and an 8-token prefill ~30 s: the default there
 * times 2 × (8-token prefill + 3 decode steps) per granite model, ~6 minutes in all.
 */
function defaultPlan(m: BenchModel): Plan {
  const granite = m.name.startsWith('granite');
  if (!software) return quick ? { prompt: 32, tokens: 16, runs: 3 } : { prompt: 64, tokens: 32, runs: 5 };
  if (!granite) return quick ? { prompt: 16, tokens: 8, runs: 2 } : { prompt: 32, tokens: 16, runs: 3 };
  return quick ? { prompt: 8, tokens: 3, runs: 1 } : { prompt: 8, tokens: 3, runs: 2 };
}

const mib = flags.mib ?? (software && quick ? 64 : 256);
log(`bandwidth probe: ${mib} MiB`);
const bandwidth = await measureBandwidth(gpu.device, mib, 5, log);
const bytesPerSecond = bandwidth.GBps * 1e9;

const results: unknown[] = [];
for (const m of models) {
  const path = ensureModel(m, log, v.regenerate);
  const base = defaultPlan(m);
  const plan: Plan = { prompt: flags.prompt ?? base.prompt, tokens: flags.tokens ?? base.tokens, runs: flags.runs ?? base.runs };
  const bytes = new Uint8Array(readFileSync(path));
  const file = parseGguf(bytes);
  const cfg = archOf(file).config(file);
  const stale = checkModel(m, file, cfg);
  if (stale) throw new Error(`${path} does not match the ${m.name} spec (${stale}); run with --regenerate`);
  const active = activeBytesPerToken(file, cfg);
  // Prompt ids drawn from the vocabulary, the last (end-of-text) id excepted.
  const rng = new Rng(42);
  const prompt = Array.from({ length: Math.max(plan.prompt, 1) }, () => rng.int(cfg.nVocab - 1));
  log(`${m.name}: ${(bytes.length / 1e6).toFixed(0)} MB, ${(active.total / 1e6).toFixed(1)} MB active/token; WebGPU: prompt ${plan.prompt}, ${plan.tokens} decode steps × ${plan.runs} runs`);
  const webgpu = await benchWebGpu(gpu, weightsFromByteSource(file, bytesSource(bytes)), { prompt, timePrefill: plan.prompt > 0, decodeTokens: plan.tokens, runs: plan.runs, profile: v.profile }, log);

  let llamaCpp: LlamaCppResult | null = null;
  if (!v['no-llama']) {
    // llama.cpp is fast here: at least a 32-token prompt, 16 decode tokens and 3 runs.
    const llamaPrompt = plan.prompt >= 32 ? prompt : Array.from({ length: 32 }, () => rng.int(cfg.nVocab - 1));
    log(`${m.name}: llama.cpp, prompt ${llamaPrompt.length}, ${Math.max(plan.tokens, 16)} decode tokens`);
    llamaCpp = await benchLlamaCpp(path, llamaPrompt, Math.max(plan.tokens, 16), Math.max(plan.runs, 3), log);
  }

  let speculative: { tokens: number; draftMax: number; repeats: number; draftModel: string | null; prompts: PromptResult[] } | null = null;
  if (!v['no-speculative'] && (m.draft || m.chat)) {
    // A chat model answers to its end of turn (≤ 48 tokens); random models generate a fixed count.
    const tokens = m.chat ? 48 : software ? (m.name === 'tiny' ? 24 : quick ? 6 : 4) : 64;
    // Small models' runs last a second or two, within the machine's noise: more of them.
    const repeats = int('spec-repeats', v['spec-repeats'], 1) ?? (software && !m.chat && m.name !== 'tiny' ? 1 : 7);
    const draftMax = int('draft-max', v['draft-max'], 1) ?? 4;
    const draftBytes = m.draft ? new Uint8Array(readFileSync(ensureModel(m.draft, log, v.regenerate))) : undefined;
    const draftFile = draftBytes ? parseGguf(draftBytes) : undefined;
    log(`${m.name}: speculative decoding, ${m.chat ? 'chat prompts to the end of turn' : `${tokens} tokens per run`}, ${repeats} run(s) per mode, draft model ${m.draft?.note ?? 'none'}`);
    const opts = { maxTokens: draftMax + 1, nCtx: (m.chat ? 128 : 16) + 2 * tokens + draftMax };
    const target = await GpuModel.load(gpu, weightsFromByteSource(file, bytesSource(bytes)), opts);
    const draftModel = draftFile && draftBytes ? await GpuModel.load(gpu, weightsFromByteSource(draftFile, bytesSource(draftBytes)), opts) : undefined;
    try {
      const chat = m.chat ? chatBenchPrompts(file) : undefined;
      const prompts = await benchSpeculative(
        target,
        file,
        draftModel && draftFile ? { model: draftModel, file: draftFile } : undefined,
        { tokens, draftMax, promptLength: 16, repeats, chatPrompts: chat?.prompts, isEog: chat?.isEog },
        log,
      );
      speculative = { tokens, draftMax, repeats, draftModel: m.draft?.note ?? null, prompts };
    } finally {
      draftModel?.destroy();
      target.destroy();
    }
  }

  let expertCache: ExpertCacheBench | null = null;
  if (v['expert-cache']) {
    const tokens = software && m.name.startsWith('granite') ? 6 : 32;
    log(`${m.name}: expert cache, ${tokens} greedy tokens`);
    expertCache = await benchExpertCache(gpu, weightsFromByteSource(file, bytesSource(bytes)), prompt.slice(0, 16), tokens, log);
  }

  results.push({
    name: m.name,
    quant: m.quant,
    description: m.note,
    arch: cfg.arch,
    layers: cfg.nLayer,
    file: { path, bytes: bytes.length },
    activeWeightBytesPerToken: active,
    webgpu: {
      ...webgpu,
      achievedGBps: round((active.total * webgpu.decodeTokPerS) / 1e9, 4),
      rooflineFraction: round((active.total * webgpu.decodeTokPerS) / bytesPerSecond, 5),
    },
    speculative,
    expertCache,
    llamaCpp: llamaCpp && { ...llamaCpp, achievedGBps: round((active.total * llamaCpp.decodeTokPerS) / 1e9, 3) },
    ratios: llamaCpp && {
      decodeWebGpuOverLlamaCpp: round(webgpu.decodeTokPerS / llamaCpp.decodeTokPerS, 5),
      prefillWebGpuOverLlamaCpp: webgpu.prefillTokPerS === null ? null : round(webgpu.prefillTokPerS / llamaCpp.prefillTokPerS, 5),
    },
  });
}

const report = {
  benchmark: 'pakar npm run bench',
  date: new Date().toISOString(),
  mode: quick ? 'quick' : 'default',
  env: {
    node: process.version,
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
    adapter: { vendor, architecture, description, software, shaderF16: gpu.hasF16, subgroups: gpu.hasSubgroups },
  },
  bandwidth: {
    ...bandwidth,
    note: `${mib} MiB read by ${bandwidth.workgroups} workgroups of ${bandwidth.workgroupSize}; the roofline uses the better access pattern${mib !== 256 ? `; a ${mib} MiB buffer instead of 256 MiB (${flags.mib ? '--bandwidth-mib' : '--quick on a software adapter, to keep it short'})` : ''}`,
  },
  definitions: {
    decodeTokPerS: '1 / median time of a greedy single-token step (submit to sampled id read back)',
    prefillTokPerS: 'median over runs of prompt tokens / time to run the prompt (forwardGreedyLast: logits of the last token only)',
    activeWeightBytesPerToken: 'attention + norms + router + k/n_expert of the expert tensors + shared expert + whole output projection + one embedding row, at the file quantization',
    rooflineFraction: 'activeWeightBytesPerToken.total × decodeTokPerS ÷ bandwidth.GBps',
    speculative:
      'greedy generation after each prompt: per mode (off = plain, ngram, self = one expert per token, self-LL = one expert per token and only the first L layers, mtp = the multi-token-prediction block of a model that has one (the demo), draft = the draft model, auto = the planner picks drafter and k) decodeTokPerS = median over `repeats` interleaved runs (runs lists them), tokensPerPass = generated tokens per verifying pass of the model, acceptanceRate = accepted ÷ drafted, meanDraftLength, speedup = decodeTokPerS ÷ plain decodeTokPerS, identical = same tokens as plain in every run; random-weight models: prompts copy (input twice, cut short), edit (the copy with every 5th token changed), free (random); the demo model: a held-out repeat prompt, a held-out replace prompt and a free answer, each to its end of turn',
    llamaCpp: 'same GGUF, CPU, 2 threads; prefill = evaluateWithoutGeneratingNewTokens(prompt); decode = tokens/s of sequence.evaluate over N greedy tokens; median of runs after a warm-up',
  },
  models: results,
};
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`, () => process.exit(0));
