// Reference tests of the attention kernels against the CPU: qk_rope (Q/K norms; RoPE NORM and
// NEOX, plain, linear and YaRN, from the runtime's cos/sin table; K and V into the cache) vs
// cpu/ops.ts rmsNorm + rope, and attention (GQA, causal over a cache with pos0 > 0, sliding
// window, sinks) vs f64 softmax attention. Outputs are poisoned; cache rows the kernel does not
// own must stay poisoned, and cache rows outside every token's window hold NaN so that reading
// them shows. ‖gpu − ref‖ / ‖ref‖ ≤ 1e-5.

import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../scripts/model-gen/random.ts';
import { rmsNorm, rope } from '../../../reference/cpu/ops.ts';
import { allocateScratch } from '../../../workers/engine/gpu/scratch.ts';
import type { Scratch } from '../../../workers/engine/gpu/scratch.ts';
import type { ModelConfig } from '../../../workers/engine/model/config.ts';
import type { QkNorm } from '../../../workers/engine/model/graph.ts';
import { noRopeScaling } from '../../../workers/engine/model/rope.ts';
import type { RopeScaling } from '../../../workers/engine/model/rope.ts';
import { KernelBatch, laneVariants, Mismatches } from '../../helpers/gpuKernels.ts';
import { itemsPerGroup } from '../../../workers/engine/gpu/shaders.ts';
import { nodeGpuDevice } from '../../helpers/nodeGpu.ts';

const TOL = 1e-5;

let device: GPUDevice;
beforeAll(async () => {
  device = await nodeGpuDevice();
});

interface Shape {
  readonly nHead: number;
  readonly nHeadKv: number;
  readonly dk: number;
  readonly dv: number;
  readonly nTok: number;
  readonly pos0: number;
  /** Cache layer the case writes (its rows start at layer · n_ctx). */
  readonly layer: number;
  readonly nCtx: number;
}

/** A config with these shapes and RoPE settings. */
function configFor(s: Shape, rope: Pick<ModelConfig, 'nRot' | 'ropeBase' | 'ropeScaling'>): ModelConfig {
  return {
    arch: 'test',
    nVocab: 1,
    nCtxTrain: s.nCtx,
    nEmbd: s.nHead * s.dk,
    nLayer: s.layer + 1,
    nHead: s.nHead,
    nHeadKv: s.nHeadKv,
    headDimK: s.dk,
    headDimV: s.dv,
    ropeType: 'norm',
    rmsEps: 1e-6,
    nExpert: 0,
    nExpertUsed: 0,
    nFfExp: 0,
    nFfShexp: 0,
    kqScale: 1,
    embeddingScale: 1,
    residualScale: 1,
    logitScale: 1,
    ...rope,
  };
}

function destroyScratch(s: Scratch): void {
  for (const b of Object.values(s)) if (b instanceof GPUBuffer) b.destroy();
  for (const b of s.act) b.destroy();
}

// ---- qk_rope ----

interface RopeCase extends Shape {
  readonly label: string;
  readonly nRot: number;
  readonly neox: boolean;
  readonly norm: QkNorm;
  readonly base: number;
  readonly scaling?: RopeScaling;
  /** Row stride of QKV; > q + k + v leaves a NaN gap the kernel must not read. */
  readonly stride: number;
}

const F_NORM_HEAD = 1;
const F_NORM_FULL = 2;
const F_NEOX = 4;

const ropeCases: RopeCase[] = [
  { label: 'NORM, no norm, full rotary', nHead: 4, nHeadKv: 2, dk: 64, dv: 64, nRot: 64, neox: false, norm: 'none', nTok: 3, pos0: 0, layer: 0, nCtx: 16, base: 10000, stride: 0 },
  { label: 'NEOX, per-head norm, n_rot 32 < 64 (qwen3)', nHead: 4, nHeadKv: 2, dk: 64, dv: 64, nRot: 32, neox: true, norm: 'per_head', nTok: 11, pos0: 17, layer: 1, nCtx: 32, base: 1e6, stride: 0 },
  {
    label: 'NORM, full-width norm, n_rot 48, dv ≠ dk (olmoe-like)',
    nHead: 8,
    nHeadKv: 8,
    dk: 128,
    dv: 64,
    nRot: 48,
    neox: false,
    norm: 'full_width',
    nTok: 8,
    pos0: 300,
    layer: 2,
    nCtx: 320,
    base: 10000,
    stride: 8,
  },
  {
    label: 'NEOX, full-width norm, GQA 6:2, position 1000',
    nHead: 6,
    nHeadKv: 2,
    dk: 64,
    dv: 32,
    nRot: 64,
    neox: true,
    norm: 'full_width',
    nTok: 1,
    pos0: 1000,
    layer: 1,
    nCtx: 1024,
    base: 1e6,
    stride: 0,
  },
  { label: 'NORM, per-head norm, n_rot 16 of 32', nHead: 2, nHeadKv: 1, dk: 32, dv: 32, nRot: 16, neox: false, norm: 'per_head', nTok: 11, pos0: 5, layer: 0, nCtx: 16, base: 10000, stride: 4 },
  { label: 'NEOX, per-head norm, head 256, n_rot 64', nHead: 2, nHeadKv: 1, dk: 256, dv: 256, nRot: 64, neox: true, norm: 'per_head', nTok: 3, pos0: 40, layer: 0, nCtx: 48, base: 10000, stride: 0 },
  {
    label: 'NEOX, YaRN ×4 (cos/sin scaled by mscale)',
    nHead: 4,
    nHeadKv: 2,
    dk: 64,
    dv: 64,
    nRot: 64,
    neox: true,
    norm: 'none',
    nTok: 8,
    pos0: 900,
    layer: 1,
    nCtx: 910,
    base: 1e6,
    stride: 0,
    scaling: { type: 'yarn', factor: 4, originalContext: 256, betaFast: 32, betaSlow: 1, attnFactor: 1 },
  },
  {
    label: 'NORM, linear ×2, partial rotary',
    nHead: 2,
    nHeadKv: 2,
    dk: 64,
    dv: 64,
    nRot: 32,
    neox: false,
    norm: 'per_head',
    nTok: 3,
    pos0: 77,
    layer: 0,
    nCtx: 80,
    base: 10000,
    stride: 0,
    scaling: { type: 'linear', factor: 2, originalContext: 0, betaFast: 32, betaSlow: 1, attnFactor: 1 },
  },
];

describe('qk_rope equals rmsNorm + rope (cpu/ops.ts)', () => {
  it('NORM and NEOX (plain, linear, YaRN), partial rotary, per-head and full-width norms, positions > 0, into the cache', async () => {
    const rng = new Rng(0x40be);
    const batch = new KernelBatch(device, 'qk_rope');
    const scratches: Scratch[] = [];
    const eps = 1e-6;
    const runs = ropeCases.map((c) => {
      const qDim = c.nHead * c.dk;
      const kvDim = c.nHeadKv * c.dk;
      const vDim = c.nHeadKv * c.dv;
      const stride = qDim + kvDim + vDim + c.stride;
      const qkv = new Float32Array(c.nTok * stride).fill(NaN);
      for (let t = 0; t < c.nTok; t++) qkv.set(rng.gaussian(qDim + kvDim + vDim, 1.3, 0.1), t * stride);
      const full = c.norm === 'full_width';
      const cfg = configFor(c, { nRot: c.nRot, ropeBase: c.base, ropeScaling: c.scaling ?? noRopeScaling });
      const qn = rng.gaussian(full ? qDim : c.dk, 0.3, 1);
      const kn = rng.gaussian(full ? kvDim : c.dk, 0.3, 1);

      // Reference: QO [n_tok, q_dim]; caches [(layer + 1)·n_ctx rows], NaN where not written.
      const wantQ = new Float64Array(c.nTok * qDim);
      const wantK = new Float64Array((c.layer + 1) * c.nCtx * kvDim).fill(NaN);
      const wantV = new Float64Array((c.layer + 1) * c.nCtx * vDim).fill(NaN);
      for (let t = 0; t < c.nTok; t++) {
        const pos = c.pos0 + t;
        const row = qkv.subarray(t * stride);
        let q: Float32Array = row.slice(0, qDim);
        let k: Float32Array = row.slice(qDim, qDim + kvDim);
        if (full) {
          q = rmsNorm(q, qn, eps);
          k = rmsNorm(k, kn, eps);
        }
        for (const [vec, nh, w] of [
          [q, c.nHead, qn],
          [k, c.nHeadKv, kn],
        ] as const) {
          for (let h = 0; h < nh; h++) {
            const head = vec.subarray(h * c.dk, (h + 1) * c.dk);
            if (c.norm === 'per_head') head.set(rmsNorm(head, w, eps));
            rope(head, pos, cfg, c.neox);
          }
        }
        wantQ.set(q, t * qDim);
        wantK.set(k, (c.layer * c.nCtx + pos) * kvDim);
        wantV.set(row.subarray(qDim + kvDim, qDim + kvDim + vDim), (c.layer * c.nCtx + pos) * vDim);
      }

      const scratch = allocateScratch(device, cfg, 1, c.nCtx, 'f32'); // its rope table is the runtime's
      scratches.push(scratch);
      const QO = batch.poisoned('QO', 4 * wantQ.length);
      const KC = batch.poisoned('KC', 4 * wantK.length);
      const VC = batch.poisoned('VC', 4 * wantV.length);
      const flags = (c.norm === 'per_head' ? F_NORM_HEAD : full ? F_NORM_FULL : 0) | (c.neox ? F_NEOX : 0);
      const norms = c.norm === 'none' ? [batch.poisoned('no QN', 16), batch.poisoned('no KN', 16)] : [batch.input('QN', qn), batch.input('KN', kn)];
      batch.dispatch(
        'qk_rope',
        undefined,
        [batch.input('QKV', qkv), ...norms, scratch.rope, QO, KC, VC],
        {
          n_head: c.nHead,
          n_head_kv: c.nHeadKv,
          dk: c.dk,
          dv: c.dv,
          n_rot: c.nRot,
          pos0: c.pos0,
          flags,
          qkv_stride: stride,
          eps,
          k_cache_off: c.layer * c.nCtx * kvDim,
          v_cache_off: c.layer * c.nCtx * vDim,
          n_tok: c.nTok,
        },
        [c.nHead + c.nHeadKv, c.nTok, 1],
      );
      return { c, outs: [QO, KC, VC], wants: [wantQ, wantK, wantV] };
    });
    const got = await batch.run(runs.flatMap((r) => r.outs));
    for (const s of scratches) destroyScratch(s);
    const m = new Mismatches(TOL);
    runs.forEach((r, i) => ['QO', 'K cache', 'V cache'].forEach((name, j) => m.close(`${r.c.label}: ${name}`, got[3 * i + j], r.wants[j])));
    expect(m.list).toEqual([]);
  });
});

// ---- attention ----

interface AttnCase extends Shape {
  readonly kqScale: number;
  /** Sliding window: keys at distance ≥ n_swa are masked (0: none). */
  readonly nSwa?: number;
  /** Per-head sink logits in the softmax normaliser (gpt-oss). */
  readonly sinks?: boolean;
}

const attnCases: AttnCase[] = [
  { nHead: 8, nHeadKv: 2, dk: 64, dv: 64, nTok: 1, pos0: 0, layer: 0, nCtx: 8, kqScale: 1 / 8 },
  { nHead: 8, nHeadKv: 2, dk: 64, dv: 32, nTok: 3, pos0: 37, layer: 1, nCtx: 48, kqScale: 1 / 8 },
  { nHead: 4, nHeadKv: 4, dk: 32, dv: 32, nTok: 8, pos0: 70, layer: 0, nCtx: 80, kqScale: 0.3 },
  { nHead: 16, nHeadKv: 8, dk: 64, dv: 64, nTok: 11, pos0: 130, layer: 2, nCtx: 150, kqScale: 1 / 64 },
  { nHead: 6, nHeadKv: 1, dk: 128, dv: 128, nTok: 11, pos0: 0, layer: 0, nCtx: 11, kqScale: 1 / Math.sqrt(128) },
  { nHead: 8, nHeadKv: 2, dk: 64, dv: 64, nTok: 11, pos0: 100, layer: 1, nCtx: 128, kqScale: 1 / 8, nSwa: 70 },
  { nHead: 4, nHeadKv: 2, dk: 64, dv: 64, nTok: 3, pos0: 5, layer: 0, nCtx: 16, kqScale: 1 / 8, nSwa: 4, sinks: true },
  { nHead: 4, nHeadKv: 1, dk: 64, dv: 64, nTok: 8, pos0: 60, layer: 0, nCtx: 80, kqScale: 1 / 8, sinks: true },
];

describe('attention equals f64 causal softmax attention', () => {
  it.each(laneVariants)('LANES %i: GQA and MHA, causal over the cache with pos0 > 0, n_tok 1/3/8/11, sliding window, sinks', async (lanes) => {
    const rng = new Rng(0xa77);
    const batch = new KernelBatch(device, `attention LANES=${lanes}`, lanes);
    const runs = attnCases.map((c) => {
      const swa = c.nSwa ?? 0;
      const label = `${c.nHead}:${c.nHeadKv} heads, dk ${c.dk}, dv ${c.dv}, pos0 ${c.pos0}, n_tok ${c.nTok}${swa ? `, window ${swa}` : ''}${c.sinks ? ', sinks' : ''}`;
      const kvDim = c.nHeadKv * c.dk;
      const vDim = c.nHeadKv * c.dv;
      // Keys at first(pos0)..end−1; NaN before (outside every token's window) and after.
      const firstOf = (pos: number): number => (swa ? Math.max(0, pos - swa + 1) : 0);
      const lo = firstOf(c.pos0);
      const end = c.pos0 + c.nTok;
      const q = rng.gaussian(c.nTok * c.nHead * c.dk, 1);
      const kc = new Float32Array((c.layer + 1) * c.nCtx * kvDim).fill(NaN);
      const vc = new Float32Array((c.layer + 1) * c.nCtx * vDim).fill(NaN);
      kc.set(rng.gaussian((end - lo) * kvDim, 1), (c.layer * c.nCtx + lo) * kvDim);
      vc.set(rng.gaussian((end - lo) * vDim, 1, 0.3), (c.layer * c.nCtx + lo) * vDim);
      const sinks = rng.gaussian(c.nHead, 1.5, 0.5);
      const K = (j: number, h: number, i: number): number => kc[(c.layer * c.nCtx + j) * kvDim + h * c.dk + i];
      const V = (j: number, h: number, i: number): number => vc[(c.layer * c.nCtx + j) * vDim + h * c.dv + i];

      const want = new Float64Array(c.nTok * c.nHead * c.dv);
      const group = c.nHead / c.nHeadKv;
      for (let t = 0; t < c.nTok; t++) {
        const pos = c.pos0 + t;
        const first = firstOf(pos);
        for (let h = 0; h < c.nHead; h++) {
          const kvh = Math.floor(h / group);
          const s = new Float64Array(pos + 1);
          for (let j = first; j <= pos; j++) {
            let d = 0;
            for (let i = 0; i < c.dk; i++) d += q[(t * c.nHead + h) * c.dk + i] * K(j, kvh, i);
            s[j] = d * c.kqScale;
          }
          const m = Math.max(...s.subarray(first), c.sinks ? sinks[h] : -Infinity);
          let z = c.sinks ? Math.exp(sinks[h] - m) : 0;
          for (let j = first; j <= pos; j++) z += s[j] = Math.exp(s[j] - m);
          for (let i = 0; i < c.dv; i++) {
            let acc = 0;
            for (let j = first; j <= pos; j++) acc += s[j] * V(j, kvh, i);
            want[(t * c.nHead + h) * c.dv + i] = acc / z;
          }
        }
      }
      const O = batch.poisoned('O', 4 * want.length);
      batch.dispatch(
        'attention',
        undefined,
        [
          batch.input('Q', q),
          batch.input('KC', kc),
          batch.input('VC', vc),
          batch.poisoned('S', 4 * c.nTok * c.nHead * c.nCtx),
          O,
          c.sinks ? batch.input('SINKS', sinks) : batch.poisoned('no SINKS', 16),
        ],
        {
          n_head: c.nHead,
          n_head_kv: c.nHeadKv,
          dk: c.dk,
          dv: c.dv,
          pos0: c.pos0,
          n_ctx: c.nCtx,
          k_cache_off: c.layer * c.nCtx * kvDim,
          v_cache_off: c.layer * c.nCtx * vDim,
          kq_scale: c.kqScale,
          n_tok: c.nTok,
          n_swa: swa,
          flags: c.sinks ? 1 : 0,
        },
        // CPU adapters: several heads a workgroup, one invocation each (6 heads: a ragged group).
        [Math.ceil(c.nHead / itemsPerGroup('attention', lanes)), c.nTok, 1],
      );
      return { label, O, want };
    });
    const got = await batch.run(runs.map((r) => r.O));
    const m = new Mismatches(TOL);
    runs.forEach((r, i) => m.close(r.label, got[i], r.want));
    expect(m.list).toEqual([]);
  });
});
