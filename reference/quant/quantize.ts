// Reference quantisers for the test-model generator, after ggml's `quantize_row_*_ref`
// (ggml-quants.c; IQ4_* after quantize_iq4_nl/xs without importance weights). Output must be
// valid blocks that llama.cpp reads, not bit-identical ones. One deliberate difference: after a
// block scale is stored as f16, elements are quantised against the stored (rounded) scale, the
// one the decoder will use. (Checked once against compiled ggml: >= 98% of bytes identical,
// same error.)

import { kvaluesIq4nl, kvaluesMxfp4, e8m0ToF32Half, minK4, QuantError, scaleK4 } from '../../workers/engine/quant/dequant.ts';
import { f16ToF32, f32ToBf16, f32ToF16 } from '../../workers/engine/quant/f16.ts';
import { GgmlType, rowBytes } from '../../workers/engine/quant/types.ts';
import type { GgmlTypeInfo } from '../../workers/engine/quant/types.ts';

/** Encodes `src` (length a multiple of the block size) as consecutive blocks of `type`. */
export function quantize(type: GgmlTypeInfo, src: Float32Array): Uint8Array {
  const encode = encoderFor(type);
  if (src.length % type.blockSize !== 0) {
    throw new QuantError('bad_length', `${type.name}: ${src.length} values is not a whole number of ${type.blockSize}-element blocks; pad the row`);
  }
  const dst = new Uint8Array(rowBytes(type, src.length));
  encode(src, src.length / type.blockSize, dst);
  return dst;
}

/** Writes `nb` blocks of x into dst (F32/F16/BF16 blocks are one element). */
type Encoder = (x: Float32Array, nb: number, dst: Uint8Array) => void;

function encoderFor(type: GgmlTypeInfo): Encoder {
  switch (type.id) {
    case GgmlType.F32:
      return quantF32;
    case GgmlType.F16:
      return quantF16;
    case GgmlType.BF16:
      return quantBf16;
    case GgmlType.Q8_0:
      return quantQ8_0;
    case GgmlType.Q4_0:
      return quantQ4_0;
    case GgmlType.Q4_1:
      return quantQ4_1;
    case GgmlType.Q5_0:
      return quantQ5_0;
    case GgmlType.Q5_1:
      return quantQ5_1;
    case GgmlType.Q4_K:
      return quantQ4_K;
    case GgmlType.Q5_K:
      return quantQ5_K;
    case GgmlType.Q6_K:
      return quantQ6_K;
    case GgmlType.MXFP4:
      return quantMxfp4;
    case GgmlType.IQ4_NL:
      return quantIq4_nl;
    case GgmlType.IQ4_XS:
      return quantIq4_xs;
    default:
      throw new QuantError('unsupported_type', `cannot quantise to ggml type ${type.name} (id ${type.id}); the generator supports F32, F16, BF16, Q4_0..Q8_0, Q4_K..Q6_K, IQ4_NL, IQ4_XS and MXFP4`);
  }
}

// ---- helpers ----

/** Stores x as f16 at dst[o], little-endian; returns the value the decoder will read back. */
function putF16(dst: Uint8Array, o: number, x: number): number {
  const h = f32ToF16(x);
  dst[o] = h & 0xff;
  dst[o + 1] = h >> 8;
  return f16ToF32(h);
}

/** ggml's nearest_int: round half to even. */
function nearestInt(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && (r & 1) !== 0 ? r - 1 : r;
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

// ---- float types ----

function quantF32(x: Float32Array, n: number, dst: Uint8Array): void {
  const view = new DataView(dst.buffer, dst.byteOffset, dst.byteLength);
  for (let i = 0; i < n; i++) view.setFloat32(4 * i, x[i], true);
}

function quantF16(x: Float32Array, n: number, dst: Uint8Array): void {
  for (let i = 0; i < n; i++) putF16(dst, 2 * i, x[i]);
}

function quantBf16(x: Float32Array, n: number, dst: Uint8Array): void {
  for (let i = 0; i < n; i++) {
    const h = f32ToBf16(x[i]);
    dst[2 * i] = h & 0xff;
    dst[2 * i + 1] = h >> 8;
  }
}

// ---- 32-element blocks ----

/** Signed value with the largest magnitude in x[o..o+n). */
function signedAbsMax(x: Float32Array, o: number, n: number): number {
  let amax = 0,
    max = 0;
  for (let j = 0; j < n; j++) {
    const v = x[o + j];
    if (Math.abs(v) > amax) {
      amax = Math.abs(v);
      max = v;
    }
  }
  return max;
}

function quantQ8_0(x: Float32Array, nb: number, dst: Uint8Array): void {
  for (let i = 0; i < nb; i++) {
    const o = 34 * i;
    const d = putF16(dst, o, Math.abs(signedAbsMax(x, 32 * i, 32)) / 127);
    const id = d ? 1 / d : 0;
    for (let j = 0; j < 32; j++) {
      const v = x[32 * i + j] * id;
      const q = Math.sign(v) * Math.round(Math.abs(v)); // roundf: half away from zero
      dst[o + 2 + j] = clamp(q, -128, 127) & 0xff;
    }
  }
}

function quantQ4_0(x: Float32Array, nb: number, dst: Uint8Array): void {
  for (let i = 0; i < nb; i++) {
    const o = 18 * i;
    // d = max / -8 maps the extreme value onto q = 0 (-8), using the asymmetric range fully.
    const d = putF16(dst, o, signedAbsMax(x, 32 * i, 32) / -8);
    const id = d ? 1 / d : 0;
    for (let j = 0; j < 16; j++) {
      const q0 = clamp(Math.floor(x[32 * i + j] * id + 8.5), 0, 15);
      const q1 = clamp(Math.floor(x[32 * i + j + 16] * id + 8.5), 0, 15);
      dst[o + 2 + j] = q0 | (q1 << 4);
    }
  }
}

function minMax(x: Float32Array, o: number, n: number): [min: number, max: number] {
  let min = Infinity,
    max = -Infinity;
  for (let j = 0; j < n; j++) {
    const v = x[o + j];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}

function quantQ4_1(x: Float32Array, nb: number, dst: Uint8Array): void {
  for (let i = 0; i < nb; i++) {
    const o = 20 * i;
    const [min, max] = minMax(x, 32 * i, 32);
    const d = putF16(dst, o, (max - min) / 15);
    const m = putF16(dst, o + 2, min);
    const id = d ? 1 / d : 0;
    for (let j = 0; j < 16; j++) {
      const q0 = clamp(Math.floor((x[32 * i + j] - m) * id + 0.5), 0, 15);
      const q1 = clamp(Math.floor((x[32 * i + j + 16] - m) * id + 0.5), 0, 15);
      dst[o + 4 + j] = q0 | (q1 << 4);
    }
  }
}

/** Packs 32 five-bit values: low nibbles in qs[16] (first/second half), bit 4 of element k in qh bit k. */
function put5Bit(dst: Uint8Array, qhOff: number, qsOff: number, q: Uint8Array): void {
  let qh = 0;
  for (let j = 0; j < 16; j++) {
    dst[qsOff + j] = (q[j] & 0xf) | ((q[j + 16] & 0xf) << 4);
    qh |= ((q[j] >> 4) << j) | ((q[j + 16] >> 4) << (j + 16));
  }
  for (let b = 0; b < 4; b++) dst[qhOff + b] = (qh >>> (8 * b)) & 0xff;
}

const q32 = new Uint8Array(32);

function quantQ5_0(x: Float32Array, nb: number, dst: Uint8Array): void {
  for (let i = 0; i < nb; i++) {
    const o = 22 * i;
    const d = putF16(dst, o, signedAbsMax(x, 32 * i, 32) / -16);
    const id = d ? 1 / d : 0;
    for (let j = 0; j < 32; j++) q32[j] = clamp(Math.floor(x[32 * i + j] * id + 16.5), 0, 31);
    put5Bit(dst, o + 2, o + 6, q32);
  }
}

function quantQ5_1(x: Float32Array, nb: number, dst: Uint8Array): void {
  for (let i = 0; i < nb; i++) {
    const o = 24 * i;
    const [min, max] = minMax(x, 32 * i, 32);
    const d = putF16(dst, o, (max - min) / 31);
    const m = putF16(dst, o + 2, min);
    const id = d ? 1 / d : 0;
    for (let j = 0; j < 32; j++) q32[j] = clamp(Math.floor((x[32 * i + j] - m) * id + 0.5), 0, 31);
    put5Bit(dst, o + 4, o + 8, q32);
  }
}

// ---- K-quants (256-element super-blocks) ----

/**
 * make_qkx2_quants: scale and min for x ≈ scale·L - min, L in 0..nmax, minimising the weighted
 * squared error over a sweep of nstep+1 candidate scales. Returns [scale, min] with min ≥ 0.
 */
function makeQkx2Quants(x: Float32Array, nmax: number, w: Float32Array, rmin: number, rdelta: number, nstep: number): [scale: number, min: number] {
  const n = x.length;
  let min = x[0],
    max = x[0],
    sumW = 0,
    sumX = 0;
  for (let i = 0; i < n; i++) {
    min = Math.min(min, x[i]);
    max = Math.max(max, x[i]);
    sumW += w[i];
    sumX += w[i] * x[i];
  }
  if (min > 0) min = 0; // the min is subtracted, so it may only shift values down
  if (max === min) return [0, -min];
  let iscale = nmax / (max - min);
  let scale = 1 / iscale;
  let bestError = 0;
  for (let i = 0; i < n; i++) {
    const l = clamp(nearestInt(iscale * (x[i] - min)), 0, nmax);
    const diff = scale * l + min - x[i];
    bestError += w[i] * diff * diff;
  }
  for (let is = 0; is <= nstep; is++) {
    iscale = (rmin + rdelta * is + nmax) / (max - min);
    let sumL = 0,
      sumL2 = 0,
      sumXL = 0;
    for (let i = 0; i < n; i++) {
      const l = clamp(nearestInt(iscale * (x[i] - min)), 0, nmax);
      laux[i] = l;
      sumL += w[i] * l;
      sumL2 += w[i] * l * l;
      sumXL += w[i] * l * x[i];
    }
    const det = sumW * sumL2 - sumL * sumL;
    if (det <= 0) continue;
    // Weighted least squares for x ≈ thisScale·l + thisMin.
    let thisScale = (sumW * sumXL - sumX * sumL) / det;
    let thisMin = (sumL2 * sumX - sumL * sumXL) / det;
    if (thisMin > 0) {
      thisMin = 0;
      thisScale = sumXL / sumL2;
    }
    let err = 0;
    for (let i = 0; i < n; i++) {
      const diff = thisScale * laux[i] + thisMin - x[i];
      err += w[i] * diff * diff;
    }
    if (err < bestError) {
      bestError = err;
      scale = thisScale;
      min = thisMin;
    }
  }
  return [scale, -min];
}

const laux = new Uint8Array(32);
const weights32 = new Float32Array(32);
const levels = new Uint8Array(256);
const subScales = new Float32Array(16);
const subMins = new Float32Array(8);

/**
 * The Q4_K/Q5_K header: per-sub-block scale/min search, 6-bit quantised scales packed as
 * get_scale_min_k4 reads them, then levels L (0..nmax) against the stored scales.
 */
function quantKHeader(x: Float32Array, xo: number, nmax: number, rmin: number, nstep: number, dst: Uint8Array, o: number): void {
  let maxScale = 0,
    maxMin = 0;
  for (let j = 0; j < 8; j++) {
    const xb = x.subarray(xo + 32 * j, xo + 32 * j + 32);
    let sumX2 = 0;
    for (let l = 0; l < 32; l++) sumX2 += xb[l] * xb[l];
    const avX = Math.sqrt(sumX2 / 32);
    for (let l = 0; l < 32; l++) weights32[l] = avX + Math.abs(xb[l]);
    [subScales[j], subMins[j]] = makeQkx2Quants(xb, nmax, weights32, rmin, 0.1, nstep);
    maxScale = Math.max(maxScale, subScales[j]);
    maxMin = Math.max(maxMin, subMins[j]);
  }
  const invScale = maxScale > 0 ? 63 / maxScale : 0;
  const invMin = maxMin > 0 ? 63 / maxMin : 0;
  const s = o + 4;
  for (let j = 0; j < 8; j++) {
    const ls = clamp(nearestInt(invScale * subScales[j]), 0, 63);
    const lm = clamp(nearestInt(invMin * subMins[j]), 0, 63);
    if (j < 4) {
      dst[s + j] = ls;
      dst[s + j + 4] = lm;
    } else {
      // Low 4 bits in bytes 8..11; bits 4..5 in the spare top bits of bytes 0..7.
      dst[s + j + 4] = (ls & 0xf) | ((lm & 0xf) << 4);
      dst[s + j - 4] |= (ls >> 4) << 6;
      dst[s + j] |= (lm >> 4) << 6;
    }
  }
  const d = putF16(dst, o, maxScale / 63);
  const dmin = putF16(dst, o + 2, maxMin / 63);
  for (let j = 0; j < 8; j++) {
    const dl = d * scaleK4(dst, s, j);
    const ml = dmin * minK4(dst, s, j);
    for (let l = 0; l < 32; l++) {
      levels[32 * j + l] = dl ? clamp(nearestInt((x[xo + 32 * j + l] + ml) / dl), 0, nmax) : 0;
    }
  }
}

function quantQ4_K(x: Float32Array, nb: number, dst: Uint8Array): void {
  for (let i = 0; i < nb; i++) {
    const o = 144 * i;
    quantKHeader(x, 256 * i, 15, -1, 20, dst, o);
    for (let c = 0; c < 4; c++) {
      for (let l = 0; l < 32; l++) dst[o + 16 + 32 * c + l] = levels[64 * c + l] | (levels[64 * c + 32 + l] << 4);
    }
  }
}

function quantQ5_K(x: Float32Array, nb: number, dst: Uint8Array): void {
  for (let i = 0; i < nb; i++) {
    const o = 176 * i;
    quantKHeader(x, 256 * i, 31, -0.5, 15, dst, o);
    for (let c = 0; c < 4; c++) {
      for (let l = 0; l < 32; l++) {
        const lo = levels[64 * c + l],
          hi = levels[64 * c + 32 + l];
        dst[o + 48 + 32 * c + l] = (lo & 0xf) | ((hi & 0xf) << 4);
        dst[o + 16 + l] |= ((lo >> 4) << (2 * c)) | ((hi >> 4) << (2 * c + 1));
      }
    }
  }
}

/**
 * make_qx_quants with rmse_type 1: a signed scale for x ≈ scale·l, l in -nmax..nmax-1, picked
 * from 19 candidates by the x²-weighted error.
 */
function makeQxQuants(x: Float32Array, xo: number, n: number, nmax: number): number {
  const max = signedAbsMax(x, xo, n);
  if (Math.abs(max) < 1e-15) return 0;
  let scale = 0,
    best = 0;
  for (let is = 0; is <= 19; is++) {
    // is = 0 is the plain -nmax/max start; 1..19 try nmax + 0.1·(-9..9, skipping 0).
    if (is === 10) continue;
    const iscale = -(nmax + (is === 0 ? 0 : 0.1 * (is - 10))) / max;
    let sumLX = 0,
      sumL2 = 0;
    for (let i = 0; i < n; i++) {
      const v = x[xo + i];
      const l = clamp(nearestInt(iscale * v), -nmax, nmax - 1);
      sumLX += v * v * v * l;
      sumL2 += v * v * l * l;
    }
    if (is === 0) {
      scale = sumL2 ? sumLX / sumL2 : 0;
      best = scale * sumLX;
    } else if (sumL2 > 0 && sumLX * sumLX > best * sumL2) {
      scale = sumLX / sumL2;
      best = scale * sumLX;
    }
  }
  return scale;
}

function quantQ6_K(x: Float32Array, nb: number, dst: Uint8Array): void {
  for (let i = 0; i < nb; i++) {
    const o = 210 * i;
    const xo = 256 * i;
    let maxScale = 0;
    for (let ib = 0; ib < 16; ib++) {
      subScales[ib] = makeQxQuants(x, xo + 16 * ib, 16, 32);
      if (Math.abs(subScales[ib]) > Math.abs(maxScale)) maxScale = subScales[ib];
    }
    if (Math.abs(maxScale) < 1e-15) continue; // all-zero block: every byte stays 0
    // Sub-scales are int8 in -128..127; the largest maps to -128 (its sign is folded into d).
    const iscale = -128 / maxScale;
    const d = putF16(dst, o + 208, 1 / iscale);
    for (let ib = 0; ib < 16; ib++) {
      const sc = clamp(nearestInt(iscale * subScales[ib]), -128, 127);
      dst[o + 192 + ib] = sc & 0xff;
      const dl = d * sc;
      for (let l = 0; l < 16; l++) {
        levels[16 * ib + l] = dl ? clamp(nearestInt(x[xo + 16 * ib + l] / dl), -32, 31) + 32 : 32;
      }
    }
    for (let n = 0; n < 2; n++) {
      for (let l = 0; l < 32; l++) {
        const j = 128 * n + l;
        const L1 = levels[j],
          L2 = levels[j + 32],
          L3 = levels[j + 64],
          L4 = levels[j + 96];
        dst[o + 64 * n + l] = (L1 & 0xf) | ((L3 & 0xf) << 4);
        dst[o + 64 * n + l + 32] = (L2 & 0xf) | ((L4 & 0xf) << 4);
        dst[o + 128 + 32 * n + l] = (L1 >> 4) | ((L2 >> 4) << 2) | ((L3 >> 4) << 4) | ((L4 >> 4) << 6);
      }
    }
  }
}

// ---- MXFP4 ----

function quantMxfp4(x: Float32Array, nb: number, dst: Uint8Array): void {
  for (let i = 0; i < nb; i++) {
    const o = 17 * i;
    const amax = Math.abs(signedAbsMax(x, 32 * i, 32));
    // Shared exponent so amax/2^(e-127) lands in [4, 8): E2M1's largest magnitude is 6.
    const e = amax > 0 ? clamp(Math.floor(Math.log2(amax)) - 2 + 127, 0, 254) : 0;
    dst[o] = e;
    const d = e8m0ToF32Half(e);
    for (let j = 0; j < 16; j++) {
      dst[o + 1 + j] = nearestMxfp4(x[32 * i + j], d) | (nearestMxfp4(x[32 * i + j + 16], d) << 4);
    }
  }
}

function nearestMxfp4(v: number, d: number): number {
  let best = 0,
    bestErr = Math.abs(v);
  for (let k = 1; k < 16; k++) {
    const err = Math.abs(kvaluesMxfp4[k] * d - v);
    if (err < bestErr) {
      best = k;
      bestErr = err;
    }
  }
  return best;
}

// ---- IQ4_NL / IQ4_XS ----

/** best_index_int8: index of the grid value nearest to v (grid sorted ascending). */
function nearestIq4(v: number): number {
  const g = kvaluesIq4nl;
  if (v <= g[0]) return 0;
  if (v >= g[15]) return 15;
  let lo = 0,
    hi = 15;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (v < g[mid]) hi = mid;
    else lo = mid;
  }
  return v - g[hi - 1] < g[hi] - v ? hi - 1 : hi;
}

/**
 * The per-32 scale search of quantize_row_iq4_nl_impl (no importance weights, so w = x²,
 * ntry = 7): the x²-weighted least-squares scale for the best of 15 trial grids.
 */
function iq4BlockScale(x: Float32Array, xo: number): number {
  const max = signedAbsMax(x, xo, 32);
  if (Math.abs(max) < 1e-15) return 0;
  const g = kvaluesIq4nl;
  let scale = 0,
    best = 0;
  for (let itry = -8; itry <= 7; itry++) {
    // itry = -8 is the start: d = -max/g[0] maps the extreme onto the grid's -127 end.
    const id = itry === -8 ? g[0] / -max : (itry + g[0]) / max;
    let sumQX = 0,
      sumQ2 = 0;
    for (let j = 0; j < 32; j++) {
      const v = x[xo + j];
      const q = g[nearestIq4(id * v)];
      sumQX += v * v * q * v;
      sumQ2 += v * v * q * q;
    }
    if (itry === -8) {
      scale = sumQ2 > 0 ? sumQX / sumQ2 : 0;
      best = scale * sumQX;
    } else if (sumQ2 > 0 && sumQX * sumQX > best * sumQ2) {
      scale = sumQX / sumQ2;
      best = scale * sumQX;
    }
  }
  return scale;
}

/** 32 values as 16 bytes: element j in the low nibble of byte j, element j+16 in its high nibble. */
function putIq4Nibbles(x: Float32Array, xo: number, id: number, dst: Uint8Array, o: number): void {
  for (let j = 0; j < 16; j++) {
    dst[o + j] = nearestIq4(id * x[xo + j]) | (nearestIq4(id * x[xo + j + 16]) << 4);
  }
}

function quantIq4_nl(x: Float32Array, nb: number, dst: Uint8Array): void {
  for (let i = 0; i < nb; i++) {
    const o = 18 * i;
    const d = putF16(dst, o, iq4BlockScale(x, 32 * i));
    putIq4Nibbles(x, 32 * i, d ? 1 / d : 0, dst, o + 2);
  }
}

function quantIq4_xs(x: Float32Array, nb: number, dst: Uint8Array): void {
  for (let i = 0; i < nb; i++) {
    const o = 136 * i;
    let maxScale = 0;
    for (let ib = 0; ib < 8; ib++) {
      subScales[ib] = iq4BlockScale(x, 256 * i + 32 * ib);
      if (Math.abs(subScales[ib]) > Math.abs(maxScale)) maxScale = subScales[ib];
    }
    // 6-bit sub-scales ls - 32 in -32..31; the largest maps to -32.
    const d = putF16(dst, o, -maxScale / 32);
    const id = d ? 1 / d : 0;
    let scalesH = 0;
    for (let ib = 0; ib < 8; ib++) {
      const l = clamp(nearestInt(id * subScales[ib]), -32, 31);
      const dl = d * l;
      putIq4Nibbles(x, 256 * i + 32 * ib, dl ? 1 / dl : 0, dst, o + 8 + 16 * ib);
      const ls = l + 32;
      dst[o + 4 + (ib >> 1)] |= (ls & 0xf) << (4 * (ib & 1));
      scalesH |= (ls >> 4) << (2 * ib);
    }
    dst[o + 2] = scalesH & 0xff;
    dst[o + 3] = scalesH >> 8;
  }
}
