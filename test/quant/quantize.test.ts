import { describe, expect, it } from 'vitest';
import { dequantize } from '../../workers/engine/quant/dequant.ts';
import { quantize } from '../../reference/quant/quantize.ts';
import { ggmlTypeByName, rowBytes } from '../../workers/engine/quant/types.ts';
import type { GgmlTypeName } from '../../workers/engine/quant/types.ts';
import { gaussian, uniform } from '../../scripts/model-gen/random.ts';

/** Weight-like rows: Gaussian with a per-row scale spanning 4 decades and a small offset. */
function rows(seed: number, nRows: number, n: number): Float32Array[] {
  const r = uniform(seed);
  const gauss = () => gaussian(r);
  return Array.from({ length: nRows }, (_, k) => {
    const scale = 10 ** (k - 2),
      offset = 0.1 * scale * (r() - 0.5);
    return Float32Array.from({ length: n }, () => gauss() * scale + offset);
  });
}

function relRms(x: Float32Array, y: Float32Array): number {
  let e = 0,
    s = 0;
  for (let i = 0; i < x.length; i++) {
    e += (y[i] - x[i]) ** 2;
    s += x[i] ** 2;
  }
  return Math.sqrt(e / s);
}

// Relative RMS error bounds on Gaussian rows, ~1.3x what the quantisers reach.
const bounds: [GgmlTypeName, number][] = [
  ['F32', 0],
  ['F16', 4e-4],
  ['BF16', 3e-3],
  ['Q8_0', 0.008],
  ['Q4_0', 0.115],
  ['Q4_1', 0.1],
  ['Q5_0', 0.057],
  ['Q5_1', 0.05],
  ['Q4_K', 0.09],
  ['Q5_K', 0.046],
  ['Q6_K', 0.023],
  ['MXFP4', 0.15],
  ['IQ4_NL', 0.095],
  ['IQ4_XS', 0.095],
];

describe.each(bounds)('%s', (name, bound) => {
  const type = ggmlTypeByName(name);

  it(`round-trips random rows within ${bound * 100}% relative RMS error`, () => {
    for (const [k, x] of rows(1234 + type.id, 5, 1024).entries()) {
      const q = quantize(type, x);
      expect(q.length).toBe(rowBytes(type, x.length));
      const y = dequantize(type, q, x.length);
      expect(y.every(Number.isFinite)).toBe(true);
      const err = relRms(x, y);
      if (err > bound) expect.fail(`row ${k}: relative RMS error ${err} > ${bound}`);
    }
  });

  it('quantises an all-zero row to zeros', () => {
    const y = dequantize(type, quantize(type, new Float32Array(512)), 512);
    expect(y.every((v) => v === 0)).toBe(true);
  });

  it('decodes the same from a subarray at an odd byte offset', () => {
    const q = quantize(type, rows(99 + type.id, 1, 512)[0]);
    const buf = new Uint8Array(q.length + 8);
    buf.set(q, 3);
    const atOdd = dequantize(type, buf.subarray(3), 512);
    const fromCopy = dequantize(type, q.slice(), 512);
    expect(new Uint8Array(atOdd.buffer)).toEqual(new Uint8Array(fromCopy.buffer));
  });
});

describe('values already on the grid come back exactly', () => {
  it('Q8_0', () => {
    const x = Float32Array.from({ length: 64 }, (_, i) => (i === 5 ? -127 : ((i * 37) % 255) - 127) * 0.125);
    expect(Array.from(dequantize(ggmlTypeByName('Q8_0'), quantize(ggmlTypeByName('Q8_0'), x), 64))).toEqual(Array.from(x));
  });

  it('Q4_0 (the extreme maps to -8)', () => {
    const x = Float32Array.from({ length: 32 }, (_, i) => (((i * 5) % 16) - 8) * 0.75);
    expect(Array.from(dequantize(ggmlTypeByName('Q4_0'), quantize(ggmlTypeByName('Q4_0'), x), 32))).toEqual(Array.from(x));
  });

  it('MXFP4 (E2M1 values under a power-of-two scale)', () => {
    const e2m1 = [0, 0.5, 1, 1.5, 2, 3, 4, 6];
    const x = Float32Array.from({ length: 32 }, (_, i) => (i === 0 ? 6 : (i % 2 ? -1 : 1) * e2m1[i % 8]) * 2 ** -3);
    expect(Array.from(dequantize(ggmlTypeByName('MXFP4'), quantize(ggmlTypeByName('MXFP4'), x), 32))).toEqual(Array.from(x));
  });
});

describe('quantize errors', () => {
  it('refuses Q2_K and Q3_K, naming the type', () => {
    expect(() => quantize(ggmlTypeByName('Q2_K'), new Float32Array(256))).toThrow('Q2_K');
    expect(() => quantize(ggmlTypeByName('Q3_K'), new Float32Array(256))).toThrow('Q3_K');
  });

  it('refuses a row that is not a whole number of blocks', () => {
    expect(() => quantize(ggmlTypeByName('Q4_K'), new Float32Array(300))).toThrow(/whole number/);
  });
});
