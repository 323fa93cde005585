// Reference tests of the MoE expert kernels: moe_up + moe_down for every quant type on hand-made
// routings (one expert with 11 members spans two token tiles, one expert stays idle, a dense
// shared expert takes every token, 512 pairs fill the kernels' member list; the experts sit in
// shuffled weight slots with one empty, as the expert cache keeps them), bit-for-bit batch
// invariance, and the whole chain router → moe_up → moe_down (+ shared expert) → moe_combine on
// generated models against CpuBlocks.moe on the same weights, dispatched as GpuBlocks.moe does.
// Both LANES layouts of the projection kernels ship (8 on GPUs, 1 on CPU adapters) and are
// tested. The router alone: router.test.ts.

import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../scripts/model-gen/random.ts';
import { CpuBlocks } from '../../../reference/cpu/blocks.ts';
import { CpuKvCache } from '../../../reference/cpu/kvCache.ts';
import { rmsNorm } from '../../../reference/cpu/ops.ts';
import { CpuWeights } from '../../../reference/cpu/weights.ts';
import { parseGguf } from '../../../workers/engine/gguf/reader.ts';
import { bytesSource } from '../../../workers/engine/gguf/sources.ts';
import { GpuWeights } from '../../../workers/engine/gpu/weights.ts';
import type { GpuMatrix } from '../../../workers/engine/gpu/weights.ts';
import { archOf } from '../../../workers/engine/model/archs/index.ts';
import type { MoeOpts } from '../../../workers/engine/model/graph.ts';
import { layerTensorName as w } from '../../../workers/engine/model/tensorNames.ts';
import { weightsFromByteSource } from '../../../workers/engine/model/weightSource.ts';
import { NO_EXPERT } from '../../../workers/engine/gpu/expertSlots.ts';
import { deviceRowBytes } from '../../../workers/engine/gpu/layout.ts';
import { allGgmlTypes, ggmlTypeByName } from '../../../workers/engine/quant/types.ts';
import type { GgmlTypeInfo } from '../../../workers/engine/quant/types.ts';
import { embedAt, junkBytes, KernelBatch, laneVariants, Mismatches, randomWeights, relErr, routerFlags } from '../../helpers/gpuKernels.ts';
import type { Lanes } from '../../helpers/gpuKernels.ts';
import { nodeGpuDevice } from '../../helpers/nodeGpu.ts';
import { testModel } from '../../helpers/testModels.ts';
import { itemsPerGroup, matmulTile } from '../../../workers/engine/gpu/shaders.ts';

const TOL = 1e-5;

let device: GPUDevice;
beforeAll(async () => {
  device = await nodeGpuDevice();
});

const silu = (x: number): number => x / (1 + Math.exp(-x));
const align4 = (n: number): number => Math.ceil(n / 4) * 4;

// ---- moe_up + moe_down ----

interface ExpertWeights {
  readonly gateUp: Uint8Array; // gate [slot][n_ff] rows, then up from byte upOff (as GpuWeights.packed lays them out)
  readonly upOff: number;
  readonly down: Uint8Array; // [slot][n_embd] rows of n_ff
  /** The expert in each slot (NO_EXPERT: empty, junk bytes), as ExpertSlots keeps a paged layer. */
  readonly table: Uint32Array;
  readonly gate: Float32Array; // [E][n_ff][n_embd] by expert
  readonly up: Float32Array;
  readonly downF: Float32Array;
}

/** E experts in E + 1 slots: expert 0 in slot 0 (the dense cases' expert), the rest shuffled, one slot empty. */
function expertWeights(type: GgmlTypeInfo, E: number, nEmbd: number, nFf: number, rng: Rng): ExpertWeights {
  const g = randomWeights(type, E * nFf, nEmbd, rng);
  const u = randomWeights(type, E * nFf, nEmbd, rng);
  const d = randomWeights(type, E * nEmbd, nFf, rng);
  const table = Uint32Array.from({ length: E + 1 }, (_, s) => (s === E ? NO_EXPERT : s));
  for (let i = E; i > 1; i--) {
    const j = 1 + rng.int(i);
    [table[i], table[j]] = [table[j], table[i]];
  }
  // Each slot's rows: its expert's, or junk.
  const slotted = (bytes: Uint8Array, rows: number, rb: number): Uint8Array => {
    const out = junkBytes(rng, table.length * rows * rb);
    table.forEach((e, slot) => {
      if (e !== NO_EXPERT) out.set(bytes.subarray(e * rows * rb, (e + 1) * rows * rb), slot * rows * rb);
    });
    return out;
  };
  const gs = slotted(g.bytes, nFf, g.rowBytes);
  const us = slotted(u.bytes, nFf, u.rowBytes);
  const upOff = align4(gs.length);
  const gateUp = embedAt(rng, gs, 0, upOff - gs.length + us.length + 12);
  gateUp.set(us, upOff);
  return { gateUp, upOff, down: embedAt(rng, slotted(d.bytes, nEmbd, d.rowBytes), 0), table, gate: g.values, up: u.values, downF: d.values };
}

/** h = silu(gate_e·x) ⊙ (up_e·x), y = down_e·h, in f64. */
function expertRef(wt: ExpertWeights, e: number, x: ArrayLike<number>, nEmbd: number, nFf: number): { h: Float64Array; y: Float64Array } {
  const h = new Float64Array(nFf);
  for (let r = 0; r < nFf; r++) {
    let g = 0;
    let u = 0;
    const o = (e * nFf + r) * nEmbd;
    for (let i = 0; i < nEmbd; i++) {
      g += wt.gate[o + i] * x[i];
      u += wt.up[o + i] * x[i];
    }
    h[r] = silu(g) * u;
  }
  const y = new Float64Array(nEmbd);
  for (let r = 0; r < nEmbd; r++) {
    const o = (e * nEmbd + r) * nFf;
    let s = 0;
    for (let i = 0; i < nFf; i++) s += wt.downF[o + i] * h[i];
    y[r] = s;
  }
  return { h, y };
}

interface ExpertRun {
  readonly nEmbd: number;
  readonly nFf: number;
  readonly E: number;
  readonly W: GPUBuffer; // gate|up
  readonly D: GPUBuffer; // down
  readonly upOff: number;
  readonly slots: number;
  readonly table: GPUBuffer; // [junk][slot → expert] from tableOff
  readonly tableOff: number;
}

/**
 * moe_up → moe_down as GpuBlocks.experts dispatches them, for pairs `ids` (pair p = token ⌊p/k⌋,
 * slot p mod k), or for a dense expert (expert 0 on every token: `ids` = null, k = 1).
 */
function dispatchExperts(batch: KernelBatch, type: GgmlTypeInfo, r: ExpertRun, ids: readonly number[] | null, k: number, nTok: number, xn: Float32Array, idsOff = 0): { H: GPUBuffer; Y: GPUBuffer } {
  const pairs = nTok * k;
  const dense = ids === null;
  // The ids sit at ids_off in the step's routing log, after other layers' (other experts') ids.
  const log = Uint32Array.from({ length: idsOff + pairs }, (_, i) => (i < idsOff ? (i * 7 + 3) % r.E : (ids?.[i - idsOff] ?? 0)));
  const IDS = dense ? batch.poisoned('no IDS', 16) : batch.input('IDS', log);
  const H = batch.poisoned('H', 4 * pairs * r.nFf);
  const Y = batch.poisoned('Y', 4 * pairs * r.nEmbd);
  const groupsY = dense ? 1 : r.slots;
  const noBias = batch.poisoned('no bias', 16);
  // A dense expert is slot 0 (here expert 0), whatever the table says.
  const table = dense ? batch.poisoned('no table', 16) : r.table;
  const tableOff = dense ? 0 : r.tableOff;
  // As GpuBlocks: a tile of the pass's tokens (an expert has at most one member per token).
  const tile = { TILE: matmulTile(dense ? pairs : Math.ceil(pairs / k), batch.lanes) };
  batch.dispatch(
    'moe_up',
    type,
    [r.W, batch.input('XN', xn), IDS, H, noBias, noBias, table],
    {
      n_embd: r.nEmbd,
      n_ff: r.nFf,
      row_bytes: deviceRowBytes(type, r.nEmbd),
      expert_bytes: deviceRowBytes(type, r.nEmbd) * r.nFf,
      up_off: r.upOff,
      k,
      n_pairs: pairs,
      dense: dense ? 1 : 0,
      ids_off: dense ? 0 : idsOff,
      flags: 0,
      slots_off: tableOff,
    },
    [Math.ceil(r.nFf / batch.rowsPerGroup), groupsY, 1],
    tile,
  );
  batch.dispatch(
    'moe_down',
    type,
    [r.D, H, IDS, Y, noBias, table],
    {
      n_embd: r.nEmbd,
      n_ff: r.nFf,
      row_bytes: deviceRowBytes(type, r.nFf),
      expert_bytes: deviceRowBytes(type, r.nFf) * r.nEmbd,
      n_pairs: pairs,
      dense: dense ? 1 : 0,
      ids_off: dense ? 0 : idsOff,
      flags: 0,
      slots_off: tableOff,
    },
    [Math.ceil(r.nEmbd / batch.rowsPerGroup), groupsY, 1],
    tile,
  );
  return { H, Y };
}

/** Experts' weights for `type`, uploaded into `batch`. */
function expertSetup(type: GgmlTypeInfo, rng: Rng, batch: KernelBatch, E = 6): { wt: ExpertWeights; run: ExpertRun } {
  const [nEmbd, nFf] = type.blockSize === 256 ? [256, 256] : [64, 96];
  const wt = expertWeights(type, E, nEmbd, nFf, rng);
  // The table sits after another layer's (tableOff > 0), as in the step's one table of all layers.
  const tableOff = 5;
  const table = batch.input('slots', Uint32Array.from([...Array.from({ length: tableOff }, () => rng.int(E)), ...wt.table]));
  return { wt, run: { nEmbd, nFf, E, W: batch.input('gate|up', wt.gateUp), D: batch.input('down', wt.down), upOff: wt.upOff, slots: wt.table.length, table, tableOff } };
}

/** 11 tokens × top-2: slot 0 of every token → expert 2 (two tiles), slot 1 among 0, 1, 3, 5 (4 idle). */
const elevenTokens = (rng: Rng): number[] => Array.from({ length: 11 }, () => [2, [0, 1, 3, 5][rng.int(4)]]).flat();

interface ExpertCase {
  readonly label: string;
  /** Expert of each pair; null: a dense expert (expert 0) over n_tok tokens. */
  readonly ids: readonly number[] | null;
  readonly k: number;
  readonly nTok: number;
  /** Where the ids start in the routing log. */
  readonly idsOff?: number;
}

/** Runs the cases in one submission and compares H and Y with the f64 expert FFN. */
async function checkExperts(type: GgmlTypeInfo, lanes: Lanes, rng: Rng, E: number, cases: readonly ExpertCase[]): Promise<string[]> {
  const batch = new KernelBatch(device, `experts ${type.name} LANES=${lanes}`, lanes);
  const { wt, run } = expertSetup(type, rng, batch, E);
  const runs = cases.map((c) => {
    const xn = rng.gaussian(c.nTok * run.nEmbd, 1);
    const experts = c.ids ?? Array<number>(c.nTok).fill(0);
    const refs = experts.map((e, p) => expertRef(wt, e, xn.subarray(Math.floor(p / c.k) * run.nEmbd, (Math.floor(p / c.k) + 1) * run.nEmbd), run.nEmbd, run.nFf));
    return { c, refs, ...dispatchExperts(batch, type, run, c.ids, c.k, c.nTok, xn, c.idsOff) };
  });
  const got = await batch.run(runs.flatMap((r) => [r.H, r.Y]));
  const m = new Mismatches(TOL);
  runs.forEach((r, i) => {
    m.close(
      `${r.c.label}: H`,
      got[2 * i],
      r.refs.flatMap((x) => Array.from(x.h)),
    );
    m.close(
      `${r.c.label}: Y`,
      got[2 * i + 1],
      r.refs.flatMap((x) => Array.from(x.y)),
    );
  });
  return m.list;
}

describe('moe_up + moe_down equal the f64 expert FFN', () => {
  // Every type; the two LANES layouts alternate over the types (each compile costs ~1 s here),
  // and Q4_K and Q8_0 run both.
  const types = allGgmlTypes.filter((t) => t.supported);
  const grid = types.flatMap((t, i) => (t.name === 'Q4_K' || t.name === 'Q8_0' ? laneVariants : [laneVariants[i % 2]]).map((l) => [t.name, l, t] as const));
  it.each(grid)('%s, LANES %i: 11 members in one expert (two tiles), an idle expert, decode, a dense expert', async (_n, lanes, type) => {
    const rng = new Rng(0xe4 + type.id);
    const problems = await checkExperts(type, lanes, rng, 6, [
      { label: '11 tokens × top-2, ids at ids_off 22', ids: elevenTokens(rng), k: 2, nTok: 11, idsOff: 22 },
      { label: '1 token × top-4', ids: [5, 0, 3, 1], k: 4, nTok: 1 },
      { label: 'dense (shared) expert, 11 tokens', ids: null, k: 1, nTok: 11 },
    ]);
    expect(problems).toEqual([]);
  });

  it.each(laneVariants)("Q8_0, LANES %i: 64 tokens × top-8 of 8 = 512 pairs (the member list's capacity), 8 tiles per expert", async (lanes) => {
    const rng = new Rng(0x512);
    const ids = Array.from({ length: 64 }, () => rng.permutation(8)).flat();
    expect(await checkExperts(ggmlTypeByName('Q8_0'), lanes, rng, 8, [{ label: '512 pairs', ids, k: 8, nTok: 64 }])).toEqual([]);
  });

  it.each([
    ['Q4_K', 1],
    ['Q8_0', 8],
  ] as const)('%s, LANES %i, is batch-invariant: each pair of an 11-token batch equals its token alone, bit for bit', async (name, lanes) => {
    const type = ggmlTypeByName(name);
    const rng = new Rng(0x1e4);
    const batch = new KernelBatch(device, `experts ${name} LANES=${lanes} invariance`, lanes);
    const { run } = expertSetup(type, rng, batch);
    const ids = elevenTokens(rng);
    const xn = rng.gaussian(11 * run.nEmbd, 1);
    const all = dispatchExperts(batch, type, run, ids, 2, 11, xn);
    const alone = Array.from({ length: 11 }, (_, t) => dispatchExperts(batch, type, run, ids.slice(2 * t, 2 * t + 2), 2, 1, xn.slice(t * run.nEmbd, (t + 1) * run.nEmbd)));
    const [hAll, yAll, ...rest] = await batch.run([all.H, all.Y, ...alone.flatMap((a) => [a.H, a.Y])]);
    const bits = (b: ArrayBuffer, row: number, width: number): number[] => Array.from(new Uint32Array(b, 4 * row * width, width));
    for (let t = 0; t < 11; t++) {
      for (const slot of [0, 1]) {
        expect(bits(hAll, 2 * t + slot, run.nFf), `H of token ${t} slot ${slot}`).toEqual(bits(rest[2 * t], slot, run.nFf));
        expect(bits(yAll, 2 * t + slot, run.nEmbd), `Y of token ${t} slot ${slot}`).toEqual(bits(rest[2 * t + 1], slot, run.nEmbd));
      }
    }
  });
});

// ---- the whole MoE FFN ----

interface ChainCase {
  readonly label: string;
  readonly nTok: number;
  readonly opts: MoeOpts;
  readonly alpha: number;
}

const qwen2Spec = {
  arch: 'qwen2moe',
  seed: 11,
  nLayer: 1,
  nEmbd: 256,
  nHead: 4,
  nHeadKv: 2,
  nExpert: 8,
  nExpertUsed: 2,
  nFf: 256,
  nFfShexp: 256,
  types: { embd: 'Q8_0', attn: 'Q8_0', router: 'F32', experts: 'Q4_K', shexp: 'Q6_K', output: 'Q8_0' },
} as const;
const qwen3Spec = {
  arch: 'qwen3moe',
  seed: 12,
  nLayer: 1,
  nEmbd: 128,
  nHead: 4,
  nHeadKv: 2,
  nExpert: 16,
  nExpertUsed: 4,
  nFf: 64,
  types: { embd: 'Q8_0', attn: 'Q8_0', router: 'Q8_0', experts: 'Q8_0', shexp: 'Q8_0', output: 'Q8_0' },
} as const;

// gpt-oss: router and expert biases, top-k on raw logits then softmax, clamped SwiGLU, MXFP4 experts.
const gptOssSpec = {
  arch: 'gpt-oss',
  seed: 13,
  nLayer: 1,
  nEmbd: 64,
  nHead: 4,
  nHeadKv: 2,
  nExpert: 8,
  nExpertUsed: 3,
  nFf: 96,
  types: { embd: 'F32', attn: 'F32', router: 'F32', experts: 'MXFP4', shexp: 'F32', output: 'F32' },
} as const;

/** A generated model's layer-0 MoE weights on the GPU, uploaded by the runtime's GpuWeights. */
interface GpuMoeWeights {
  readonly router: GpuMatrix;
  readonly gate: GpuMatrix; // gate|up packed, up at upOff
  readonly upOff: number;
  readonly down: GpuMatrix;
  readonly norm: GPUBuffer;
  readonly shared?: { readonly gate: GpuMatrix; readonly upOff: number; readonly down: GpuMatrix; readonly gateInp?: GPUBuffer };
  /** gpt-oss: router bias [E], gate and up biases [E][n_ff], down bias [E][n_embd]. */
  readonly biases?: { readonly router: GPUBuffer; readonly gate: GPUBuffer; readonly up: GPUBuffer; readonly down: GPUBuffer };
}

/** The pre-FFN norm: ffn_norm, or gpt-oss's post_attention_norm. */
const ffnNormOf = (has: (name: string) => boolean): string => (has(w(0, 'ffnNorm')) ? w(0, 'ffnNorm') : w(0, 'postAttentionNorm'));

async function uploadMoe(gw: GpuWeights, has: (name: string) => boolean): Promise<GpuMoeWeights> {
  const [gate, up] = await gw.packed('exps', [w(0, 'ffnGateExps'), w(0, 'ffnUpExps')]);
  await gw.loadVector(ffnNormOf(has));
  const moe = { router: await gw.loadMatrix(w(0, 'ffnGateInp')), gate, upOff: up.offset, down: await gw.loadMatrix(w(0, 'ffnDownExps')), norm: gw.vector(ffnNormOf(has)) };
  if (has(w(0, 'ffnGateInpBias'))) {
    const names = [w(0, 'ffnGateInpBias'), w(0, 'ffnGateExpsBias'), w(0, 'ffnUpExpsBias'), w(0, 'ffnDownExpsBias')];
    for (const n of names) await gw.loadVector(n);
    const [router, g, u, d] = names.map((n) => gw.vector(n));
    return { ...moe, biases: { router, gate: g, up: u, down: d } };
  }
  if (!has(w(0, 'ffnGateShexp'))) return moe;
  const [sg, su] = await gw.packed('shexp', [w(0, 'ffnGateShexp'), w(0, 'ffnUpShexp')]);
  const gated = has(w(0, 'ffnGateInpShexp'));
  if (gated) await gw.loadVector(w(0, 'ffnGateInpShexp'));
  return { ...moe, shared: { gate: sg, upOff: su.offset, down: await gw.loadMatrix(w(0, 'ffnDownShexp')), gateInp: gated ? gw.vector(w(0, 'ffnGateInpShexp')) : undefined } };
}

describe('router → moe_up → moe_down → moe_combine equals CpuBlocks.moe', () => {
  it.each([
    [
      'qwen2moe (F32 router, Q4_K experts, Q6_K shared expert)',
      qwen2Spec,
      [
        { label: 'softmax, shared gate, 11 tokens', nTok: 11, alpha: 1, opts: { gating: 'softmax', normWeights: false, weightsScale: 1, sharedExpert: 'sigmoid_gated' } },
        { label: 'sigmoid, renorm, scale 2.5, ungated shared, 1 token', nTok: 1, alpha: 0.5, opts: { gating: 'sigmoid', normWeights: true, weightsScale: 2.5, sharedExpert: 'ungated' } },
      ],
    ],
    [
      'qwen3moe (Q8_0 router and experts)',
      qwen3Spec,
      [{ label: 'softmax, renorm, 16 experts top-4, 5 tokens', nTok: 5, alpha: 0.22, opts: { gating: 'softmax', normWeights: true, weightsScale: 1, sharedExpert: 'none' } }],
    ],
    [
      'gpt-oss (F32 router, MXFP4 experts, biases)',
      gptOssSpec,
      [
        {
          label: 'softmax over the top-3 raw logits, biases, clamped SwiGLU, 11 tokens',
          nTok: 11,
          alpha: 1,
          opts: { gating: 'softmax_weight', normWeights: false, weightsScale: 1, sharedExpert: 'none', biases: true, activation: 'swiglu_oai' },
        },
      ],
    ],
  ] as const)('%s, LANES 8 and 1', async (_name, spec, cases: readonly ChainCase[]) => {
    const { bytes } = testModel(spec);
    const file = parseGguf(bytes);
    const cfg = archOf(file).config(file);
    const cpu = new CpuWeights(file, bytes);
    const gw = new GpuWeights(device, weightsFromByteSource(file, bytesSource(bytes)));
    const { nEmbd, nExpert, nExpertUsed: k, nFfExp, nFfShexp } = cfg;
    const normW = cpu.values(ffnNormOf((n) => file.tensorByName.has(n)));
    const rng = new Rng(0xc0 + nEmbd);
    try {
      const g = await uploadMoe(gw, (n) => file.tensorByName.has(n));
      const m = new Mismatches(TOL);
      for (const lanes of laneVariants) {
        const batch = new KernelBatch(device, `moe chain ${cfg.arch} LANES=${lanes}`, lanes);
        const rpg = batch.rowsPerGroup;
        const runs = cases.map((c) => {
          // Tokens whose routing is clear of ties (margin ≥ 1e-3 at the top-k boundary and inside it).
          const rows: Float32Array[] = [];
          while (rows.length < c.nTok) {
            const x = rng.gaussian(nEmbd, 1, 0.1);
            const b = new CpuBlocks(cpu, cfg, new CpuKvCache(1), [0], 0);
            b.moe([rmsNorm(x, normW, cfg.rmsEps)], 0, c.opts);
            const r = b.routing[0][0];
            if (r.margin >= 1e-3 && r.weights.every((v, i) => i === 0 || r.weights[i - 1] - v > 1e-4 * Math.abs(v))) rows.push(x);
          }
          const X = new Float32Array(c.nTok * nEmbd);
          rows.forEach((x, t) => X.set(x, t * nEmbd));
          const xn = rows.map((x) => rmsNorm(x, normW, cfg.rmsEps));
          const blocks = new CpuBlocks(
            cpu,
            cfg,
            new CpuKvCache(1),
            rows.map(() => 0),
            0,
          );
          const ffn = new Float64Array(c.nTok * nEmbd);
          blocks.moe(xn, 0, c.opts).forEach((v, t) => v.forEach((e, i) => (ffn[t * nEmbd + i] = c.alpha * e)));

          // As GpuBlocks.moe dispatches it.
          const T = c.nTok;
          const pairs = T * k;
          const gated = c.opts.sharedExpert === 'sigmoid_gated';
          const sh = c.opts.sharedExpert !== 'none' ? g.shared : undefined;
          const dummy = batch.poisoned('unused', 16);
          const xBuf = batch.input('X', X);
          const [XN, IDS, WTS, SHG, H, Y, HS, YS, XO] = (
            [
              ['XN', T * nEmbd],
              ['IDS', pairs],
              ['WTS', pairs],
              ['SHG', T],
              ['H', pairs * nFfExp],
              ['Y', pairs * nEmbd],
              ['HS', T * Math.max(nFfShexp, 1)],
              ['YS', T * nEmbd],
              ['XO', T * nEmbd],
            ] as const
          ).map(([label, n]) => batch.poisoned(label, 4 * n));
          const bs = c.opts.biases ? g.biases : undefined;
          const rflags = routerFlags({
            sigmoid: c.opts.gating === 'sigmoid',
            renorm: c.opts.normWeights,
            sharedGate: gated,
            bias: bs !== undefined,
            softmaxWeight: c.opts.gating === 'softmax_weight',
          });
          batch.dispatch(
            'router',
            g.router.type,
            [g.router.buffer, xBuf, g.norm, gated && sh?.gateInp ? sh.gateInp : dummy, XN, IDS, WTS, SHG, bs?.router ?? dummy],
            { n_embd: nEmbd, n_expert: nExpert, k, row_bytes: g.router.rowBytes, flags: rflags, eps: cfg.rmsEps, w_scale: c.opts.weightsScale, n_tok: T, ids_off: 0 },
            [Math.ceil(T / itemsPerGroup('router', batch.lanes)), 1, 1],
          );
          // Every expert resident: slot e holds expert e.
          const identity = batch.input(
            'slots',
            Uint32Array.from({ length: nExpert }, (_, e) => e),
          );
          const experts = (gate: GpuMatrix, upOff: number, down: GpuMatrix, ids: GPUBuffer, kk: number, nFf: number, h: GPUBuffer, y: GPUBuffer, nE: number, dense: boolean, b?: typeof bs): void => {
            const upFlags = (b ? 1 : 0) | (c.opts.activation === 'swiglu_oai' && !dense ? 2 : 0);
            const table = dense ? dummy : identity;
            batch.dispatch(
              'moe_up',
              gate.type,
              [gate.buffer, XN, ids, h, b?.gate ?? dummy, b?.up ?? dummy, table],
              {
                n_embd: nEmbd,
                n_ff: nFf,
                row_bytes: gate.rowBytes,
                expert_bytes: gate.rowBytes * nFf,
                up_off: upOff,
                k: kk,
                n_pairs: T * kk,
                dense: dense ? 1 : 0,
                ids_off: 0,
                flags: upFlags,
                slots_off: 0,
              },
              [Math.ceil(nFf / rpg), nE, 1],
              { TILE: matmulTile(T, batch.lanes) },
            );
            batch.dispatch(
              'moe_down',
              down.type,
              [down.buffer, h, ids, y, b?.down ?? dummy, table],
              { n_embd: nEmbd, n_ff: nFf, row_bytes: down.rowBytes, expert_bytes: down.rowBytes * nEmbd, n_pairs: T * kk, dense: dense ? 1 : 0, ids_off: 0, flags: b ? 1 : 0, slots_off: 0 },
              [Math.ceil(nEmbd / rpg), nE, 1],
              { TILE: matmulTile(T, batch.lanes) },
            );
          };
          experts(g.gate, g.upOff, g.down, IDS, k, nFfExp, H, Y, nExpert, false, bs);
          if (sh) experts(sh.gate, sh.upOff, sh.down, dummy, 1, nFfShexp, HS, YS, 1, true);
          batch.dispatch('moe_combine', undefined, [xBuf, Y, WTS, sh ? YS : dummy, gated ? SHG : dummy, XO], { n_embd: nEmbd, k, flags: (sh ? 1 : 0) | (gated ? 2 : 0), alpha: c.alpha, n_tok: T }, [
            Math.ceil(nEmbd / 64),
            T,
            1,
          ]);
          return { c, X, xn, routing: blocks.routing[0], ffn, outs: [XN, IDS, WTS, XO] };
        });
        const got = await batch.run(runs.flatMap((r) => r.outs));
        runs.forEach((r, i) => {
          const [xn, ids, wts, xo] = got.slice(4 * i, 4 * i + 4);
          const label = `LANES ${lanes}, ${r.c.label}`;
          m.close(
            `${label}: XN`,
            xn,
            r.xn.flatMap((v) => Array.from(v)),
          );
          m.exact(
            `${label}: IDS`,
            ids,
            r.routing.flatMap((t) => t.experts),
          );
          m.close(
            `${label}: WTS`,
            wts,
            r.routing.flatMap((t) => t.weights),
          );
          m.close(
            `${label}: output`,
            xo,
            r.ffn.map((v, j) => r.X[j] + v),
          );
          // The FFN part alone, which the residual could hide: XO − X vs alpha · CpuBlocks.moe.
          const out = new Float32Array(xo);
          m.error(
            `${label}: XO − X`,
            relErr(
              Float64Array.from(r.ffn, (_, j) => out[j] - r.X[j]),
              r.ffn,
            ),
          );
        });
      }
      expect(m.list).toEqual([]);
    } finally {
      gw.destroy();
    }
  });
});
