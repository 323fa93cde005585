// Reference test of the WGSL deq32 snippets: for every supported ggml type, rows of seeded random
// blocks (quantised Gaussians with varied and negative scales, and raw random bytes) are decoded
// in the GPU's layout (gpu/layout.ts: Q8_0 regrouped) by kernels/test/dequant_rows.wgsl and
// compared with the CPU dequantize() of the file's bytes. Rows sit at odd byte offsets for the
// types that allow any offset, and several row lengths are not multiples of 4 bytes (Q4_0 18,
// MXFP4 17, Q6_K 210).

import { beforeAll, describe, expect, it } from 'vitest';
import kernel from '../../workers/engine/gpu/kernels/test/dequant_rows.wgsl?raw';
import { deviceRowBytes, toDeviceLayout, wordAlignedRows } from '../../workers/engine/gpu/layout.ts';
import { quantSnippet } from '../../workers/engine/gpu/quantShaders.ts';
import { dequantize, QuantError } from '../../workers/engine/quant/dequant.ts';
import { quantize } from '../../reference/quant/quantize.ts';
import { allGgmlTypes, ggmlTypeByName, rowBytes } from '../../workers/engine/quant/types.ts';
import type { GgmlTypeInfo, GgmlTypeName } from '../../workers/engine/quant/types.ts';
import { computePipeline, nodeGpuDevice, runCompute } from '../helpers/nodeGpu.ts';
import type { ComputeRun } from '../helpers/nodeGpu.ts';
import { gaussian, uniform } from '../../scripts/model-gen/random.ts';

/** Byte offsets of the f16 fields inside one block: raw random bytes there must not be inf/NaN. */
const f16Fields: Partial<Record<GgmlTypeName, readonly number[]>> = {
  Q4_0: [0],
  Q4_1: [0, 2],
  Q5_0: [0],
  Q5_1: [0, 2],
  Q8_0: [0],
  Q4_K: [0, 2],
  Q5_K: [0, 2],
  Q6_K: [208],
  IQ4_NL: [0],
  IQ4_XS: [0],
};

const tested = allGgmlTypes.filter((t) => t.supported);
const unsupported = allGgmlTypes.filter((t) => !t.supported);

const randomBytes = (r: () => number, n: number) => Uint8Array.from({ length: n }, () => Math.floor(256 * r()));

/** A finite f16 bit pattern (exponent 31 turned into 15), random sign, subnormals included. */
function finiteF16(r: () => number): number {
  const h = Math.floor(65536 * r());
  return (h & 0x7c00) === 0x7c00 ? h ^ 0x4000 : h;
}

/** One row of `n` elements: quantised Gaussians (scale varies by block, some blocks negated). */
function quantizedRow(type: GgmlTypeInfo, n: number, r: () => number): Uint8Array {
  const rowScale = [1e-3, 0.05, 1, 40][Math.floor(4 * r())];
  const x = new Float32Array(n);
  const group = Math.max(type.blockSize, 32);
  for (let i = 0; i < n; i += group) {
    const s = rowScale * (0.25 + 2 * r()) * (r() < 0.3 ? -1 : 1);
    for (let j = i; j < i + group; j++) x[j] = s * (gaussian(r) + (r() < 0.05 ? 4 : 0));
  }
  const bytes = quantize(type, x);
  const d = f16Fields[type.name]?.[0];
  // Negative block scales (the reference quantisers mostly write positive ones).
  if (d !== undefined) for (let b = 0; b < n / type.blockSize; b += 3) bytes[b * type.typeSize + d + 1] ^= 0x80;
  return bytes;
}

/** One row of `n` elements of raw random bytes, every value finite. */
function rawRow(type: GgmlTypeInfo, n: number, r: () => number): Uint8Array {
  const bytes = randomBytes(r, rowBytes(type, n));
  const view = new DataView(bytes.buffer);
  if (type.name === 'F32') {
    for (let o = 0; o < bytes.length; o += 4) {
      const w = view.getUint32(o, true);
      view.setUint32(o, (w & 0x7f800000) === 0x7f800000 ? w ^ 0x40000000 : w, true);
    }
    view.setUint32(0, 0x00012345, true); // a subnormal
  } else if (type.name === 'F16') {
    for (let o = 0; o < bytes.length; o += 2) view.setUint16(o, finiteF16(r), true);
    view.setUint16(0, 0x8001, true); // the smallest negative subnormal
  } else if (type.name === 'BF16') {
    for (let o = 0; o < bytes.length; o += 2) {
      const h = view.getUint16(o, true);
      view.setUint16(o, (h & 0x7f80) === 0x7f80 ? h ^ 0x4000 : h, true);
    }
    view.setUint16(0, 0x0041, true); // a subnormal
  } else if (type.name === 'MXFP4') {
    // Exponents whose values are subnormal (e < 2) or overflow to ±inf (e > 252) in f32.
    const extremes = [0, 1, 2, 252, 253, 254, 255];
    for (let b = 0; b < n / 32; b++) if (r() < 0.5) bytes[17 * b] = extremes[Math.floor(extremes.length * r())];
  }
  for (const f of f16Fields[type.name] ?? []) {
    for (let o = f; o < bytes.length; o += type.typeSize) view.setUint16(o, finiteF16(r), true);
  }
  return bytes;
}

interface Case {
  readonly label: string;
  readonly rows: readonly Uint8Array[]; // in the file's layout
  readonly W: Uint8Array; // [base random bytes][n_rows rows in the GPU's layout][random tail]
  readonly base: number;
  readonly n: number; // elements per row
  readonly nRows: number;
}

function cases(type: GgmlTypeInfo): Case[] {
  const r = uniform(0x5eed + type.id);
  const lengths = type.blockSize === 256 ? [256, 768] : type.blockSize === 32 ? [32, 96, 320] : [32, 64, 160];
  const bases = wordAlignedRows(type) ? [0, 4, 12] : [1, 3, 7, 2];
  const out: Case[] = [];
  let k = 0;
  for (const n of lengths) {
    for (const kind of ['quantized', 'raw'] as const) {
      const base = bases[k++ % bases.length];
      const nRows = 2 + (k % 3);
      const rows = Array.from({ length: nRows }, () => (kind === 'raw' ? rawRow(type, n, r) : quantizedRow(type, n, r)));
      const rb = deviceRowBytes(type, n);
      const W = randomBytes(r, base + nRows * rb + 9);
      rows.forEach((row, i) => W.set(toDeviceLayout(type, n, row), base + i * rb));
      out.push({ label: `${kind} ${nRows}×${n} (${rb} B rows) at byte ${base}`, rows, W, base, n, nRows });
    }
  }
  return out;
}

const POISON = 0xffffffff;
const TAIL = 64; // floats after the outputs, which must stay poisoned

/** K-quants may differ from the CPU's f64-then-round by f32 rounding of d·sc·q - dmin·m. */
const tolerance = (t: GgmlTypeInfo) => (t.name.endsWith('_K') ? 1e-6 : 0);

let device: GPUDevice;
beforeAll(async () => {
  device = await nodeGpuDevice();
});

describe('deq32 on the GPU equals the CPU dequantize', () => {
  it.each(tested.map((t) => [t.name, t] as const))('%s', async (_name, type) => {
    const pipeline = await computePipeline(device, `${kernel}\n${quantSnippet(type)}`, `dequant_rows ${type.name}`);
    const cs = cases(type);
    const runs: ComputeRun[] = cs.map((c) => {
      const total = c.nRows * (c.n / 32);
      return {
        bindings: [
          { kind: 'storage', data: c.W },
          { kind: 'uniform', data: Uint32Array.of(c.base, deviceRowBytes(type, c.n), c.n / 32, c.nRows) },
          { kind: 'output', bytes: 4 * (32 * total + TAIL) },
        ],
        workgroups: [Math.ceil(total / 64)],
      };
    });
    const outputs = await runCompute(device, pipeline, runs);
    let maxRel = 0;
    cs.forEach((c, ci) => {
      const got = new Float32Array(outputs[ci][0]);
      const bits = new Uint32Array(outputs[ci][0]);
      for (let row = 0; row < c.nRows; row++) {
        const want = dequantize(type, c.rows[row], c.n);
        for (let i = 0; i < c.n; i++) {
          const k = row * c.n + i;
          if (bits[k] === POISON) expect.fail(`${c.label}: row ${row} element ${i} was never written`);
          const g = got[k],
            w = want[i];
          if (g === w) continue;
          const rel = Number.isFinite(w) && w !== 0 ? Math.abs(g - w) / Math.abs(w) : Infinity;
          if (!(rel <= tolerance(type))) expect.fail(`${c.label}: row ${row} element ${i}: GPU ${g}, CPU ${w}`);
          maxRel = Math.max(maxRel, rel);
        }
      }
      const tail = bits.subarray(c.nRows * c.n);
      expect(
        tail.every((b) => b === POISON),
        `${c.label}: wrote past the last row`,
      ).toBe(true);
    });
    expect(maxRel).toBeLessThanOrEqual(tolerance(type));
  });
});

describe('quantSnippet', () => {
  it.each(tested.map((t) => [t.name, t] as const))('%s defines deq32 once, after the byte helpers', (_name, type) => {
    const src = quantSnippet(type);
    expect(src.match(/\bfn deq32\(row_base: u32, u: u32, d: ptr<function, array<f32, 32>>\)/g)).toHaveLength(1);
    expect(src).toContain('fn load_u32_at(');
  });

  it.each(unsupported.map((t) => [t.name, t] as const))('%s is refused with a typed error', (_name, type) => {
    expect(() => quantSnippet(type)).toThrow(QuantError);
    try {
      quantSnippet(type);
    } catch (e) {
      expect(e instanceof QuantError && e.code).toBe('unsupported_type');
    }
  });

  it('word-aligned rows are the types whose block bytes are a multiple of 4, and Q8_0 (regrouped on the GPU)', () => {
    const aligned = tested.filter(wordAlignedRows).map((t) => t.name);
    expect(aligned).toEqual(['F32', 'Q4_1', 'Q5_1', 'Q8_0', 'Q4_K', 'Q5_K', 'IQ4_XS']);
    expect(wordAlignedRows(ggmlTypeByName('Q6_K'))).toBe(false);
  });
});
