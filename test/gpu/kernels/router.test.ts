// Reference test of the router kernel: RMSNorm (ffn_norm folded in, XN written for the
// experts), router logits (+ bias), softmax, sigmoid or raw logits, top-k, renormalisation or
// softmax over the k, scale and the shared expert's sigmoid gate, against f64 math. The router weights are built so that each token's
// logits are a prescribed permutation with clear gaps, so the chosen ids must match exactly;
// two cases make an exact tie on purpose (identical rows), where the lower id must win.

import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../scripts/model-gen/random.ts';
import { dequantize } from '../../../workers/engine/quant/dequant.ts';
import { quantize } from '../../../reference/quant/quantize.ts';
import { deviceRowBytes, toDeviceLayout } from '../../../workers/engine/gpu/layout.ts';
import { ggmlTypeByName } from '../../../workers/engine/quant/types.ts';
import type { GgmlTypeName } from '../../../workers/engine/quant/types.ts';
import { embedAt, KernelBatch, laneVariants, Mismatches, POISON, routerFlags } from '../../helpers/gpuKernels.ts';
import { itemsPerGroup } from '../../../workers/engine/gpu/shaders.ts';
import { nodeGpuDevice } from '../../helpers/nodeGpu.ts';

const TOL = 1e-5;
/** llama.cpp's floor for the renormalisation sum. */
const MIN_WEIGHT_SUM = 6.103515625e-5;

let device: GPUDevice;
beforeAll(async () => {
  device = await nodeGpuDevice();
});

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

interface RouterCase {
  readonly label: string;
  readonly type: GgmlTypeName;
  readonly nEmbd: number;
  readonly nExpert: number;
  readonly k: number;
  readonly nTok: number;
  readonly sigmoid: boolean;
  readonly renorm: boolean;
  readonly scale: number;
  readonly gate: boolean;
  /** Experts [a, b], a < b, given identical rows: token 0 ties them at the top-k boundary, token 1 inside it. */
  readonly tie?: readonly [number, number];
  /** gpt-oss: a router bias on the logits, and top-k on the raw logits then softmax over the k. */
  readonly bias?: boolean;
  readonly softmaxWeight?: boolean;
}

const routerCases: RouterCase[] = [
  { label: 'granite: softmax, renorm, 32 experts top-8', type: 'F32', nEmbd: 1024, nExpert: 32, k: 8, nTok: 3, sigmoid: false, renorm: true, scale: 1, gate: false },
  { label: 'qwen2moe: softmax, no renorm, shared gate, 60 experts top-4', type: 'F32', nEmbd: 256, nExpert: 60, k: 4, nTok: 11, sigmoid: false, renorm: false, scale: 1, gate: true },
  { label: 'sigmoid, renorm, scale 2.5, 256 experts top-8', type: 'F32', nEmbd: 128, nExpert: 256, k: 8, nTok: 1, sigmoid: true, renorm: true, scale: 2.5, gate: false },
  { label: 'Qwen3-Next: softmax, renorm, shared gate, 512 experts top-10', type: 'F32', nEmbd: 128, nExpert: 512, k: 10, nTok: 5, sigmoid: false, renorm: true, scale: 1, gate: true },
  { label: 'sigmoid, no renorm, shared gate, 8 experts top-2', type: 'F32', nEmbd: 64, nExpert: 8, k: 2, nTok: 3, sigmoid: true, renorm: false, scale: 1, gate: true },
  { label: 'softmax, top-1', type: 'F32', nEmbd: 64, nExpert: 8, k: 1, nTok: 11, sigmoid: false, renorm: true, scale: 1, gate: false },
  { label: 'exact ties → lower id', type: 'F32', nEmbd: 64, nExpert: 16, k: 4, nTok: 3, sigmoid: false, renorm: true, scale: 1, gate: false, tie: [5, 9] },
  { label: 'sigmoid ties → lower id', type: 'F32', nEmbd: 64, nExpert: 16, k: 4, nTok: 3, sigmoid: true, renorm: false, scale: 1.5, gate: true, tie: [2, 14] },
  { label: 'Q8_0 router, softmax, renorm', type: 'Q8_0', nEmbd: 256, nExpert: 32, k: 8, nTok: 3, sigmoid: false, renorm: true, scale: 1, gate: false },
  { label: 'Q4_K router, sigmoid, shared gate', type: 'Q4_K', nEmbd: 256, nExpert: 16, k: 4, nTok: 3, sigmoid: true, renorm: true, scale: 1, gate: true },
  {
    label: 'gpt-oss: bias, softmax over the top-4 raw logits, 32 experts',
    type: 'F32',
    nEmbd: 128,
    nExpert: 32,
    k: 4,
    nTok: 11,
    sigmoid: false,
    renorm: false,
    scale: 1,
    gate: false,
    bias: true,
    softmaxWeight: true,
  },
  { label: 'raw-logit ties → lower id', type: 'F32', nEmbd: 64, nExpert: 16, k: 4, nTok: 3, sigmoid: false, renorm: false, scale: 1, gate: false, tie: [3, 11], softmaxWeight: true },
];

/** Solves A·x = b in place (A n×n row-major, f64; Gaussian elimination with pivoting). */
function solve(a: Float64Array, b: Float64Array, n: number): Float64Array {
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r * n + c]) > Math.abs(a[p * n + c])) p = r;
    for (let j = 0; j < n; j++) [a[c * n + j], a[p * n + j]] = [a[p * n + j], a[c * n + j]];
    [b[c], b[p]] = [b[p], b[c]];
    for (let r = c + 1; r < n; r++) {
      const f = a[r * n + c] / a[c * n + c];
      for (let j = c; j < n; j++) a[r * n + j] -= f * a[c * n + j];
      b[r] -= f * b[c];
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r];
    for (let j = r + 1; j < n; j++) s -= a[r * n + j] * x[j];
    x[r] = s / a[r * n + r];
  }
  return x;
}

interface RouterData {
  readonly X: Float32Array; // [n_tok, n_embd]
  readonly N: Float32Array;
  readonly G: Float32Array;
  readonly W: Uint8Array;
  readonly xn: Float64Array[];
  readonly logits: Float64Array[]; // from the dequantized W, plus B
  readonly B: Float32Array; // [n_expert] router bias (zeros without c.bias)
}

/**
 * Router weights whose logits for these tokens are prescribed: a random permutation of an even
 * grid over [−4, 4] per token (W = R + C·XN with C solving the n_tok × n_tok system). The
 * quantized types then move them a little; the caller checks the gaps in the reference.
 */
function routerData(c: RouterCase, rng: Rng): RouterData {
  const { nEmbd: n, nExpert: E, nTok: T } = c;
  const X = rng.gaussian(T * n, 1.2, 0.3);
  const N = rng.gaussian(n, 0.3, 1);
  const xn = Array.from({ length: T }, (_, t) => {
    const x = X.subarray(t * n, (t + 1) * n);
    const inv = 1 / Math.sqrt(x.reduce((s, v) => s + v * v, 0) / n + 1e-6);
    return Float64Array.from(x, (v, i) => v * inv * N[i]);
  });
  const target = Array.from({ length: T }, (_, t) => {
    const rank = rng.permutation(E);
    if (c.tie) {
      const [a, b] = c.tie;
      // Put a and b at ranks k−1, k (token 0) or 0, 1 (token 1); ranks count from the top.
      const want = t === 0 ? [c.k - 1, c.k] : t === 1 ? [0, 1] : [rank[a], rank[b]];
      for (const [e, r] of [
        [a, E - 1 - want[0]],
        [b, E - 1 - want[1]],
      ] as const) {
        const other = rank.indexOf(r);
        [rank[e], rank[other]] = [r, rank[e]];
      }
    }
    return Float64Array.from(rank, (r) => -4 + (8 * r) / (E - 1));
  });
  const gram = new Float64Array(T * T);
  for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) gram[i * T + j] = xn[i].reduce((s, v, q) => s + v * xn[j][q], 0);
  const wf = new Float32Array(E * n);
  for (let e = 0; e < E; e++) {
    const r = rng.gaussian(n, 1 / Math.sqrt(n));
    const rhs = Float64Array.from(xn, (x, t) => target[t][e] - x.reduce((s, v, q) => s + v * r[q], 0));
    const coef = solve(gram.slice(), rhs, T);
    for (let q = 0; q < n; q++) wf[e * n + q] = r[q] + xn.reduce((s, x, t) => s + coef[t] * x[q], 0);
  }
  if (c.tie) wf.copyWithin(c.tie[1] * n, c.tie[0] * n, (c.tie[0] + 1) * n);
  const type = ggmlTypeByName(c.type);
  const file = quantize(type, wf);
  const W = toDeviceLayout(type, n, file);
  const wd = dequantize(type, file, E * n);
  const B = c.bias ? rng.gaussian(E, 0.5) : new Float32Array(E);
  const logits = xn.map((x) => Float64Array.from({ length: E }, (_, e) => x.reduce((s, v, q) => s + v * wd[e * n + q], 0) + B[e]));
  return { X, N, G: rng.gaussian(n, 1 / Math.sqrt(n)), W, xn, logits, B };
}

/** Top-k of the probabilities (ties → lower id) and their weights, as CpuBlocks.moe does. */
function routeRef(c: RouterCase, logits: Float64Array): { ids: number[]; wts: number[]; order: number[]; probs: number[] } {
  let probs = Array.from(logits, (l) => (c.sigmoid ? sigmoid(l) : l));
  if (!c.sigmoid && !c.softmaxWeight) {
    const m = Math.max(...probs);
    const z = probs.reduce((s, l) => s + Math.exp(l - m), 0);
    probs = probs.map((l) => Math.exp(l - m) / z);
  }
  const order = probs.map((_, e) => e).sort((a, b) => probs[b] - probs[a] || a - b);
  const ids = order.slice(0, c.k);
  if (c.softmaxWeight) {
    const z = ids.reduce((s, e) => s + Math.exp(probs[e] - probs[ids[0]]), 0);
    return { ids, wts: ids.map((e) => (Math.exp(probs[e] - probs[ids[0]]) / z) * c.scale), order, probs };
  }
  const sum = c.renorm
    ? Math.max(
        ids.reduce((s, e) => s + probs[e], 0),
        MIN_WEIGHT_SUM,
      )
    : 1;
  return { ids, wts: ids.map((e) => (probs[e] / sum) * c.scale), order, probs };
}

/** Whether the top k+1 logits are apart by ≥ 1e-3 (exact ties excepted: those are the point). */
function clearGaps(c: RouterCase, d: RouterData): boolean {
  return d.logits.every((l) => {
    const { order } = routeRef(c, l);
    for (let i = 0; i < Math.min(c.k, c.nExpert - 1); i++) {
      const gap = Math.abs(l[order[i]] - l[order[i + 1]]);
      if (gap !== 0 && gap < 1e-3) return false;
    }
    return true;
  });
}

describe('router equals f64 routing', () => {
  it.each(laneVariants)('LANES %i: softmax/sigmoid, renorm on/off, scale, shared gate, exact ties, F32/Q8_0/Q4_K weights', async (lanes) => {
    const rng = new Rng(0x2047);
    const batch = new KernelBatch(device, `router LANES=${lanes}`, lanes);
    const runs = routerCases.map((c, i) => {
      let d = routerData(c, rng);
      for (let tries = 0; !clearGaps(c, d); tries++) {
        if (tries > 20) throw new Error(`${c.label}: could not build logits with clear gaps`);
        d = routerData(c, rng);
      }
      const refs = d.logits.map((l) => routeRef(c, l));
      if (c.tie) {
        // The construction did what it says: the tie is exact and where it should be.
        expect(refs[0].ids.at(-1), c.label).toBe(c.tie[0]);
        expect(refs[0].order[c.k], c.label).toBe(c.tie[1]);
        expect(refs[1].ids.slice(0, 2), c.label).toEqual([...c.tie]);
      }
      const type = ggmlTypeByName(c.type);
      // The ids go to block `layer` of the step's routing log (ids_off = layer · n_tok · k).
      const idsOff = (i % 3) * c.nTok * c.k;
      const outs = [batch.poisoned('XN', 4 * c.nTok * c.nEmbd), batch.poisoned('IDS', 4 * (idsOff + c.nTok * c.k)), batch.poisoned('WTS', 4 * c.nTok * c.k), batch.poisoned('SHG', 4 * c.nTok)];
      const flags = routerFlags({ sigmoid: c.sigmoid, renorm: c.renorm, sharedGate: c.gate, bias: c.bias, softmaxWeight: c.softmaxWeight });
      batch.dispatch(
        'router',
        type,
        [
          batch.input('W', embedAt(rng, d.W, 0)),
          batch.input('X', d.X),
          batch.input('N', d.N),
          c.gate ? batch.input('G', d.G) : batch.poisoned('no G', 16),
          ...outs,
          c.bias ? batch.input('RB', d.B) : batch.poisoned('no RB', 16),
        ],
        { n_embd: c.nEmbd, n_expert: c.nExpert, k: c.k, row_bytes: deviceRowBytes(type, c.nEmbd), flags, eps: 1e-6, w_scale: c.scale, n_tok: c.nTok, ids_off: idsOff },
        // CPU adapters: several tokens a workgroup, one invocation each.
        [Math.ceil(c.nTok / itemsPerGroup('router', lanes)), 1, 1],
      );
      return { c, d, refs, outs, idsOff };
    });
    const got = await batch.run(runs.flatMap((r) => r.outs));
    const p = new Mismatches(TOL);
    runs.forEach(({ c, d, refs, idsOff }, i) => {
      const [xn, ids, wts, shg] = got.slice(4 * i, 4 * i + 4);
      p.close(
        `${c.label}: XN`,
        xn,
        d.xn.flatMap((x) => Array.from(x)),
      );
      p.exact(`${c.label}: IDS (ids_off ${idsOff})`, ids, [...Array<number>(idsOff).fill(POISON), ...refs.flatMap((r) => r.ids)]);
      p.close(
        `${c.label}: WTS`,
        wts,
        refs.flatMap((r) => r.wts),
      );
      if (c.gate)
        p.close(
          `${c.label}: shared gate`,
          shg,
          d.xn.map((x) => sigmoid(x.reduce((s, v, q) => s + v * d.G[q], 0))),
        );
    });
    expect(p.list).toEqual([]);
  });
});
