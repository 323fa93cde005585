// Multi-head latent attention on the CPU reference (model/mla.ts): the cache holds [c | k_pe]
// per token; scores and the weighted sum are computed in latent space (W_UK absorbed into the
// query, W_UV applied after the sum), as llama.cpp does for split attn_k_b/attn_v_b files.

import type { ModelConfig } from '../../workers/engine/model/config.ts';
import { ModelError } from '../../workers/engine/model/errors.ts';
import { mlaIndex } from '../../workers/engine/model/mla.ts';
import { layerTensorName as w } from '../../workers/engine/model/tensorNames.ts';
import type { CpuKvCache } from './kvCache.ts';
import { matVec, rmsNorm, rope } from './ops.ts';
import type { CpuWeights } from './weights.ts';

const noValue = new Float32Array(0);

export function mlaAttention(wt: CpuWeights, cfg: ModelConfig, cache: CpuKvCache, start: number, x: Float32Array[], il: number): Float32Array[] {
  const m = cfg.mla;
  if (!m) throw new ModelError('bad_hparams', `${cfg.arch}: multi-head latent attention without MLA hyper-parameters`);
  const { nHead, rmsEps, kqScale } = cfg;
  const { kvLoraRank: r, nopeDim: dn, ropeDim: dr, vDim: dv, qLoraRank } = m;
  const dk = dn + dr;
  const up = wt.values(w(il, m.splitKvB ? 'attnKB' : 'attnKvB'));
  const vUp = m.splitKvB ? wt.values(w(il, 'attnVB')) : up;
  const idx = mlaIndex(m);

  // Per token and head: [q_abs (r) | q_pe (dr)], the query against the cached [c | k_pe].
  const queries = x.map((xt, t) => {
    const pos = start + t;
    const q = qLoraRank > 0 ? matVec(wt.matrix(w(il, 'attnQB')), rmsNorm(matVec(wt.matrix(w(il, 'attnQA')), xt), wt.values(w(il, 'attnQANorm')), rmsEps)) : matVec(wt.matrix(w(il, 'attnQ')), xt);
    const ckv = matVec(wt.matrix(w(il, 'attnKvAMqa')), xt);
    const key = new Float32Array(r + dr);
    key.set(rmsNorm(ckv.subarray(0, r), wt.values(w(il, 'attnKvANorm')), rmsEps));
    const kpe = ckv.slice(r, r + dr);
    rope(kpe, pos, cfg, false);
    key.set(kpe, r);
    cache.put(il, pos, key, noValue);

    const qh = new Float32Array(nHead * (r + dr));
    for (let h = 0; h < nHead; h++) {
      const o = h * (r + dr);
      for (let j = 0; j < r; j++) {
        let s = 0;
        for (let i = 0; i < dn; i++) s += q[h * dk + i] * up[idx.k(h, i, j)];
        qh[o + j] = s;
      }
      const qpe = q.slice(h * dk + dn, (h + 1) * dk);
      rope(qpe, pos, cfg, false);
      qh.set(qpe, o + r);
    }
    return qh;
  });

  const wo = wt.matrix(w(il, 'attnOutput'));
  return queries.map((qh, t) => {
    const pos = start + t;
    const out = new Float32Array(nHead * dv);
    const scores = new Float64Array(pos + 1);
    const ctx = new Float64Array(r);
    for (let h = 0; h < nHead; h++) {
      const o = h * (r + dr);
      let max = -Infinity;
      for (let j = 0; j <= pos; j++) {
        const key = cache.key(il, j);
        let s = 0;
        for (let i = 0; i < r + dr; i++) s += qh[o + i] * key[i];
        scores[j] = s * kqScale;
        max = Math.max(max, scores[j]);
      }
      let z = 0;
      for (let j = 0; j <= pos; j++) z += scores[j] = Math.exp(scores[j] - max);
      ctx.fill(0);
      for (let j = 0; j <= pos; j++) {
        const key = cache.key(il, j);
        const p = scores[j] / z;
        for (let i = 0; i < r; i++) ctx[i] += p * key[i];
      }
      for (let d = 0; d < dv; d++) {
        let s = 0;
        for (let j = 0; j < r; j++) s += vUp[idx.v(h, d, j)] * ctx[j];
        out[h * dv + d] = s;
      }
    }
    return matVec(wo, out);
  });
}
