// Benchmark models: written by the project's generator (scripts/model-gen) into .cache/bench/,
// cached by spec. The 24-layer granite-shaped files take 5 (Q8_0) and 15–25 (Q4_K) minutes of JS
// quantization here, so unlike the test models they are not keyed by the generator's source: a
// speed benchmark needs the shapes and types, which bench.ts checks against the spec on every
// run (checkModel); --regenerate rewrites them.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { allTypes, generateModel } from '../model-gen/generate.ts';
import type { ModelSpec } from '../model-gen/generate.ts';
import type { GgufFile } from '../../workers/engine/gguf/types.ts';
import type { ModelConfig } from '../../workers/engine/model/config.ts';
import type { GgmlTypeName } from '../../workers/engine/quant/types.ts';

export const benchDir = resolve(import.meta.dirname, '../../.cache/bench');

export type BenchSpec = Partial<ModelSpec> & Pick<ModelSpec, 'arch'>;

export interface BenchModel {
  /** Name on the command line and in the JSON. */
  readonly name: string;
  readonly quant: GgmlTypeName;
  /** What the generator writes; absent for a file the project ships (`path`). */
  readonly spec?: BenchSpec;
  readonly path?: string;
  readonly note: string;
  /** A draft model with the same vocabulary, for the speculative-decoding runs. */
  readonly draft?: BenchModel;
  /** A trained chat model: speculative decoding runs on chat prompts, to its end of turn. */
  readonly chat?: boolean;
}

/** The trained demo model the app ships (scripts/train-demo/), when it is committed. */
const demoPath = resolve(import.meta.dirname, '../../public/models/pakar-demo-q8_0.gguf');

/**
 * granite-3.1-1b-a400m's shapes (granitemoe: 24 layers, hidden 1024, 16 heads / 8 KV heads of
 * 64, 32 experts top-8 of FFN 512, no shared expert, tied embeddings, vocabulary 49 155 — here
 * synthetic), routers F32 as llama.cpp's quantizer leaves them.
 */
function granite(quant: GgmlTypeName, nLayer: number): BenchSpec {
  return {
    arch: 'granitemoe',
    seed: 3,
    nLayer,
    nEmbd: 1024,
    nHead: 16,
    nHeadKv: 8,
    nExpert: 32,
    nExpertUsed: 8,
    nFf: 512,
    nFfShexp: 0,
    nVocab: 49155,
    nCtx: 4096,
    tied: true,
    types: { ...allTypes(quant), router: 'F32' },
  };
}

/**
 * One block of a Qwen hybrid at the real models' head shapes (Qwen3-Next-80B-A3B, Qwen3.5-35B-A3B:
 * DeltaNet heads of 128, attention heads of 256 with an output gate, 512-wide experts and shared
 * expert), narrower and with fewer heads and experts so that it runs on a software adapter:
 * hidden 1024, 3 DeltaNet layers (8 key / 16 value heads) then one attention layer (8 heads, 2 KV),
 * 64 experts top-8, vocabulary 32 768 (synthetic), and the NextN block.
 */
function qwenHybrid(arch: 'qwen3next' | 'qwen35moe', quant: GgmlTypeName): BenchSpec {
  return {
    arch,
    seed: 5,
    nLayer: 4,
    nEmbd: 1024,
    nHead: 8,
    nHeadKv: 2,
    nExpert: 64,
    nExpertUsed: 8,
    nFf: 512,
    nFfShexp: 512,
    nVocab: 32768,
    nCtx: 4096,
    types: { ...allTypes(quant), router: 'F32' },
    hybrid: { interval: 4, attnHeadDim: 256, headDim: 128, nKHeads: 8, nVHeads: 16, convKernel: 4, nextn: 1, legacyIn: false },
  };
}

const tiny: BenchSpec = { arch: 'qwen3moe', seed: 1, nLayer: 2, nEmbd: 256, nHead: 4, nHeadKv: 2, nExpert: 8, nExpertUsed: 2, nFf: 256, nVocab: 512, types: { ...allTypes('Q8_0'), router: 'F32' } };

export function benchModels(quick: boolean): BenchModel[] {
  // --quick keeps granite's layer shapes and vocabulary but only 2 of its 24 layers.
  const layers = quick ? 2 : 24;
  const suffix = quick ? ` (${layers} of 24 layers: --quick)` : '';
  // Draft models: the same generator seed and vocabulary, fewer layers or coarser weights.
  const tinyDraft: BenchModel = { name: 'tiny-draft', quant: 'Q4_0', spec: { ...tiny, types: { ...allTypes('Q4_0'), router: 'F32' } }, note: 'the tiny model at Q4_0' };
  const graniteDraft: BenchModel = { name: 'granite-draft', quant: 'Q8_0', spec: granite('Q8_0', 1), note: 'granite shapes, Q8_0, 1 layer' };
  const demo: BenchModel[] = existsSync(demoPath)
    ? [{ name: 'demo', quant: 'Q8_0', path: demoPath, chat: true, note: 'Pakar Demo: the trained qwen3moe the app ships (4 layers, hidden 128, 8 experts top-2, vocab 512)' }]
    : [];
  return [
    { name: 'tiny', quant: 'Q8_0', spec: tiny, note: 'qwen3moe, 2 layers, hidden 256, 8 experts top-2 of FFN 256, vocab 512', draft: tinyDraft },
    ...demo,
    { name: 'granite-q4k', quant: 'Q4_K', spec: granite('Q4_K', layers), note: `granite-3.1-1b-a400m shapes, Q4_K${suffix}` },
    { name: 'granite-q8', quant: 'Q8_0', spec: granite('Q8_0', layers), note: `granite-3.1-1b-a400m shapes, Q8_0${suffix}`, draft: graniteDraft },
    { name: 'granite-q5k', quant: 'Q5_K', spec: granite('Q5_K', layers), note: `granite-3.1-1b-a400m shapes, Q5_K${suffix}` },
    {
      name: 'qwen3next-q8',
      quant: 'Q8_0',
      spec: qwenHybrid('qwen3next', 'Q8_0'),
      note: 'qwen3next: Qwen3-Next head shapes, 3 DeltaNet + 1 gated attention layer, hidden 1024, 64 experts top-8 + shared',
    },
    {
      name: 'qwen35moe-q4k',
      quant: 'Q4_K',
      spec: qwenHybrid('qwen35moe', 'Q4_K'),
      note: 'qwen35moe: Qwen3.5-MoE head shapes, 3 DeltaNet + 1 gated attention layer, hidden 1024, 64 experts top-8 + shared',
    },
  ];
}

/** The model's GGUF path, generating it first when it is not cached (or when asked to). */
export function ensureModel(m: BenchModel, log: (s: string) => void, regenerate = false): string {
  if (m.path) return m.path;
  if (!m.spec) throw new Error(`${m.name} has neither a spec nor a path`);
  const key = createHash('sha256').update(JSON.stringify(m.spec)).digest('hex').slice(0, 16);
  const path = resolve(benchDir, `${m.name}-${key}.gguf`);
  if (existsSync(path) && !regenerate) return path;
  log(`generating ${m.name} (${m.note}) → ${path}`);
  const t0 = performance.now();
  const bytes = generateModel(m.spec);
  mkdirSync(benchDir, { recursive: true });
  rmSync(path, { force: true });
  writeFileSync(`${path}.tmp`, bytes);
  renameSync(`${path}.tmp`, path);
  log(`generated ${m.name}: ${(bytes.length / 1e6).toFixed(0)} MB in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  return path;
}

/** Why a cached file does not have the spec's shapes and types (undefined when it does). */
export function checkModel(m: BenchModel, file: GgufFile, cfg: ModelConfig): string | undefined {
  const s = m.spec;
  if (!s) return undefined;
  const want: [string, number | string | undefined, number | string][] = [
    ['architecture', s.arch, cfg.arch],
    ['layers', s.nLayer, cfg.nLayer],
    ['embedding', s.nEmbd, cfg.nEmbd],
    ['heads', s.nHead, cfg.nHead],
    ['KV heads', s.nHeadKv, cfg.nHeadKv],
    ['experts', s.nExpert, cfg.nExpert],
    ['experts used', s.nExpertUsed, cfg.nExpertUsed],
    ['expert FFN', s.nFf, cfg.nFfExp],
    ['vocabulary', s.nVocab, cfg.nVocab],
    ['expert type', s.types?.experts, file.tensorByName.get('blk.0.ffn_down_exps.weight')?.type.name ?? '?'],
  ];
  const bad = want.filter(([, spec, got]) => spec !== undefined && spec !== got);
  return bad.length ? bad.map(([what, spec, got]) => `${what} ${got}, spec ${spec}`).join('; ') : undefined;
}
