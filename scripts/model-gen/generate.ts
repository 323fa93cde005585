// Writes a GGUF MoE model with deterministic random weights, for tests and benchmarks.
//
// Random weights give flat next-token distributions whose argmax flips on rounding noise, so
// the output projection is built to favour one successor per token: row v of `output` is
// outputGain·E[σ(v)] plus noise, for a random permutation σ. Logits keep clear top-1 margins
// while attention and the experts still move every probability.

import type { GgmlTypeInfo, GgmlTypeName } from '../../workers/engine/quant/types.ts';
import { ggmlTypeByName } from '../../workers/engine/quant/types.ts';
import { quantize } from '../../reference/quant/quantize.ts';
import { kv, writeGguf } from '../../reference/gguf/writer.ts';
import type { TensorToWrite } from '../../reference/gguf/writer.ts';
import type { GgufKv } from '../../workers/engine/gguf/types.ts';
import { globalTensors, layerTensorName } from '../../workers/engine/model/tensorNames.ts';
import type { LayerTensor } from '../../workers/engine/model/tensorNames.ts';
import { Rng } from './random.ts';
import { gptOssHparams, gptOssLayerExtras, gptOssYarn } from './gptoss.ts';
import { harmony } from './harmony.ts';
import { scriptedVocab } from './scripted.ts';
import { think } from './think.ts';
import { fixtureVocab, syntheticVocab } from './vocab.ts';
import { defaultDeepseek2, deepseek2Hparams, deepseek2Layer } from './deepseek2.ts';
import type { Deepseek2Spec } from './deepseek2.ts';
import { defaultGlm4Moe, glm4MoeHparams, glm4MoeLayer } from './glm4moe.ts';
import type { Glm4MoeSpec } from './glm4moe.ts';
import { defaultQwenHybrid, qwenHybridHparams, qwenHybridLayer } from './qwenHybrid.ts';
import type { QwenHybridSpec } from './qwenHybrid.ts';

export const generatorArchs = ['qwen3moe', 'qwen2moe', 'olmoe', 'granitemoe', 'llama', 'deepseek2', 'gpt-oss', 'glm4moe', 'qwen3next', 'qwen35moe'] as const;
export type GeneratorArch = (typeof generatorArchs)[number];

/** Quant type per tensor class; norms and biases are always F32. */
export interface TensorTypes {
  readonly embd: GgmlTypeName;
  readonly attn: GgmlTypeName;
  readonly router: GgmlTypeName;
  readonly experts: GgmlTypeName;
  readonly shexp: GgmlTypeName;
  readonly output: GgmlTypeName;
}

export interface ModelSpec {
  readonly arch: GeneratorArch;
  readonly seed: number;
  readonly nLayer: number;
  readonly nEmbd: number;
  readonly nHead: number;
  readonly nHeadKv: number;
  readonly nExpert: number;
  readonly nExpertUsed: number;
  /** Width of each routed expert. */
  readonly nFf: number;
  /** Width of the shared expert (qwen2moe; granitemoe when > 0). */
  readonly nFfShexp: number;
  /** Synthetic vocabulary size, unless `vocab` names a fixture. */
  readonly nVocab: number;
  /** A vocab fixture name (`qwen2`, `refact`, `llama-spm`, ...) to take the tokenizer from. */
  readonly vocab?: string;
  readonly nCtx: number;
  readonly types: TensorTypes;
  /** Tie the output projection to token_embd (no output.weight), as Granite does. */
  readonly tied: boolean;
  /** Write per-head attention sink logits (`attn_sinks`), as gpt-oss has. */
  readonly sinks?: boolean;
  /** Write `rope.scaling.*` keys (linear or YaRN context extension). */
  readonly ropeScaling?: { readonly type: 'linear' | 'yarn'; readonly factor: number; readonly originalContext: number };
  /** A chat vocabulary with a template and a scripted greedy answer (harmony: gpt-oss; think: Qwen3). */
  readonly chat?: 'harmony' | 'think';
  /** gpt-oss: window of its sliding-window (even) layers. */
  readonly slidingWindow?: number;
  /** deepseek2's MLA, dense-lead and routing choices (defaults: defaultDeepseek2). */
  readonly deepseek2?: Partial<Deepseek2Spec>;
  /** glm4moe's dense lead, NextN blocks, Q/K norm and routing (defaults: defaultGlm4Moe). */
  readonly glm4?: Partial<Glm4MoeSpec>;
  /** qwen3next / qwen35moe: DeltaNet sizes, attention interval, NextN blocks (defaults: defaultQwenHybrid). */
  readonly hybrid?: Partial<QwenHybridSpec>;
}

export function allTypes(t: GgmlTypeName): TensorTypes {
  return { embd: t, attn: t, router: t, experts: t, shexp: t, output: t };
}

export const defaultSpec: ModelSpec = {
  arch: 'qwen3moe',
  seed: 1,
  nLayer: 2,
  nEmbd: 64,
  nHead: 4,
  nHeadKv: 2,
  nExpert: 8,
  nExpertUsed: 2,
  nFf: 64,
  nFfShexp: 96,
  nVocab: 384,
  nCtx: 512,
  types: allTypes('F32'),
  tied: false,
};

/** Granite's multipliers, from granite-3.1-1b-a400m (attention.scale set per head size). */
const granite = { embeddingScale: 12, residualScale: 0.22, logitScale: 6 };

/**
 * The requested type when the row length fits its blocks; otherwise Q8_0 or F16 (llama.cpp's
 * quantizer also falls back for rows that are not whole blocks).
 */
function typeFor(name: GgmlTypeName, rowLength: number): GgmlTypeInfo {
  for (const t of [name, 'Q8_0', 'F16', 'F32'] as const) {
    const info = ggmlTypeByName(t);
    if (rowLength % info.blockSize === 0) return info;
  }
  return ggmlTypeByName('F32');
}

export function generateModel(partial: Partial<ModelSpec> & Pick<ModelSpec, 'arch'>): Uint8Array {
  const s: ModelSpec = { ...defaultSpec, ...partial };
  // llama.cpp sizes OLMoE's K norm as n_embd: the architecture is multi-head, not GQA.
  if (s.arch === 'olmoe' && s.nHeadKv !== s.nHead) throw new RangeError('olmoe models need nHeadKv = nHead');
  const rng = new Rng(s.seed);
  const vocab = s.chat ? scriptedVocab(s.chat === 'harmony' ? harmony : think, s.nVocab, rng) : s.vocab ? fixtureVocab(s.vocab) : syntheticVocab(s.nVocab, rng);
  const headDim = s.nEmbd / s.nHead;
  const nV = vocab.size;
  const a = s.arch;
  const tensors: TensorToWrite[] = [];

  const add = (name: string, dims: number[], values: Float32Array, typeName: GgmlTypeName): void => {
    const type = typeFor(typeName, dims[0]);
    tensors.push({ name, dims, type, data: quantize(type, values) });
  };
  const norm = (name: string, n: number): void => add(name, [n], rng.gaussian(n, 0.1, 1), 'F32');
  /** A [cols → rows] projection with unit-variance outputs for unit-variance inputs, times gain. */
  const linear = (name: string, cols: number, rows: number, type: GgmlTypeName, gain = 1, experts = 1): void =>
    add(name, experts > 1 ? [cols, rows, experts] : [cols, rows], rng.gaussian(cols * rows * experts, gain / Math.sqrt(cols)), type);
  const layer = (il: number, t: LayerTensor): string => layerTensorName(il, t);

  const embd = rng.gaussian(s.nEmbd * nV, 1);
  add(globalTensors.tokenEmbd, [s.nEmbd, nV], embd, s.types.embd);

  const ds: Deepseek2Spec = { ...defaultDeepseek2, ...s.deepseek2 };
  const sink = {
    rng,
    norm,
    linear,
    random: (name: string, dims: number[], std: number, type: GgmlTypeName): void =>
      add(
        name,
        dims,
        rng.gaussian(
          dims.reduce((x, y) => x * y, 1),
          std,
        ),
        type,
      ),
    values: (name: string, dims: number[], data: Float32Array, type: GgmlTypeName): void => add(name, dims, data, type),
  };
  const glm: Glm4MoeSpec = { ...defaultGlm4Moe, ...s.glm4 };
  const hy: QwenHybridSpec = { ...defaultQwenHybrid, ...s.hybrid };
  const hybrid = a === 'qwen3next' || a === 'qwen35moe' ? a : undefined;
  const blocks = s.nLayer + (a === 'glm4moe' ? glm.nextn : a === 'deepseek2' ? (ds.nextn ?? 0) : hybrid ? hy.nextn : 0);
  const shape = {
    nEmbd: s.nEmbd,
    nHead: s.nHead,
    nHeadKv: s.nHeadKv,
    nExpert: s.nExpert,
    nFf: s.nFf,
    attnType: s.types.attn,
    expertsType: s.types.experts,
    shexpType: s.types.shexp,
    routerType: s.types.router,
  };
  for (let il = 0; il < blocks; il++) {
    if (a === 'glm4moe') {
      glm4MoeLayer(sink, il, s.nLayer, glm, shape);
      continue;
    }
    if (a === 'deepseek2') {
      deepseek2Layer(sink, il, s.nLayer, ds, shape);
      continue;
    }
    if (hybrid) {
      qwenHybridLayer(sink, hybrid, il, s.nLayer, hy, { ...shape, nFfShexp: s.nFfShexp });
      continue;
    }
    const qDim = s.nHead * headDim;
    const kvDim = s.nHeadKv * headDim;
    norm(layer(il, 'attnNorm'), s.nEmbd);
    linear(layer(il, 'attnQ'), s.nEmbd, qDim, s.types.attn);
    linear(layer(il, 'attnK'), s.nEmbd, kvDim, s.types.attn);
    linear(layer(il, 'attnV'), s.nEmbd, kvDim, s.types.attn);
    if (a === 'qwen2moe' || a === 'gpt-oss') {
      add(layer(il, 'attnQBias'), [qDim], rng.gaussian(qDim, 0.2), 'F32');
      add(layer(il, 'attnKBias'), [kvDim], rng.gaussian(kvDim, 0.2), 'F32');
      add(layer(il, 'attnVBias'), [kvDim], rng.gaussian(kvDim, 0.2), 'F32');
    }
    if (a === 'qwen3moe') {
      norm(layer(il, 'attnQNorm'), headDim);
      norm(layer(il, 'attnKNorm'), headDim);
    }
    if (a === 'olmoe') {
      norm(layer(il, 'attnQNorm'), qDim);
      norm(layer(il, 'attnKNorm'), kvDim);
    }
    if (s.sinks || a === 'gpt-oss') add(layer(il, 'attnSinks'), [s.nHead], rng.gaussian(s.nHead, 1), 'F32');
    linear(layer(il, 'attnOutput'), qDim, s.nEmbd, s.types.attn, 0.5);
    if (a === 'gpt-oss') gptOssLayerExtras(il, s, add, norm, rng);
    else norm(layer(il, 'ffnNorm'), s.nEmbd);
    // gpt-oss routes on raw logits: a wider spread keeps its top-k choices clear of ties.
    linear(layer(il, 'ffnGateInp'), s.nEmbd, s.nExpert, s.types.router, a === 'gpt-oss' ? 8 : 3);
    // gpt-oss: a larger gate and up so that its SwiGLU clamp (±7) is reached now and then.
    const gu = a === 'gpt-oss' ? 3 : 1;
    linear(layer(il, 'ffnGateExps'), s.nEmbd, s.nFf, s.types.experts, gu, s.nExpert);
    linear(layer(il, 'ffnUpExps'), s.nEmbd, s.nFf, s.types.experts, gu, s.nExpert);
    linear(layer(il, 'ffnDownExps'), s.nFf, s.nEmbd, s.types.experts, a === 'gpt-oss' ? 0.1 : 0.7, s.nExpert);
    const shexp = a === 'qwen2moe' || (a === 'granitemoe' && s.nFfShexp > 0);
    if (shexp) {
      if (a === 'qwen2moe') add(layer(il, 'ffnGateInpShexp'), [s.nEmbd], rng.gaussian(s.nEmbd, 1 / Math.sqrt(s.nEmbd)), 'F32');
      linear(layer(il, 'ffnGateShexp'), s.nEmbd, s.nFfShexp, s.types.shexp);
      linear(layer(il, 'ffnUpShexp'), s.nEmbd, s.nFfShexp, s.types.shexp);
      linear(layer(il, 'ffnDownShexp'), s.nFfShexp, s.nEmbd, s.types.shexp, 0.5);
    }
  }
  norm(globalTensors.outputNorm, s.nEmbd);

  if (!s.tied) {
    // Row v favours the tokens whose embedding is E[σ(v)]; see the header comment.
    const sigma = rng.permutation(nV);
    // A scripted successor: row `next` favours `token` (swapped in, so σ stays a permutation).
    for (const [token, next] of vocab.successors ?? []) {
      const j = sigma.indexOf(token);
      [sigma[j], sigma[next]] = [sigma[next], token];
    }
    const scripted = new Set((vocab.successors ?? []).map(([, next]) => next));
    const gain = (a === 'granitemoe' ? granite.logitScale : 1) * 6;
    const out = rng.gaussian(nV * s.nEmbd, (a === 'granitemoe' ? granite.logitScale : 1) / Math.sqrt(s.nEmbd));
    const special = new Set(vocab.special);
    for (let v = 0; v < nV; v++) {
      const src = sigma[v] * s.nEmbd;
      for (let i = 0; i < s.nEmbd; i++) {
        const o = v * s.nEmbd + i;
        out[o] = special.has(v) ? 0 : out[o] + ((scripted.has(v) ? 2 : 1) * gain * embd[src + i]) / s.nEmbd;
      }
    }
    add(globalTensors.output, [s.nEmbd, nV], out, s.types.output);
  }

  const extra = a === 'deepseek2' ? deepseek2Hparams(ds, s.nHead, s.nFf) : a === 'glm4moe' ? glm4MoeHparams(glm, s.nFf) : hybrid ? qwenHybridHparams(hybrid, hy, s.nFf, s.nFfShexp) : [];
  // GLM rotates half of each head (partial_rotary_factor 0.5), the Qwen hybrids a quarter.
  const ropeDim = a === 'deepseek2' ? ds.ropeDim : a === 'glm4moe' ? headDim / 2 : hybrid ? hy.attnHeadDim / 4 : headDim;
  return writeGguf({ metadata: [...hparams(s, ropeDim, nV, blocks), ...extra, ...vocab.metadata], tensors });
}

function hparams(s: ModelSpec, ropeDim: number, nVocab: number, blocks: number): GgufKv[] {
  const headDim = s.nEmbd / s.nHead;
  const a = s.arch;
  const k = (key: string): string => `${a}.${key}`;
  const m: GgufKv[] = [
    kv.string('general.architecture', a),
    kv.string('general.name', `pakar-test-${a}-seed${s.seed}`),
    kv.u32('general.alignment', 32),
    kv.u32(k('vocab_size'), nVocab),
    kv.u32(k('context_length'), s.nCtx),
    kv.u32(k('embedding_length'), s.nEmbd),
    kv.u32(k('block_count'), blocks),
    kv.u32(k('attention.head_count'), s.nHead),
    ...(a === 'deepseek2' ? [] : [kv.u32(k('attention.head_count_kv'), s.nHeadKv)]),
    kv.u32(k('rope.dimension_count'), ropeDim),
    kv.f32(k('rope.freq_base'), a === 'olmoe' || a === 'llama' || a === 'deepseek2' ? 10000 : a === 'gpt-oss' ? 150000 : 1000000),
    kv.f32(k('attention.layer_norm_rms_epsilon'), 1e-6),
    kv.u32(k('expert_count'), s.nExpert),
    kv.u32(k('expert_used_count'), s.nExpertUsed),
  ];
  if (a === 'glm4moe') m.push(kv.u32(k('attention.key_length'), headDim), kv.u32(k('attention.value_length'), headDim));
  if (a === 'qwen3moe' || a === 'qwen2moe') {
    m.push(kv.u32(k('feed_forward_length'), s.nFf * 4), kv.u32(k('expert_feed_forward_length'), s.nFf));
    if (a === 'qwen3moe') m.push(kv.u32(k('attention.key_length'), headDim), kv.u32(k('attention.value_length'), headDim));
  } else if (a !== 'deepseek2' && a !== 'gpt-oss' && a !== 'glm4moe' && a !== 'qwen3next' && a !== 'qwen35moe') {
    m.push(kv.u32(k('feed_forward_length'), s.nFf));
  }
  if (a === 'qwen2moe' || (a === 'granitemoe' && s.nFfShexp > 0)) m.push(kv.u32(k('expert_shared_feed_forward_length'), s.nFfShexp));
  if (a === 'gpt-oss') m.push(...gptOssHparams(s, headDim));
  const ropeScaling = s.ropeScaling ?? (a === 'gpt-oss' ? gptOssYarn : undefined);
  if (ropeScaling) {
    m.push(kv.string(k('rope.scaling.type'), ropeScaling.type), kv.f32(k('rope.scaling.factor'), ropeScaling.factor), kv.u32(k('rope.scaling.original_context_length'), ropeScaling.originalContext));
  }
  if (a === 'granitemoe') {
    m.push(
      kv.f32(k('attention.scale'), 1 / headDim),
      kv.f32(k('embedding_scale'), granite.embeddingScale),
      kv.f32(k('residual_scale'), granite.residualScale),
      kv.f32(k('logit_scale'), granite.logitScale),
    );
  }
  return m;
}
