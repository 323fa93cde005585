// RoPE angles, shared by the CPU reference and the GPU's cos/sin table: plain, linear scaling,
// or YaRN (ggml ops.cpp rope_yarn; llama-context.cpp for the defaults).

import type { ModelConfig } from './config.ts';

export interface RopeScaling {
  readonly type: 'none' | 'linear' | 'yarn';
  readonly factor: number;
  /** Context the model was trained with before scaling (YaRN's n_ctx_orig). */
  readonly originalContext: number;
  readonly betaFast: number;
  readonly betaSlow: number;
  /** Extra factor on cos/sin (llama.cpp's yarn_attn_factor); 1 unless an architecture says so. */
  readonly attnFactor: number;
}

export const noRopeScaling: RopeScaling = { type: 'none', factor: 1, originalContext: 0, betaFast: 32, betaSlow: 1, attnFactor: 1 };

/** cos θ and sin θ (times YaRN's magnitude scale) for rotation pair k at position pos. */
export function ropeCosSin(cfg: Pick<ModelConfig, 'nRot' | 'ropeBase' | 'ropeScaling'>, pos: number, k: number): [number, number] {
  const { nRot, ropeBase: base, ropeScaling: s } = cfg;
  const thetaE = pos * Math.pow(base, (-2 * k) / nRot);
  if (s.type === 'none') return [Math.cos(thetaE), Math.sin(thetaE)];
  const freqScale = 1 / s.factor;
  if (s.type === 'linear') return [Math.cos(thetaE * freqScale), Math.sin(thetaE * freqScale)];
  // YaRN: interpolate low frequencies, extrapolate high ones, ramp between.
  const corr = (beta: number): number => (nRot * Math.log(s.originalContext / (beta * 2 * Math.PI))) / (2 * Math.log(base));
  const low = Math.max(0, Math.floor(corr(s.betaFast)));
  const high = Math.min(nRot - 1, Math.ceil(corr(s.betaSlow)));
  const ramp = 1 - Math.min(1, Math.max(0, (k - low) / Math.max(0.001, high - low)));
  const theta = thetaE * freqScale * (1 - ramp) + thetaE * ramp;
  const mscale = s.attnFactor * (1 + 0.1 * Math.log(s.factor));
  return [Math.cos(theta) * mscale, Math.sin(theta) * mscale];
}
