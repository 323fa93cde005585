// IEEE binary16 and bfloat16 <-> binary32 conversions, bit-compatible with ggml
// (`ggml_compute_fp16_to_fp32`, `ggml_compute_fp32_to_fp16`, `ggml_compute_*_bf16`).
// Half values travel as their 16-bit pattern in a plain number (0..0xffff).

// One shared scratch word: writing a float and reading its bits needs no allocation.
const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

function bitsToF32(bits: number): number {
  scratchU32[0] = bits;
  return scratchF32[0];
}

function f32ToBits(x: number): number {
  scratchF32[0] = x;
  return scratchU32[0];
}

function decodeF16(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) {
    // Zero or subnormal: mant · 2^-24, exact in binary32.
    const v = mant * 2 ** -24;
    return sign ? -v : v;
  }
  if (exp === 31) return bitsToF32(sign | 0x7f800000 | (mant << 13)); // inf, or NaN with its payload
  return bitsToF32(sign | ((exp + 112) << 23) | (mant << 13)); // rebias 15 -> 127
}

// 65536 floats (256 KiB), built on first use: a lookup beats bit twiddling in the hot loops.
let table: Float32Array | null = null;

/** The f16 bit pattern -> f32 table, for hot loops that decode many halves. */
export function f16Table(): Float32Array {
  if (table) return table;
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) t[h] = decodeF16(h);
  table = t;
  return t;
}

export function f16ToF32(h: number): number {
  return (table ?? f16Table())[h & 0xffff];
}

/**
 * Nearest binary16 pattern to `x` (first rounded to binary32, as ggml takes floats), ties to
 * even, with subnormals; overflow gives ±inf and NaN gives ggml's quiet NaN 0x7e00 (sign kept).
 */
export function f32ToF16(x: number): number {
  const b = f32ToBits(x);
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  const mant = b & 0x7fffff;
  if (exp === 0xff) return sign | (mant ? 0x7e00 : 0x7c00);
  const e = exp - 112; // binary16 biased exponent
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal result: value = m · 2^(e-14) units of 2^-24, with m the 24-bit significand.
    if (e < -10) return sign; // below half the smallest subnormal: rounds to zero
    const m = mant | 0x800000;
    const shift = 14 - e;
    let h = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && h & 1)) h++; // a carry to 0x400 is the smallest normal
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++; // a carry into the exponent is correct, up to inf
  return sign | h;
}

export function bf16ToF32(h: number): number {
  return bitsToF32((h & 0xffff) << 16);
}

/** ggml_compute_fp32_to_bf16: round to nearest even; NaNs forced quiet; no flush to zero. */
export function f32ToBf16(x: number): number {
  const b = f32ToBits(x);
  if ((b & 0x7fffffff) > 0x7f800000) return ((b >>> 16) | 64) & 0xffff;
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}
