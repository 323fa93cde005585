// CPU dequantisation of ggml blocks to f32, with exactly ggml's `dequantize_row_*` semantics
// (ggml-quants.c; layouts in docs/MOE-GGUF.md §3). Reads bytes one by one, so `src` may be a
// subarray at any byte offset (GGUF tensor data and expert slices are not 4-aligned).

import { f16Table, f16ToF32 } from './f16.ts';
import { GgmlType } from './types.ts';
import type { GgmlTypeInfo } from './types.ts';

export type QuantErrorCode = 'unsupported_type' | 'bad_length';

export class QuantError extends Error {
  override readonly name = 'QuantError';
  readonly code: QuantErrorCode;
  constructor(code: QuantErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** Non-linear 4-bit grid of IQ4_NL / IQ4_XS (`kvalues_iq4nl`). */
export const kvaluesIq4nl: readonly number[] = [-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113];

/** E2M1 values doubled (`kvalues_mxfp4`), so they pair with the "half" E8M0 scale. */
export const kvaluesMxfp4: readonly number[] = [0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12];

/** ggml_e8m0_to_fp32_half: 2^(e-128), including the subnormal 2^-128 and 2^-127 for e = 0, 1. */
export function e8m0ToF32Half(e: number): number {
  return 2 ** ((e & 0xff) - 128);
}

function readF16(src: Uint8Array, o: number): number {
  return f16ToF32(src[o] | (src[o + 1] << 8));
}

// get_scale_min_k4, split in two so the hot loop allocates nothing: the 6-bit scale and min of
// sub-block j (0..7) from the 12 packed bytes at `o`.
export function scaleK4(src: Uint8Array, o: number, j: number): number {
  return j < 4 ? src[o + j] & 63 : (src[o + j + 4] & 0xf) | ((src[o + j - 4] >> 6) << 4);
}

export function minK4(src: Uint8Array, o: number, j: number): number {
  return j < 4 ? src[o + j + 4] & 63 : (src[o + j + 4] >> 4) | ((src[o + j] >> 6) << 4);
}

/**
 * Decodes the first `n` elements (a multiple of the block size) of `src` into `out`
 * (allocated when absent) and returns it.
 */
export function dequantize(type: GgmlTypeInfo, src: Uint8Array, n: number, out?: Float32Array): Float32Array {
  const decode = decoderFor(type);
  if (!Number.isInteger(n) || n < 0 || n % type.blockSize !== 0) {
    throw new QuantError('bad_length', `${type.name}: ${n} elements is not a whole number of ${type.blockSize}-element blocks`);
  }
  const nb = n / type.blockSize;
  if (src.length < nb * type.typeSize) {
    throw new QuantError('bad_length', `${type.name}: ${n} elements need ${nb * type.typeSize} bytes, got ${src.length}; the tensor data is truncated`);
  }
  const y = out ?? new Float32Array(n);
  if (y.length < n) throw new QuantError('bad_length', `${type.name}: output holds ${y.length} floats, need ${n}`);
  return decode(src, nb, y);
}

/** Decodes `nb` blocks from the start of src into y (F32/F16/BF16 blocks are one element). */
type Decoder = (src: Uint8Array, nb: number, y: Float32Array) => Float32Array;

function decoderFor(type: GgmlTypeInfo): Decoder {
  switch (type.id) {
    case GgmlType.F32:
      return dequantF32;
    case GgmlType.F16:
      return dequantF16;
    case GgmlType.BF16:
      return dequantBf16;
    case GgmlType.Q8_0:
      return dequantQ8_0;
    case GgmlType.Q4_0:
      return dequantQ4_0;
    case GgmlType.Q4_1:
      return dequantQ4_1;
    case GgmlType.Q5_0:
      return dequantQ5_0;
    case GgmlType.Q5_1:
      return dequantQ5_1;
    case GgmlType.Q4_K:
      return dequantQ4_K;
    case GgmlType.Q5_K:
      return dequantQ5_K;
    case GgmlType.Q6_K:
      return dequantQ6_K;
    case GgmlType.MXFP4:
      return dequantMxfp4;
    case GgmlType.IQ4_NL:
      return dequantIq4_nl;
    case GgmlType.IQ4_XS:
      return dequantIq4_xs;
    default:
      throw unsupported(type);
  }
}

function unsupported(type: GgmlTypeInfo): QuantError {
  return new QuantError('unsupported_type', `ggml type ${type.name} (id ${type.id}) is not supported; choose a GGUF quantised as Q4_K_M, Q5_K_M, Q6_K, Q8_0 or MXFP4`);
}

function dequantF32(src: Uint8Array, n: number, y: Float32Array): Float32Array {
  const view = new DataView(src.buffer, src.byteOffset, n * 4);
  for (let i = 0; i < n; i++) y[i] = view.getFloat32(4 * i, true);
  return y;
}

function dequantF16(src: Uint8Array, n: number, y: Float32Array): Float32Array {
  const h2f = f16Table();
  for (let i = 0; i < n; i++) y[i] = h2f[src[2 * i] | (src[2 * i + 1] << 8)];
  return y;
}

function dequantBf16(src: Uint8Array, n: number, y: Float32Array): Float32Array {
  // bf16 is the top half of an f32: write the bits straight through a u32 view of y.
  const bits = new Uint32Array(y.buffer, y.byteOffset, n);
  for (let i = 0; i < n; i++) bits[i] = (src[2 * i] << 16) | (src[2 * i + 1] << 24);
  return y;
}

/** { f16 d; i8 qs[32] } (34 B): y = qs·d */
function dequantQ8_0(src: Uint8Array, nb: number, y: Float32Array): Float32Array {
  for (let i = 0; i < nb; i++) {
    const o = 34 * i;
    const d = readF16(src, o);
    for (let j = 0; j < 32; j++) y[32 * i + j] = ((src[o + 2 + j] << 24) >> 24) * d;
  }
  return y;
}

/** { f16 d; u8 qs[16] } (18 B): y = (q - 8)·d; low nibbles = elements 0..15, high = 16..31 */
function dequantQ4_0(src: Uint8Array, nb: number, y: Float32Array): Float32Array {
  for (let i = 0; i < nb; i++) {
    const o = 18 * i;
    const d = readF16(src, o);
    for (let j = 0; j < 16; j++) {
      const q = src[o + 2 + j];
      y[32 * i + j] = ((q & 0xf) - 8) * d;
      y[32 * i + j + 16] = ((q >> 4) - 8) * d;
    }
  }
  return y;
}

/** { f16 d; f16 m; u8 qs[16] } (20 B): y = q·d + m */
function dequantQ4_1(src: Uint8Array, nb: number, y: Float32Array): Float32Array {
  for (let i = 0; i < nb; i++) {
    const o = 20 * i;
    const d = readF16(src, o);
    const m = readF16(src, o + 2);
    for (let j = 0; j < 16; j++) {
      const q = src[o + 4 + j];
      y[32 * i + j] = (q & 0xf) * d + m;
      y[32 * i + j + 16] = (q >> 4) * d + m;
    }
  }
  return y;
}

function readU32(src: Uint8Array, o: number): number {
  return (src[o] | (src[o + 1] << 8) | (src[o + 2] << 16) | (src[o + 3] << 24)) >>> 0;
}

/** { f16 d; u8 qh[4]; u8 qs[16] } (22 B): bit k of qh is the 5th bit of element k; y = (q - 16)·d */
function dequantQ5_0(src: Uint8Array, nb: number, y: Float32Array): Float32Array {
  for (let i = 0; i < nb; i++) {
    const o = 22 * i;
    const d = readF16(src, o);
    const qh = readU32(src, o + 2);
    for (let j = 0; j < 16; j++) {
      const q = src[o + 6 + j];
      const x0 = (q & 0xf) | (((qh >>> j) << 4) & 0x10);
      const x1 = (q >> 4) | ((qh >>> (j + 12)) & 0x10);
      y[32 * i + j] = (x0 - 16) * d;
      y[32 * i + j + 16] = (x1 - 16) * d;
    }
  }
  return y;
}

/** { f16 d; f16 m; u8 qh[4]; u8 qs[16] } (24 B): y = q·d + m, 5th bit as in Q5_0 */
function dequantQ5_1(src: Uint8Array, nb: number, y: Float32Array): Float32Array {
  for (let i = 0; i < nb; i++) {
    const o = 24 * i;
    const d = readF16(src, o);
    const m = readF16(src, o + 2);
    const qh = readU32(src, o + 4);
    for (let j = 0; j < 16; j++) {
      const q = src[o + 8 + j];
      const x0 = (q & 0xf) | (((qh >>> j) << 4) & 0x10);
      const x1 = (q >> 4) | ((qh >>> (j + 12)) & 0x10);
      y[32 * i + j] = x0 * d + m;
      y[32 * i + j + 16] = x1 * d + m;
    }
  }
  return y;
}

/**
 * { f16 d; f16 dmin; u8 scales[12]; u8 qs[128] } (144 B). Chunk c (64 elements) reads qs[32c..]:
 * low nibbles are sub-block 2c, high nibbles sub-block 2c+1; y = d·sc·q - dmin·m.
 */
function dequantQ4_K(src: Uint8Array, nb: number, y: Float32Array): Float32Array {
  for (let i = 0; i < nb; i++) {
    const o = 144 * i;
    const d = readF16(src, o);
    const dmin = readF16(src, o + 2);
    for (let c = 0; c < 4; c++) {
      const d1 = d * scaleK4(src, o + 4, 2 * c),
        min1 = dmin * minK4(src, o + 4, 2 * c);
      const d2 = d * scaleK4(src, o + 4, 2 * c + 1),
        min2 = dmin * minK4(src, o + 4, 2 * c + 1);
      const qo = o + 16 + 32 * c;
      const yo = 256 * i + 64 * c;
      for (let l = 0; l < 32; l++) {
        const q = src[qo + l];
        y[yo + l] = d1 * (q & 0xf) - min1;
        y[yo + 32 + l] = d2 * (q >> 4) - min2;
      }
    }
  }
  return y;
}

/**
 * { f16 d; f16 dmin; u8 scales[12]; u8 qh[32]; u8 qs[128] } (176 B): Q4_K plus a 5th bit,
 * bit 2c (low nibble) or 2c+1 (high nibble) of qh[l].
 */
function dequantQ5_K(src: Uint8Array, nb: number, y: Float32Array): Float32Array {
  for (let i = 0; i < nb; i++) {
    const o = 176 * i;
    const d = readF16(src, o);
    const dmin = readF16(src, o + 2);
    for (let c = 0; c < 4; c++) {
      const d1 = d * scaleK4(src, o + 4, 2 * c),
        min1 = dmin * minK4(src, o + 4, 2 * c);
      const d2 = d * scaleK4(src, o + 4, 2 * c + 1),
        min2 = dmin * minK4(src, o + 4, 2 * c + 1);
      const qo = o + 48 + 32 * c;
      const yo = 256 * i + 64 * c;
      for (let l = 0; l < 32; l++) {
        const q = src[qo + l];
        const h = src[o + 16 + l] >> (2 * c);
        y[yo + l] = d1 * ((q & 0xf) | ((h & 1) << 4)) - min1;
        y[yo + 32 + l] = d2 * ((q >> 4) | ((h & 2) << 3)) - min2;
      }
    }
  }
  return y;
}

/**
 * { u8 ql[128]; u8 qh[64]; i8 scales[16]; f16 d } (210 B, d last). Each 128-element half n uses
 * ql[64n..], qh[32n..], scales[8n..]; quarter g takes ql nibble (g<2 low, else high) of
 * ql[l + 32·(g&1)] and bits 2g..2g+1 of qh[l]; y = d·sc·(q - 32), 16 elements per scale.
 */
function dequantQ6_K(src: Uint8Array, nb: number, y: Float32Array): Float32Array {
  for (let i = 0; i < nb; i++) {
    const o = 210 * i;
    const d = readF16(src, o + 208);
    for (let n = 0; n < 2; n++) {
      const ql = o + 64 * n;
      const qh = o + 128 + 32 * n;
      const sc = o + 192 + 8 * n;
      const yo = 256 * i + 128 * n;
      for (let l = 0; l < 32; l++) {
        const is = l >> 4;
        const h = src[qh + l];
        const a = src[ql + l],
          b = src[ql + l + 32];
        const q1 = ((a & 0xf) | ((h & 3) << 4)) - 32;
        const q2 = ((b & 0xf) | (((h >> 2) & 3) << 4)) - 32;
        const q3 = ((a >> 4) | (((h >> 4) & 3) << 4)) - 32;
        const q4 = ((b >> 4) | (((h >> 6) & 3) << 4)) - 32;
        y[yo + l] = d * ((src[sc + is] << 24) >> 24) * q1;
        y[yo + l + 32] = d * ((src[sc + is + 2] << 24) >> 24) * q2;
        y[yo + l + 64] = d * ((src[sc + is + 4] << 24) >> 24) * q3;
        y[yo + l + 96] = d * ((src[sc + is + 6] << 24) >> 24) * q4;
      }
    }
  }
  return y;
}

/** { u8 e (E8M0); u8 qs[16] } (17 B): y = kvaluesMxfp4[q]·2^(e-128) */
function dequantMxfp4(src: Uint8Array, nb: number, y: Float32Array): Float32Array {
  for (let i = 0; i < nb; i++) {
    const o = 17 * i;
    const d = e8m0ToF32Half(src[o]);
    for (let j = 0; j < 16; j++) {
      const q = src[o + 1 + j];
      y[32 * i + j] = kvaluesMxfp4[q & 0xf] * d;
      y[32 * i + j + 16] = kvaluesMxfp4[q >> 4] * d;
    }
  }
  return y;
}

/** { f16 d; u8 qs[16] } (18 B): y = d·kvaluesIq4nl[q] */
function dequantIq4_nl(src: Uint8Array, nb: number, y: Float32Array): Float32Array {
  for (let i = 0; i < nb; i++) {
    const o = 18 * i;
    const d = readF16(src, o);
    for (let j = 0; j < 16; j++) {
      const q = src[o + 2 + j];
      y[32 * i + j] = d * kvaluesIq4nl[q & 0xf];
      y[32 * i + j + 16] = d * kvaluesIq4nl[q >> 4];
    }
  }
  return y;
}

/**
 * { f16 d; u16 scales_h; u8 scales_l[4]; u8 qs[128] } (136 B). Sub-block ib's 6-bit scale:
 * low 4 bits from nibble ib%2 of scales_l[ib/2], high 2 bits from bits 2ib.. of scales_h;
 * y = d·(ls - 32)·kvaluesIq4nl[q].
 */
function dequantIq4_xs(src: Uint8Array, nb: number, y: Float32Array): Float32Array {
  for (let i = 0; i < nb; i++) {
    const o = 136 * i;
    const d = readF16(src, o);
    const scalesH = src[o + 2] | (src[o + 3] << 8);
    for (let ib = 0; ib < 8; ib++) {
      const ls = ((src[o + 4 + (ib >> 1)] >> (4 * (ib & 1))) & 0xf) | (((scalesH >> (2 * ib)) & 3) << 4);
      const dl = d * (ls - 32);
      const qo = o + 8 + 16 * ib;
      const yo = 256 * i + 32 * ib;
      for (let j = 0; j < 16; j++) {
        const q = src[qo + j];
        y[yo + j] = dl * kvaluesIq4nl[q & 0xf];
        y[yo + j + 16] = dl * kvaluesIq4nl[q >> 4];
      }
    }
  }
  return y;
}
