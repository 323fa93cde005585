// Known-answer tests: hand-made blocks, expected values computed here from the format
// definitions in docs/MOE-GGUF.md §3 (element index -> byte, nibble, bit), not from the decoder.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dequantize, QuantError } from '../../workers/engine/quant/dequant.ts';
import { ggmlTypeByName } from '../../workers/engine/quant/types.ts';
import type { GgmlTypeName } from '../../workers/engine/quant/types.ts';

// f16 bit patterns of the scales used below.
const H = { one: 0x3c00, two: 0x4000, half: 0x3800, quarter: 0x3400, mHalf: 0xb800, mQuarter: 0xb400, mOneHalf: 0xbe00, mTwo: 0xc000 };
const le16 = (h: number) => [h & 0xff, h >> 8];
const le32 = (u: number) => [u & 0xff, (u >>> 8) & 0xff, (u >>> 16) & 0xff, u >>> 24];
const seq = (n: number, f: (k: number) => number) => Array.from({ length: n }, (_, k) => f(k));

const KV_IQ4NL = [-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113];
const KV_MXFP4 = [0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12];

function decode(name: GgmlTypeName, bytes: number[], n: number): number[] {
  return Array.from(dequantize(ggmlTypeByName(name), Uint8Array.from(bytes), n));
}

/** Nibble of element i of a 32-element group stored as 16 bytes (low = first half). */
const nib = (qs: number[], i: number) => (i < 16 ? qs[i] & 0xf : qs[i - 16] >> 4);

describe('float types', () => {
  it('F32 little-endian', () => {
    expect(decode('F32', [0, 0, 0xc0, 0x3f, 0, 0, 0, 0xc0], 2)).toEqual([1.5, -2]);
  });
  it('F16 little-endian, incl. a subnormal', () => {
    expect(decode('F16', [0x00, 0x3c, 0x01, 0x00, 0x00, 0xc0], 3)).toEqual([1, 2 ** -24, -2]);
  });
  it('BF16 is the top half of an f32', () => {
    expect(decode('BF16', [0x80, 0x3f, 0xc0, 0xbf], 2)).toEqual([1, -1.5]);
  });
});

describe('32-element blocks', () => {
  // Every nibble value 0..15 appears in both the low and the high half.
  const qsA = seq(16, (j) => j | ((15 - j) << 4));
  const qsB = seq(16, (j) => ((5 * j) & 15) | (((3 * j + 1) & 15) << 4));

  it('Q8_0: signed bytes times d, negative d, two blocks', () => {
    const qs1 = seq(32, (j) => ((j * 37) % 256) - 128); // includes -128 and positives up to 127
    const qs2 = seq(32, (j) => 127 - 8 * j);
    const bytes = [...le16(H.mQuarter), ...qs1.map((q) => q & 0xff), ...le16(H.two), ...qs2.map((q) => q & 0xff)];
    expect(decode('Q8_0', bytes, 64)).toEqual([...qs1.map((q) => q * -0.25), ...qs2.map((q) => q * 2)]);
  });

  it('Q4_0: (q - 8)·d, low nibbles first, negative d, two blocks', () => {
    const bytes = [...le16(H.mHalf), ...qsA, ...le16(H.two), ...qsB];
    const want = [...seq(32, (i) => (nib(qsA, i) - 8) * -0.5), ...seq(32, (i) => (nib(qsB, i) - 8) * 2)];
    expect(decode('Q4_0', bytes, 64)).toEqual(want);
  });

  it('Q4_1: q·d + m', () => {
    const bytes = [...le16(H.half), ...le16(H.mOneHalf), ...qsB];
    expect(decode('Q4_1', bytes, 32)).toEqual(seq(32, (i) => nib(qsB, i) * 0.5 - 1.5));
  });

  it('Q5_0: bit i of qh is the 5th bit of element i; (q - 16)·d', () => {
    const qh = 0x9a3c5e71;
    const bytes = [...le16(H.half), ...le32(qh), ...qsA];
    const want = seq(32, (i) => ((nib(qsA, i) | (((qh >>> i) & 1) << 4)) - 16) * 0.5);
    expect(decode('Q5_0', bytes, 32)).toEqual(want);
  });

  it('Q5_1: q·d + m with the 5th bit, no offset', () => {
    const qh = 0xa55a0ff0;
    const bytes = [...le16(H.quarter), ...le16(H.mTwo), ...le32(qh), ...qsB];
    const want = seq(32, (i) => (nib(qsB, i) | (((qh >>> i) & 1) << 4)) * 0.25 - 2);
    expect(decode('Q5_1', bytes, 32)).toEqual(want);
  });

  it('IQ4_NL: d·kvalues[q], negative d', () => {
    const bytes = [...le16(H.mQuarter), ...qsA];
    expect(decode('IQ4_NL', bytes, 32)).toEqual(seq(32, (i) => -0.25 * KV_IQ4NL[nib(qsA, i)]));
  });

  it('MXFP4: doubled E2M1 values times 2^(e-128), negative codes, exponent edges', () => {
    const exps = [0, 1, 2, 127, 128, 254];
    const bytes = exps.flatMap((e) => [e, ...qsA]);
    const want = exps.flatMap((e) => seq(32, (i) => Math.fround(KV_MXFP4[nib(qsA, i)] * 2 ** (e - 128))));
    const got = decode('MXFP4', bytes, 32 * exps.length);
    expect(got).toEqual(want);
    // Spot checks of the edges: e = 0 is 2^-128 (an f32 subnormal); e = 254 overflows for |v| >= 4.
    expect(got[1]).toBe(2 ** -128); // code 1 (0.5 · 2) at e = 0
    expect(got[32 + 1]).toBe(2 ** -127);
    expect(got[4 * 32 + 7]).toBe(12); // e = 128: d = 1, code 7 -> 12
    expect(got[4 * 32 + 9]).toBe(-1); // code 9 -> -1
    expect(got[5 * 32 + 3]).toBe(3 * 2 ** 126);
    expect(got[5 * 32 + 15]).toBe(-Infinity); // code 15 = -12 at 2^126
  });
});

describe('K-quants', () => {
  // Distinct 6-bit scales and mins for all 8 sub-blocks; sub-blocks 4..7 use both high bits.
  const sc = [1, 2, 3, 4, 0x19, 0x2a, 0x3b, 0x0c];
  const mn = [5, 6, 7, 8, 0x2d, 0x1e, 0x0f, 0x37];
  // Packed by hand (get_scale_min_k4 layout):
  //  0..3: sc0..3 | (sc4..7 >> 4) << 6;  4..7: m0..3 | (m4..7 >> 4) << 6;
  //  8..11: (sc4..7 & 15) | (m4..7 & 15) << 4
  const scales12 = [0x41, 0x82, 0xc3, 0x04, 0x85, 0x46, 0x07, 0xc8, 0xd9, 0xea, 0xfb, 0x7c];

  it('Q4_K: d·sc·q - dmin·m; chunk c holds sub-blocks 2c (low) and 2c+1 (high)', () => {
    const qs = seq(128, (k) => (k * 7 + 3) & 0xff);
    const bytes = [...le16(H.half), ...le16(H.quarter), ...scales12, ...qs];
    const want = seq(256, (i) => {
      const j = i >> 5,
        c = j >> 1,
        l = i & 31;
      const q = j & 1 ? qs[32 * c + l] >> 4 : qs[32 * c + l] & 0xf;
      return 0.5 * sc[j] * q - 0.25 * mn[j];
    });
    expect(decode('Q4_K', bytes, 256)).toEqual(want);
  });

  it('Q5_K: the 5th bit of sub-block j is bit j of qh[l]', () => {
    const qh = seq(32, (l) => (l * 29 + 11) & 0xff);
    const qs = seq(128, (k) => (k * 13 + 5) & 0xff);
    const bytes = [...le16(H.quarter), ...le16(H.half), ...scales12, ...qh, ...qs];
    const want = seq(256, (i) => {
      const j = i >> 5,
        c = j >> 1,
        l = i & 31;
      const q = (j & 1 ? qs[32 * c + l] >> 4 : qs[32 * c + l] & 0xf) + ((qh[l] >> j) & 1) * 16;
      return 0.25 * sc[j] * q - 0.5 * mn[j];
    });
    expect(decode('Q5_K', bytes, 256)).toEqual(want);
  });

  it('Q6_K: d last, signed int8 scales per 16, 4+2-bit quants', () => {
    const ql = seq(128, (k) => (k * 11 + 7) & 0xff);
    const qh = seq(64, (k) => (k * 23 + 1) & 0xff);
    const scales = [1, -2, 3, -4, 5, -6, 7, -8, -9, 10, -11, 12, -13, 14, 127, -128];
    const bytes = [...ql, ...qh, ...scales.map((s) => s & 0xff), ...le16(H.mQuarter)];
    expect(bytes.length).toBe(210);
    const want = seq(256, (i) => {
      const n = i >> 7,
        g = (i & 127) >> 5,
        l = i & 31; // half, quarter, lane
      const b = ql[64 * n + l + 32 * (g & 1)];
      const low4 = g < 2 ? b & 0xf : b >> 4;
      const high2 = (qh[32 * n + l] >> (2 * g)) & 3;
      const s = scales[8 * n + (l >> 4) + 2 * g];
      return -0.25 * s * ((low4 | (high2 << 4)) - 32);
    });
    expect(decode('Q6_K', bytes, 256)).toEqual(want);
  });

  it('IQ4_XS: 6-bit sub-scales from scales_l nibbles and scales_h bit pairs', () => {
    const ls = [0x00, 0x3f, 0x20, 0x1f, 0x11, 0x2e, 0x05, 0x28];
    // scales_l: sub-block 2k in the low nibble of byte k, 2k+1 in the high nibble.
    const scalesL = [0xf0, 0xf0, 0xe1, 0x85];
    // scales_h: bits 2ib..2ib+1 = ls >> 4 = 0,3,2,1,1,2,0,2
    const scalesH = 0x896c;
    const qs = seq(128, (k) => (k * 19 + 2) & 0xff);
    const bytes = [...le16(H.half), ...le16(scalesH), ...scalesL, ...qs];
    const want = seq(256, (i) => {
      const ib = i >> 5;
      return 0.5 * (ls[ib] - 32) * KV_IQ4NL[nib(qs.slice(16 * ib, 16 * ib + 16), i & 31)];
    });
    expect(decode('IQ4_XS', bytes, 256)).toEqual(want);
  });
});

interface GoldenCase {
  type: GgmlTypeName;
  n: number;
  bytes: string;
  f32le: string;
}

describe('matches ggml bit for bit', () => {
  // Produced by compiling llama.cpp's ggml-quants.c and running dequantize_row_* on random blocks.
  const golden = JSON.parse(readFileSync(new URL('./ggml-dequant-golden.json', import.meta.url), 'utf8')) as { cases: GoldenCase[] };
  const bits = (f: Float32Array) => Array.from(new Uint32Array(f.buffer, f.byteOffset, f.length));

  it.each(golden.cases)('$type', ({ type, n, bytes, f32le }) => {
    const want = new Float32Array(Uint8Array.from(Buffer.from(f32le, 'hex')).buffer);
    const got = dequantize(ggmlTypeByName(type), Uint8Array.from(Buffer.from(bytes, 'hex')), n);
    expect(bits(got)).toEqual(bits(want));
  });
});

describe('errors', () => {
  it.each(['Q2_K', 'Q3_K'] as const)('%s is refused, naming the type', (name) => {
    const t = ggmlTypeByName(name);
    const run = () => dequantize(t, new Uint8Array(t.typeSize), 256);
    expect(run).toThrow(QuantError);
    expect(run).toThrow(name);
  });

  it('refuses partial blocks, short input and a short output', () => {
    const q8 = ggmlTypeByName('Q8_0');
    expect(() => dequantize(q8, new Uint8Array(34), 16)).toThrow(/whole number/);
    expect(() => dequantize(q8, new Uint8Array(33), 32)).toThrow(/truncated/);
    expect(() => dequantize(q8, new Uint8Array(34), 32, new Float32Array(31))).toThrow(/output/);
  });

  it('writes into a given output and returns it', () => {
    const out = new Float32Array(40).fill(7);
    const y = dequantize(ggmlTypeByName('F16'), Uint8Array.from([0x00, 0x3c]), 1, out);
    expect(y).toBe(out);
    expect([y[0], y[1]]).toEqual([1, 7]);
  });
});
