// Reference tests of the dense kernels (matmul, embed, argmax, top-k) as the runtime compiles them,
// against the CPU: dequantize() of the very same bytes, then f64 arithmetic. Inputs are seeded
// random (never zeros), every output buffer starts poisoned, must be written exactly where the
// kernel owns it, and must match with ‖gpu − ref‖ / ‖ref‖ ≤ 1e-5. Cases of one kernel and type
// share one submission. Attention and MoE kernels: test/gpu/kernels/*.test.ts.

import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../scripts/model-gen/random.ts';
import { openNodeGpu } from '../../scripts/node-webgpu.ts';
import { F_BIAS, F_RES } from '../../workers/engine/gpu/matmul.ts';
import { matmulTile } from '../../workers/engine/gpu/shaders.ts';
import { MAX_CANDIDATES } from '../../workers/engine/gpu/scratch.ts';
import { allGgmlTypes, ggmlTypeByName } from '../../workers/engine/quant/types.ts';
import type { GgmlTypeInfo } from '../../workers/engine/quant/types.ts';
import { deviceRowBytes, wordAlignedRows } from '../../workers/engine/gpu/layout.ts';
import { embedAt, KernelBatch, laneVariants, Mismatches, POISON, randomWeights } from '../helpers/gpuKernels.ts';
import type { Lanes } from '../helpers/gpuKernels.ts';
import { nodeGpuDevice } from '../helpers/nodeGpu.ts';

const TOL = 1e-5;
const types = allGgmlTypes.filter((t) => t.supported);

let device: GPUDevice;
beforeAll(async () => {
  device = await nodeGpuDevice();
});

// ---- matmul ----

const flagSets = [0, F_BIAS, F_RES, F_BIAS | F_RES] as const;
const flagName = (f: number): string => (f === 0 ? 'plain' : [f & F_BIAS && 'bias', f & F_RES && 'residual'].filter(Boolean).join('+'));

interface MatmulCase {
  readonly label: string;
  readonly rows: number;
  readonly cols: number;
  readonly nTok: number;
  readonly flags: number;
  readonly alpha: number;
  readonly wOff: number;
  /** First float of token 0 in X (the last-token-only output projection reads from there). */
  readonly xOff: number;
  readonly xStride: number;
  readonly yStride: number;
  readonly yOff: number;
  readonly rStride: number;
  readonly W: Uint8Array; // [w_off filler][rows × row_bytes][filler]
  readonly w: Float32Array; // dequantized [rows, cols]
  readonly X: Float32Array; // [x_off NaNs][n_tok, x_stride], NaN past cols
  readonly B: Float32Array;
  readonly R: Float32Array; // [n_tok, r_stride], NaN past rows
}

/** Column counts within the type's blocks (the kernels need multiples of 32). */
const colsFor = (t: GgmlTypeInfo): readonly number[] => (t.blockSize === 256 ? [256, 512] : [32, 160, 512]);

function matmulCase(type: GgmlTypeInfo, rng: Rng, rows: number, cols: number, nTok: number, flags: number, layout: { wOff: number; padded: boolean }): MatmulCase {
  const { bytes, values } = randomWeights(type, rows, cols, rng);
  const xOff = layout.padded ? [8, 3 * cols][rng.int(2)] : 0;
  const xStride = layout.padded ? cols + 32 : cols;
  const yOff = layout.padded ? 3 : 0;
  const yStride = layout.padded ? rows + yOff + 5 : rows;
  const rStride = layout.padded ? rows + 7 : rows;
  const X = new Float32Array(xOff + nTok * xStride).fill(NaN);
  const R = new Float32Array(nTok * rStride).fill(NaN);
  for (let t = 0; t < nTok; t++) {
    X.set(rng.gaussian(cols, 1.5, 0.2), xOff + t * xStride);
    R.set(rng.gaussian(rows, 1), t * rStride);
  }
  const alpha = flags & F_RES ? [0.37, -1.5][rng.int(2)] : [1, 1 / 6][rng.int(2)];
  return {
    label: `${rows}×${cols} n_tok=${nTok} ${flagName(flags)} alpha=${alpha.toFixed(3)} w_off=${layout.wOff} x_off=${xOff}${layout.padded ? ' strided' : ''}`,
    rows,
    cols,
    nTok,
    flags,
    alpha,
    wOff: layout.wOff,
    xOff,
    xStride,
    yStride,
    yOff,
    rStride,
    W: embedAt(rng, bytes, layout.wOff),
    w: values,
    X,
    B: rng.gaussian(rows, 0.5),
    R,
  };
}

/**
 * Y[t, y_off + r] = alpha·(Σ_c W[r, c]·x[t, c] + B[r]) + R[t, r], in f64; NaN where Y is not the kernel's (columns outside [y_off, y_off + rows)).
 */
function matmulRef(c: MatmulCase): Float64Array {
  const y = new Float64Array(c.nTok * c.yStride).fill(NaN);
  for (let t = 0; t < c.nTok; t++) {
    const x = Float64Array.from(c.X.subarray(c.xOff + t * c.xStride, c.xOff + t * c.xStride + c.cols));
    for (let r = 0; r < c.rows; r++) {
      let acc = 0;
      for (let i = 0; i < c.cols; i++) acc += c.w[r * c.cols + i] * x[i];
      if (c.flags & F_BIAS) acc += c.B[r];
      acc *= c.alpha;
      if (c.flags & F_RES) acc += c.R[t * c.rStride + r];
      y[t * c.yStride + c.yOff + r] = acc;
    }
  }
  return y;
}

/** Records one matmul as GpuBlocks.matmul dispatches it; returns its poisoned output. */
function dispatchMatmul(batch: KernelBatch, type: GgmlTypeInfo, c: MatmulCase, dummy: GPUBuffer): GPUBuffer {
  const y = batch.poisoned('Y', 4 * c.nTok * c.yStride);
  const params = {
    rows: c.rows,
    cols: c.cols,
    row_bytes: deviceRowBytes(type, c.cols),
    n_tok: c.nTok,
    x_stride: c.xStride,
    y_stride: c.yStride,
    y_off: c.yOff,
    flags: c.flags,
    alpha: c.alpha,
    w_off: c.wOff,
    r_stride: c.rStride,
    x_off: c.xOff,
  };
  const groups = Math.ceil(c.rows / batch.rowsPerGroup);
  const tile = matmulTile(c.nTok, batch.lanes);
  batch.dispatch(
    'matmul',
    type,
    [batch.input('W', c.W), batch.input('X', c.X), c.flags & F_BIAS ? batch.input('B', c.B) : dummy, c.flags & F_RES ? batch.input('R', c.R) : dummy, y],
    params,
    [Math.min(groups, 32768), Math.ceil(groups / 32768), Math.ceil(c.nTok / tile)],
    { TILE: tile },
  );
  return y;
}

/** All cases in one submission; returns the failures. */
async function runMatmuls(type: GgmlTypeInfo, lanes: Lanes, cases: readonly MatmulCase[]): Promise<string[]> {
  const batch = new KernelBatch(device, `matmul ${type.name} LANES=${lanes}`, lanes);
  const dummy = batch.poisoned('unused', 16);
  const got = await batch.run(cases.map((c) => dispatchMatmul(batch, type, c, dummy)));
  const m = new Mismatches(TOL);
  cases.forEach((c, i) => m.close(c.label, got[i], matmulRef(c)));
  return m.list;
}

describe('matmul equals dequantize + f64 dot', () => {
  it.each(types.flatMap((t) => laneVariants.map((l) => [t.name, l, t] as const)))(
    '%s, LANES %i: ragged rows, n_tok 1/2/3/8/11 (every tile), every flag, w_off > 0, x_off > 0, strides',
    async (_n, lanes, type) => {
      const rng = new Rng(0x3a7 + type.id);
      const cols = colsFor(type);
      const aligned = wordAlignedRows(type);
      const cases: MatmulCase[] = [];
      let i = 0;
      for (const rows of [1, 13, 67]) {
        for (const nTok of [1, 2, 3, 8, 11]) {
          // w_off: 0, a word offset (packed Q|K|V, gate|up), or any byte where the type allows it.
          const wOff = [0, 4 * (5 + rng.int(40)), aligned ? 12 : 1 + 2 * rng.int(20)][i % 3];
          cases.push(matmulCase(type, rng, rows, cols[i % cols.length], nTok, flagSets[i % flagSets.length], { wOff, padded: i % 2 === 1 }));
          i++;
        }
      }
      // Every flag set at the largest shape, with two token tiles.
      for (const flags of flagSets) cases.push(matmulCase(type, rng, 64, cols[cols.length - 1], 11, flags, { wOff: aligned ? 8 : 5, padded: flags === F_RES }));
      expect(await runMatmuls(type, lanes, cases)).toEqual([]);
    },
  );

  // ARCHITECTURE.md invariant 5, at the kernel: token t of an 11-token batch (two tiles of 8)
  // is bit-identical to token t alone (a tile of 1) (x_off pointing at it, as the last-token-only output does).
  it.each((['Q8_0', 'Q4_K', 'Q6_K', 'F16'] as const).flatMap((n) => laneVariants.map((l) => [n, l] as const)))(
    '%s, LANES %i, is batch-invariant: each token of 11 equals the token alone, bit for bit',
    async (name, lanes) => {
      const type = ggmlTypeByName(name);
      const rng = new Rng(0xb17);
      const c = matmulCase(type, rng, 67, 512, 11, F_BIAS | F_RES, { wOff: 8, padded: true });
      const singles = Array.from({ length: c.nTok }, (_, t): MatmulCase => ({ ...c, nTok: 1, xOff: c.xOff + t * c.xStride, R: c.R.slice(t * c.rStride, (t + 1) * c.rStride) }));
      const batch = new KernelBatch(device, `matmul ${name} LANES=${lanes} invariance`, lanes);
      const dummy = batch.poisoned('unused', 16);
      const [all, ...alone] = await batch.run([c, ...singles].map((x) => dispatchMatmul(batch, type, x, dummy)));
      const rowBits = (b: ArrayBuffer, t: number): number[] => Array.from(new Uint32Array(b, 4 * t * c.yStride, c.yStride));
      alone.forEach((b, t) => expect(rowBits(all, t), `token ${t}`).toEqual(rowBits(b, 0)));
    },
  );

  // SwiftShader spends ~0.7 ms per workgroup: 22 s here. Runs on real GPUs, or when asked.
  it('more than 32768 row groups use the second grid dimension (Q8_0, LANES 8, 262 147 rows)', async (ctx) => {
    if ((await openNodeGpu()).adapterInfo.architecture === 'swiftshader' && !process.env.PAKAR_SLOW_TESTS) ctx.skip();
    const type = ggmlTypeByName('Q8_0');
    const rng = new Rng(77);
    const c = matmulCase(type, rng, 8 * 32768 + 3, 32, 1, 0, { wOff: 2, padded: false });
    expect(await runMatmuls(type, 8, [c])).toEqual([]);
  });
});

// ---- rms_norm ----

describe('rms_norm equals the f64 RMSNorm · weight', () => {
  it('widths 32, 160 and 2080 (several passes of a workgroup), strided rows from an offset', async () => {
    const rng = new Rng(0x5e1);
    const batch = new KernelBatch(device, 'rms_norm');
    const m = new Mismatches(TOL);
    const cases = [32, 160, 2080].map((cols, i) => {
      const nTok = [1, 3, 5][i];
      const stride = cols + 8 * i;
      const off = 4 * i;
      const X = new Float32Array(off + nTok * stride).fill(NaN);
      for (let t = 0; t < nTok; t++) X.set(rng.gaussian(cols, 1.5, 0.3), off + t * stride);
      const N = rng.gaussian(cols, 0.4, 1);
      const want = new Float64Array(nTok * cols);
      for (let t = 0; t < nTok; t++) {
        const x = X.subarray(off + t * stride, off + t * stride + cols);
        const inv = 1 / Math.sqrt(x.reduce((a, v) => a + v * v, 0) / cols + 1e-6);
        for (let c = 0; c < cols; c++) want[t * cols + c] = x[c] * inv * N[c];
      }
      // Rows written into the second half of rows twice as wide (NextN's [enorm(e); hnorm(h)]).
      const yStride = 2 * cols;
      const y = batch.poisoned('Y', 4 * nTok * yStride);
      batch.dispatch('rms_norm', undefined, [batch.input('X', X), batch.input('N', N), y], { cols, x_stride: stride, x_off: off, eps: 1e-6, y_stride: yStride, y_off: cols }, [nTok, 1, 1]);
      return { label: `${cols} wide, ${nTok} tokens`, y, want, nTok, cols, yStride };
    });
    const got = await batch.run(cases.map((c) => c.y));
    cases.forEach((c, i) => {
      const rows = new Float32Array(c.nTok * c.cols);
      const out = new Float32Array(got[i]);
      for (let t = 0; t < c.nTok; t++) rows.set(out.subarray(t * c.yStride + c.cols, (t + 1) * c.yStride), t * c.cols);
      m.close(c.label, rows.buffer, c.want);
    });
    expect(m.list).toEqual([]);
  });
});

// ---- embed ----

describe('embed equals scale · dequantize(row)', () => {
  it.each(types.map((t) => [t.name, t] as const))('%s: whole table, a table split in two bindings, one part alone', async (_n, type) => {
    const rng = new Rng(0xe3b + type.id);
    const nVocab = 37;
    const split = 20; // parts [0, 20) and [20, 37), as GpuWeights splits a table larger than one binding
    const widths = type.blockSize === 256 ? [256, 2304] : [64, 2080]; // the second needs 2 workgroups
    const batch = new KernelBatch(device, `embed ${type.name}`);
    const m = new Mismatches(TOL);
    const cases = widths.flatMap((nEmbd) => {
      const { bytes, values, rowBytes: rb } = randomWeights(type, nVocab, nEmbd, rng, 1);
      const tokens = Uint32Array.of(nVocab - 1, 0, 5, 5, split, split - 1, rng.int(nVocab), 17);
      const scale = nEmbd === widths[0] ? 1 : 12;
      const parts = [
        { firstRow: 0, rows: split, W: batch.input('W[0, split)', embedAt(rng, bytes.subarray(0, split * rb), 0)) },
        { firstRow: split, rows: nVocab - split, W: batch.input('W[split, n)', embedAt(rng, bytes.subarray(split * rb), 0)) },
      ];
      const layouts = [
        { label: `n_embd ${nEmbd}, whole table`, parts: [{ firstRow: 0, rows: nVocab, W: batch.input('W', embedAt(rng, bytes, 0)) }] },
        { label: `n_embd ${nEmbd}, two parts`, parts },
        { label: `n_embd ${nEmbd}, rows ≥ ${split} only`, parts: parts.slice(1) },
      ];
      return layouts.map((l) => {
        const X = batch.poisoned('X', 4 * (tokens.length * nEmbd + 16)); // 16 words past the end stay poisoned
        for (const part of l.parts) {
          batch.dispatch('embed', type, [part.W, batch.input('TOK', tokens), X], { n_embd: nEmbd, row_bytes: rb, scale, n_tok: tokens.length, first_row: part.firstRow, n_rows: part.rows }, [
            Math.ceil(nEmbd / 32 / 64),
            tokens.length,
            1,
          ]);
        }
        // NaN: rows of tokens outside every dispatched part, which must stay poisoned.
        const want = new Float64Array(tokens.length * nEmbd);
        tokens.forEach((tok, t) => {
          const covered = l.parts.some((p) => tok >= p.firstRow && tok < p.firstRow + p.rows);
          for (let i = 0; i < nEmbd; i++) want[t * nEmbd + i] = covered ? scale * values[tok * nEmbd + i] : NaN;
        });
        return { label: l.label, X, want };
      });
    });
    const got = await batch.run(cases.map((c) => c.X));
    cases.forEach((c, i) => m.close(c.label, got[i], c.want));
    expect(m.list).toEqual([]);
  });
});

// ---- argmax ----

describe('argmax', () => {
  it('matches the first maximum (ties → lowest id) for vocabularies from 1 to 49 155', async () => {
    const rng = new Rng(0xa12);
    interface Case {
      readonly label: string;
      readonly nVocab: number;
      readonly stride: number;
      readonly outOff: number;
      readonly L: Float32Array;
      readonly want: number[];
    }
    const cases: Case[] = [];
    const make = (label: string, nVocab: number, rows: ((row: Float32Array, r: number) => void)[]): void => {
      const stride = nVocab + 1 + rng.int(7);
      const L = new Float32Array(rows.length * stride).fill(1e30); // past n_vocab: never a candidate
      const want = rows.map((fill, r) => {
        const row = L.subarray(r * stride, r * stride + nVocab);
        row.set(rng.gaussian(nVocab, 3));
        fill(row, r);
        let best = 0;
        for (let v = 1; v < nVocab; v++) if (row[v] > row[best]) best = v;
        return best;
      });
      cases.push({ label, nVocab, stride, outOff: 1 + rng.int(3), L, want });
    };
    const random = (): void => {};
    const tieAt =
      (a: number, b: number) =>
      (row: Float32Array): void => {
        row[a] = row[b] = 50;
      };
    make('one entry', 1, [random, random]);
    make('one lane each', 64, [random, tieAt(63, 0), tieAt(31, 32)]);
    make('65: a lane with two', 65, [tieAt(64, 0), random, tieAt(64, 1)]);
    make('all equal', 300, [(row) => row.fill(-2.5), (row) => row.fill(7)]);
    make('very negative', 1000, [
      (row) => {
        for (let v = 0; v < row.length; v++) row[v] = -3e38 + v * 1e33;
      },
      (row) => row.fill(-1e30),
    ]);
    make('granite vocab', 49155, [
      random,
      tieAt(49154, 130),
      tieAt(40000, 39999),
      (row) => {
        row[49154] = 99;
      },
    ]);
    const batch = new KernelBatch(device, 'argmax');
    const outs = cases.map((c) => {
      const nTok = c.want.length;
      const out = batch.poisoned('OUT', 4 * (c.outOff + nTok + 4));
      batch.dispatch('argmax', undefined, [batch.input('L', c.L), out], { n_vocab: c.nVocab, n_tok: nTok, l_stride: c.stride, out_off: c.outOff }, [nTok, 1, 1]);
      return out;
    });
    const got = await batch.run(outs);
    cases.forEach((c, i) => {
      const ids = new Uint32Array(got[i]);
      const want = [...Array<number>(c.outOff).fill(POISON), ...c.want, ...Array<number>(ids.length - c.outOff - c.want.length).fill(POISON)];
      expect(Array.from(ids), c.label).toEqual(want);
    });
  });
});

// ---- top-k sampling candidates ----

describe('topk_partial + topk_merge', () => {
  it('the k largest logits (ties → lowest id) and log Σ exp over the vocabulary', async () => {
    const rng = new Rng(0x70c);
    const N_PART = 64; // partitions of topk_partial (common/select.wgsl)
    const cases = [
      {
        label: 'granite vocab, k 40, row at l_off',
        nVocab: 49155,
        k: 40,
        lOff: 3 * 49155,
        tweak: (l: Float32Array): void => {
          l[49154] = 30;
          l[7] = 30;
          l[25000] = 29;
        },
      },
      { label: 'k = MAX_CANDIDATES', nVocab: 5000, k: MAX_CANDIDATES, lOff: 0, tweak: (): void => {} },
      { label: 'top-1', nVocab: 1000, k: 1, lOff: 17, tweak: (): void => {} },
      {
        label: '100 ids: empty partitions',
        nVocab: 100,
        k: 8,
        lOff: 0,
        tweak: (l: Float32Array): void => {
          l[99] = l[0] = 9;
        },
      },
      { label: 'fewer ids per partition than k', nVocab: 10, k: 8, lOff: 0, tweak: (): void => {} },
      {
        label: 'all equal',
        nVocab: 700,
        k: 5,
        lOff: 0,
        tweak: (l: Float32Array): void => {
          l.fill(-1.25);
        },
      },
      {
        label: 'ties across partitions',
        nVocab: 6400,
        k: 6,
        lOff: 0,
        tweak: (l: Float32Array): void => {
          for (const v of [6399, 3200, 100, 99, 5000, 1]) l[v] = 12;
        },
      },
    ];
    const batch = new KernelBatch(device, 'topk');
    const runs = cases.map((c) => {
      const L = new Float32Array(c.lOff + c.nVocab + 8).fill(NaN);
      const row = L.subarray(c.lOff, c.lOff + c.nVocab);
      row.set(rng.gaussian(c.nVocab, 4));
      c.tweak(row);
      const order = Array.from(row.keys()).sort((a, b) => row[b] - row[a] || a - b);
      const m = Math.max(...row);
      const logZ = m + Math.log(row.reduce((s, x) => s + Math.exp(x - m), 0));
      const part = batch.poisoned('PART', 4 * N_PART * (2 + 2 * MAX_CANDIDATES));
      const out = batch.poisoned('OUT', 4 * (1 + 2 * c.k));
      batch.dispatch('topk_partial', undefined, [batch.input('L', L), part], { n_vocab: c.nVocab, k: c.k, l_off: c.lOff }, [N_PART, 1, 1]);
      batch.dispatch('topk_merge', undefined, [part, out], { n_vocab: c.nVocab, k: c.k, out_off: 0 }, [1, 1, 1]);
      return { c, out, logZ, top: order.slice(0, Math.min(c.k, c.nVocab)), row };
    });
    const got = await batch.run(runs.map((r) => r.out));
    runs.forEach((r, i) => {
      const u = new Uint32Array(got[i]);
      const f = new Float32Array(got[i]);
      const ids = Array.from({ length: r.c.k }, (_, j) => u[1 + 2 * j]);
      const logits = Array.from({ length: r.c.k }, (_, j) => f[2 + 2 * j]);
      const n = r.top.length; // slots past the vocabulary are not candidates
      expect(ids.slice(0, n), r.c.label).toEqual(r.top);
      expect(logits.slice(0, n), r.c.label).toEqual(r.top.map((v) => r.row[v]));
      expect(Math.abs(f[0] - r.logZ) / Math.max(1, Math.abs(r.logZ)), `${r.c.label}: logZ ${f[0]} vs ${r.logZ}`).toBeLessThanOrEqual(TOL);
    });
  });
});
