// Plain f32 operations with f64 accumulation: the reference every GPU kernel is checked against.

import type { ModelConfig } from '../../workers/engine/model/config.ts';
import { ropeCosSin } from '../../workers/engine/model/rope.ts';
import type { Matrix } from './weights.ts';

/** y = W·x (+ bias); W has `rows` rows of length x.length. */
export function matVec(w: Matrix, x: Float32Array, bias?: Float32Array): Float32Array {
  if (x.length !== w.cols) throw new RangeError(`matVec: x has ${x.length} elements, W has ${w.cols} columns`);
  const y = new Float32Array(w.rows);
  const { data, cols } = w;
  for (let r = 0; r < w.rows; r++) {
    let acc = 0;
    const o = r * cols;
    for (let c = 0; c < cols; c++) acc += data[o + c] * x[c];
    y[r] = bias ? acc + bias[r] : acc;
  }
  return y;
}

/** RMSNorm over `x` in place-free form: y = x / sqrt(mean(x²) + eps) · w. */
export function rmsNorm(x: Float32Array, weight: Float32Array | undefined, eps: number): Float32Array {
  let ss = 0;
  for (let i = 0; i < x.length; i++) ss += x[i] * x[i];
  const inv = 1 / Math.sqrt(ss / x.length + eps);
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = x[i] * inv * (weight ? weight[i] : 1);
  return y;
}

export function softmaxInPlace(x: Float32Array | number[]): void {
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) max = Math.max(max, x[i]);
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    x[i] = Math.exp(x[i] - max);
    sum += x[i];
  }
  for (let i = 0; i < x.length; i++) x[i] /= sum;
}

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
export const silu = (x: number): number => x / (1 + Math.exp(-x));

/** gpt-oss's clamped SwiGLU (ggml swiglu_oai, α = 1.702, limit 7): the gate is clamped above, the linear part both ways and shifted by 1. */
export function swigluOai(g: number, u: number): number {
  const x = Math.min(g, 7);
  const y = Math.min(Math.max(u, -7), 7);
  return (x / (1 + Math.exp(-1.702 * x))) * (y + 1);
}

/**
 * RoPE on one head in place. NORM rotates pairs (x[2k], x[2k+1]); NEOX rotates (x[k], x[k+n/2]).
 * θ_k = pos · base^(−2k/nRot), scaled per cfg.ropeScaling; channels past nRot pass through.
 */
export function rope(head: Float32Array, pos: number, cfg: Pick<ModelConfig, 'nRot' | 'ropeBase' | 'ropeScaling'>, neox: boolean): void {
  const half = cfg.nRot / 2;
  for (let k = 0; k < half; k++) {
    const [cos, sin] = ropeCosSin(cfg, pos, k);
    const i0 = neox ? k : 2 * k;
    const i1 = neox ? k + half : 2 * k + 1;
    const x0 = head[i0];
    const x1 = head[i1];
    head[i0] = x0 * cos - x1 * sin;
    head[i1] = x0 * sin + x1 * cos;
  }
}
