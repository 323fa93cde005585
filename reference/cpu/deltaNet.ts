// One token through a Gated DeltaNet layer on the CPU (model/deltaNet.ts has the recurrence):
// projections, causal conv + SiLU, L2-normalised q and k, the delta-rule update of each value
// head's S, the gated RMSNorm and ssm_out. Token by token, as llama.cpp's fused
// gated_delta_net op runs it; sums in f64, state stored in f32.

import type { ModelConfig } from '../../workers/engine/model/config.ts';
import type { DeltaNetConfig } from '../../workers/engine/model/deltaNet.ts';
import { convChannels, keyHeadOf, softplus } from '../../workers/engine/model/deltaNet.ts';
import { layerTensorName as w } from '../../workers/engine/model/tensorNames.ts';
import { matVec, rmsNorm, sigmoid, silu } from './ops.ts';
import type { DeltaNetLayerState } from './recurrentState.ts';
import type { CpuWeights } from './weights.ts';

interface Projected {
  /** Convolution input [q; k; v]. */
  readonly qkv: Float32Array;
  /** Output gate, per value head. */
  readonly z: Float32Array;
  readonly beta: Float32Array;
  readonly alpha: Float32Array;
}

export function deltaNetToken(wt: CpuWeights, cfg: ModelConfig, d: DeltaNetConfig, il: number, state: DeltaNetLayerState, x: Float32Array): Float32Array {
  const { headDim: hd, nKHeads, nVHeads, convKernel } = d;
  const channels = convChannels(d);
  const { qkv, z, beta, alpha } = project(wt, d, il, x);

  // Causal conv over the kept inputs and this one, then SiLU; the window moves by one.
  const kernel = wt.values(w(il, 'ssmConv1d')); // [channels][convKernel]
  const conv = new Float32Array(channels);
  const past = convKernel - 1;
  for (let c = 0; c < channels; c++) {
    let acc = 0;
    for (let j = 0; j < past; j++) acc += state.conv[j * channels + c] * kernel[c * convKernel + j];
    acc += qkv[c] * kernel[c * convKernel + past];
    conv[c] = silu(acc);
  }
  if (past > 0) {
    state.conv.copyWithin(0, channels);
    state.conv.set(qkv, (past - 1) * channels);
  }

  const kOff = nKHeads * hd;
  const vOff = 2 * nKHeads * hd;
  const q = l2NormHeads(conv.subarray(0, kOff), hd, cfg.rmsEps);
  const k = l2NormHeads(conv.subarray(kOff, vOff), hd, cfg.rmsEps);
  const dt = wt.values(w(il, 'ssmDt'));
  const a = wt.values(w(il, 'ssmA'));
  const norm = wt.values(w(il, 'ssmNorm'));
  const scale = 1 / Math.sqrt(hd);
  const out = new Float32Array(nVHeads * hd);
  const delta = new Float64Array(hd);
  for (let h = 0; h < nVHeads; h++) {
    const kh = keyHeadOf(d, h) * hd;
    const v = conv.subarray(vOff + h * hd, vOff + (h + 1) * hd);
    const decay = Math.exp(softplus(alpha[h] + dt[h]) * a[h]);
    const b = sigmoid(beta[h]);
    const s = state.s.subarray(h * hd * hd, (h + 1) * hd * hd); // s[i·hd + j] = S[i][j], i over k
    for (let e = 0; e < s.length; e++) s[e] *= decay;
    for (let j = 0; j < hd; j++) {
      let sk = 0;
      for (let i = 0; i < hd; i++) sk += s[i * hd + j] * k[kh + i];
      delta[j] = (v[j] - sk) * b;
    }
    for (let i = 0; i < hd; i++) for (let j = 0; j < hd; j++) s[i * hd + j] += k[kh + i] * delta[j];
    const o = new Float32Array(hd);
    for (let j = 0; j < hd; j++) {
      let acc = 0;
      for (let i = 0; i < hd; i++) acc += s[i * hd + j] * q[kh + i];
      o[j] = acc * scale;
    }
    // Gated RMSNorm: norm(o)·w·silu(z).
    const n = rmsNorm(o, norm, cfg.rmsEps);
    for (let j = 0; j < hd; j++) out[h * hd + j] = n[j] * silu(z[h * hd + j]);
  }
  return matVec(wt.matrix(w(il, 'ssmOut')), out);
}

/** x / max(‖x‖, eps) per head (ggml_l2_norm). */
function l2NormHeads(x: Float32Array, hd: number, eps: number): Float32Array {
  const y = new Float32Array(x.length);
  for (let o = 0; o < x.length; o += hd) {
    let ss = 0;
    for (let i = 0; i < hd; i++) ss += x[o + i] * x[o + i];
    const inv = 1 / Math.max(Math.sqrt(ss), eps);
    for (let i = 0; i < hd; i++) y[o + i] = x[o + i] * inv;
  }
  return y;
}

/**
 * The layer's input projections. attn_qkv / attn_gate / ssm_beta / ssm_alpha are laid out as
 * used; the legacy ssm_in and ssm_ba (qwen3next) group each key head's share: ssm_in as
 * [q; k; v (r heads); z (r heads)] and ssm_ba as [beta (r); alpha (r)], r = nV / nK.
 */
function project(wt: CpuWeights, d: DeltaNetConfig, il: number, x: Float32Array): Projected {
  const { headDim: hd, nKHeads, nVHeads } = d;
  const r = nVHeads / nKHeads;
  let qkv: Float32Array;
  let z: Float32Array;
  if (wt.has(w(il, 'attnQkv'))) {
    qkv = matVec(wt.matrix(w(il, 'attnQkv')), x);
    z = matVec(wt.matrix(w(il, 'attnGate')), x);
  } else {
    const mixed = matVec(wt.matrix(w(il, 'ssmIn')), x);
    const group = (2 + 2 * r) * hd;
    qkv = new Float32Array(convChannels(d));
    z = new Float32Array(nVHeads * hd);
    for (let g = 0; g < nKHeads; g++) {
      const o = g * group;
      qkv.set(mixed.subarray(o, o + hd), g * hd);
      qkv.set(mixed.subarray(o + hd, o + 2 * hd), (nKHeads + g) * hd);
      qkv.set(mixed.subarray(o + 2 * hd, o + (2 + r) * hd), 2 * nKHeads * hd + g * r * hd);
      z.set(mixed.subarray(o + (2 + r) * hd, o + group), g * r * hd);
    }
  }
  let beta: Float32Array;
  let alpha: Float32Array;
  if (wt.has(w(il, 'ssmBeta'))) {
    beta = matVec(wt.matrix(w(il, 'ssmBeta')), x);
    alpha = matVec(wt.matrix(w(il, 'ssmAlpha')), x);
  } else {
    const ba = matVec(wt.matrix(w(il, 'ssmBa')), x);
    beta = new Float32Array(nVHeads);
    alpha = new Float32Array(nVHeads);
    for (let g = 0; g < nKHeads; g++) {
      beta.set(ba.subarray(2 * g * r, (2 * g + 1) * r), g * r);
      alpha.set(ba.subarray((2 * g + 1) * r, (2 * g + 2) * r), g * r);
    }
  }
  return { qkv, z, beta, alpha };
}
