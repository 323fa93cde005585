import { describe, expect, it } from 'vitest';
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from '../../workers/engine/quant/f16.ts';
import { uniform } from '../../scripts/model-gen/random.ts';

/** binary32 from its bit pattern, independent of the module under test. */
function f32FromBits(bits: number): number {
  const v = new DataView(new ArrayBuffer(4));
  v.setUint32(0, bits >>> 0);
  return v.getFloat32(0);
}

/** IEEE binary16 by its definition: (-1)^s · 2^(e-15) · (1 + m/1024), subnormals 2^-14 · m/1024. */
function f16ByDefinition(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 31) return m ? NaN : s * Infinity;
  return e === 0 ? s * 2 ** -14 * (m / 1024) : s * 2 ** (e - 15) * (1 + m / 1024);
}

const isF16NaN = (h: number) => (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;

describe('f16', () => {
  it('decodes all 65536 patterns by the IEEE definition and encodes them back', () => {
    for (let h = 0; h < 65536; h++) {
      const v = f16ToF32(h);
      const want = f16ByDefinition(h);
      if (Number.isNaN(want)) {
        expect(v).toBeNaN();
        expect(isF16NaN(f32ToF16(v))).toBe(true);
      } else {
        if (!Object.is(v, want)) expect.fail(`f16ToF32(0x${h.toString(16)}) = ${v}, want ${want}`);
        if (f32ToF16(v) !== h) expect.fail(`f32ToF16(${v}) = 0x${f32ToF16(v).toString(16)}, want 0x${h.toString(16)}`);
      }
    }
  });

  it('decodes landmark values', () => {
    expect(f16ToF32(0x3c00)).toBe(1);
    expect(f16ToF32(0xc000)).toBe(-2);
    expect(f16ToF32(0x7bff)).toBe(65504);
    expect(f16ToF32(0x0400)).toBe(2 ** -14); // smallest normal
    expect(f16ToF32(0x0001)).toBe(2 ** -24); // smallest subnormal
    expect(f16ToF32(0x03ff)).toBe(1023 * 2 ** -24); // largest subnormal
    expect(f16ToF32(0x7c00)).toBe(Infinity);
    expect(f16ToF32(0xfc00)).toBe(-Infinity);
    expect(Object.is(f16ToF32(0x8000), -0)).toBe(true);
  });

  it('rounds ties to even among normals', () => {
    expect(f32ToF16(1 + 2 ** -11)).toBe(0x3c00); // halfway 0x3c00|0x3c01 -> even 0x3c00
    expect(f32ToF16(1 + 3 * 2 ** -11)).toBe(0x3c02); // halfway 0x3c01|0x3c02 -> even 0x3c02
    expect(f32ToF16(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01); // just above the tie
    expect(f32ToF16(-(1 + 3 * 2 ** -11))).toBe(0xbc02);
    expect(f32ToF16(2 - 2 ** -11)).toBe(0x4000); // tie 0x3fff|0x4000: carry into the exponent
  });

  it('rounds subnormals, ties to even, and carries into the smallest normal', () => {
    expect(f32ToF16(2 ** -25)).toBe(0x0000); // half the smallest subnormal -> 0 (even)
    expect(f32ToF16(2 ** -25 + 2 ** -35)).toBe(0x0001);
    expect(f32ToF16(3 * 2 ** -25)).toBe(0x0002); // 1.5 units -> 2
    expect(f32ToF16(5 * 2 ** -25)).toBe(0x0002); // 2.5 units -> 2
    expect(f32ToF16(1023.5 * 2 ** -24)).toBe(0x0400); // tie 0x3ff|0x400 -> 0x400
    expect(f32ToF16(-(2 ** -30))).toBe(0x8000);
    expect(f32ToF16(2 ** -149)).toBe(0x0000); // smallest f32 subnormal
  });

  it('overflows to infinity and keeps NaN quiet', () => {
    expect(f32ToF16(65519.99)).toBe(0x7bff);
    expect(f32ToF16(65520)).toBe(0x7c00); // tie 0x7bff|inf -> even (inf)
    expect(f32ToF16(-1e10)).toBe(0xfc00);
    expect(f32ToF16(Infinity)).toBe(0x7c00);
    expect(f32ToF16(NaN)).toBe(0x7e00);
    expect(f32ToF16(f32FromBits(0xffc00001))).toBe(0xfe00);
  });

  it('gives the nearest half for random floats over the whole range', () => {
    // Positive finite halves are ordered like their bit patterns, so bisect for the neighbours.
    const rnd = uniform(7);
    for (let k = 0; k < 20000; k++) {
      const x = Math.fround((rnd() < 0.5 ? -1 : 1) * (1 + rnd()) * 2 ** Math.floor(rnd() * 44 - 28));
      const ax = Math.abs(x);
      let lo = 0,
        hi = 0x7c00; // f16(lo) <= ax < f16(hi), with 0x7c00 standing for 65520
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (f16ToF32(mid) <= ax) lo = mid;
        else hi = mid;
      }
      const up = hi === 0x7c00 ? 65520 : f16ToF32(hi);
      const dLo = ax - f16ToF32(lo),
        dHi = up - ax;
      const want = (dLo < dHi || (dLo === dHi && (lo & 1) === 0) ? lo : hi) | (x < 0 ? 0x8000 : 0);
      if (f32ToF16(x) !== want) expect.fail(`f32ToF16(${x}) = 0x${f32ToF16(x).toString(16)}, want 0x${want.toString(16)}`);
    }
  });
});

describe('bf16', () => {
  it('decodes all 65536 patterns as the top half of an f32 and encodes them back', () => {
    for (let h = 0; h < 65536; h++) {
      const v = bf16ToF32(h);
      const want = f32FromBits(h << 16);
      if (Number.isNaN(want)) {
        expect(v).toBeNaN();
        const back = f32ToBf16(v);
        expect((back & 0x7f80) === 0x7f80 && (back & 0x40) !== 0).toBe(true); // quiet NaN
      } else {
        if (!Object.is(v, want)) expect.fail(`bf16ToF32(0x${h.toString(16)}) = ${v}, want ${want}`);
        if (f32ToBf16(v) !== h) expect.fail(`f32ToBf16(${v}) = 0x${f32ToBf16(v).toString(16)}, want 0x${h.toString(16)}`);
      }
    }
  });

  it('rounds to nearest even like ggml_compute_fp32_to_bf16', () => {
    expect(f32ToBf16(f32FromBits(0x3f808000))).toBe(0x3f80); // tie -> even
    expect(f32ToBf16(f32FromBits(0x3f818000))).toBe(0x3f82); // tie -> even
    expect(f32ToBf16(f32FromBits(0x3f808001))).toBe(0x3f81); // above the tie
    expect(f32ToBf16(f32FromBits(0xbf807fff))).toBe(0xbf80); // below the tie
    expect(f32ToBf16(f32FromBits(0x7f7fffff))).toBe(0x7f80); // max f32 rounds to inf
    expect(f32ToBf16(f32FromBits(0x00008000))).toBe(0x0000); // subnormal tie, not flushed
    expect(f32ToBf16(f32FromBits(0x00018000))).toBe(0x0002);
  });

  it('forces NaNs quiet, keeping sign and top payload', () => {
    expect(f32ToBf16(f32FromBits(0x7f800001))).toBe(0x7fc0);
    expect(f32ToBf16(f32FromBits(0xff810000))).toBe(0xffc1);
  });
});
