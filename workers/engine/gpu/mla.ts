// Multi-head latent attention and the dense FFN of deepseek2 on WebGPU (model/mla.ts). The
// cache holds [c | k_pe] (r + dr f32) per token per layer. Per layer: q (plain, or q-LoRA with
// its norm folded into attn_q_b's matmul), W_kv_a, mla_prep (latent norm, RoPE, cache write),
// q_abs = K_hᵀ·q_nope for all heads in one matmul_heads dispatch, mla_attention (scores and
// Σ p·c in latent space), V_h·ctx for all heads into attnOut in another; the caller adds
// attn_output with the residual.

import type { ModelConfig } from '../model/config.ts';
import { ModelError } from '../model/errors.ts';
import { mlaCacheWidth } from '../model/mla.ts';
import type { MlaConfig } from '../model/mla.ts';
import { layerTensorName as w } from '../model/tensorNames.ts';
import { dequantize } from '../quant/dequant.ts';
import { tensorRange } from '../gguf/slices.ts';
import type { WeightSource } from '../model/weightSource.ts';
import type { StepRecorder } from './recorder.ts';
import { recordMatmul, recordRmsNorm } from './matmul.ts';
import type { View } from './matmul.ts';
import type { Scratch } from './scratch.ts';
import type { GpuMatrix, GpuWeights } from './weights.ts';

/** MLA buffers of one loaded model. */
export interface MlaScratch {
  /** [n_layer, n_ctx, r + dr]: the whole KV cache. */
  readonly cache: GPUBuffer;
  readonly qa: GPUBuffer;
  readonly q: GPUBuffer;
  readonly ckv: GPUBuffer;
  /** [n_tok, n_head, r + dr]: absorbed queries with their roped q_pe. */
  readonly qAbs: GPUBuffer;
  /** [n_tok, n_head·r]: Σ p·c per head. */
  readonly ctx: GPUBuffer;
  readonly bytes: number;
  readonly buffers: readonly GPUBuffer[];
}

export function allocateMlaScratch(device: GPUDevice, cfg: ModelConfig, m: MlaConfig, maxTokens: number, nCtx: number): MlaScratch {
  const buffers: GPUBuffer[] = [];
  let bytes = 0;
  const f32 = (label: string, n: number): GPUBuffer => {
    const size = Math.max(16, n * 4);
    bytes += size;
    const b = device.createBuffer({ label, size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
    buffers.push(b);
    return b;
  };
  const T = maxTokens;
  const H = cfg.nHead;
  const width = mlaCacheWidth(m);
  const s = {
    cache: f32('mla.cache', cfg.nLayer * nCtx * width),
    qa: f32('mla.qa', T * m.qLoraRank),
    q: f32('mla.q', T * H * (m.nopeDim + m.ropeDim)),
    ckv: f32('mla.ckv', T * width),
    qAbs: f32('mla.qAbs', T * H * width),
    ctx: f32('mla.ctx', T * H * m.kvLoraRank),
    buffers,
  };
  return { ...s, bytes };
}

/** Name of the per-head K_h (r rows of dn) derived at load from an old file's attn_kv_b. */
export const derivedKb = (il: number): string => `blk.${il}.attn_k_b.derived`;

/** Old layout: uploads each layer's K_h transposed (as attn_k_b would hold it) in f32. */
export async function uploadDerivedKb(weights: GpuWeights, source: WeightSource, cfg: ModelConfig): Promise<void> {
  const m = cfg.mla;
  if (!m || m.splitKvB) return;
  const { kvLoraRank: r, nopeDim: dn, vDim: dv } = m;
  for (let il = 0; il < cfg.nLayer; il++) {
    const t = source.file.tensorByName.get(w(il, 'attnKvB'));
    if (!t) throw new ModelError('missing_tensor', `tensor ${w(il, 'attnKvB')} is missing from the model file`);
    const kvB = dequantize(t.type, await source.read(tensorRange(t)), t.elementCount);
    const kb = new Float32Array(cfg.nHead * r * dn);
    for (let h = 0; h < cfg.nHead; h++) {
      for (let i = 0; i < dn; i++) for (let j = 0; j < r; j++) kb[(h * r + j) * dn + i] = kvB[(h * (dn + dv) + i) * r + j];
    }
    weights.uploadF32Matrix(derivedKb(il), cfg.nHead * r, dn, kb);
  }
}

export interface MlaRecorder {
  readonly rec: StepRecorder;
  readonly weights: GpuWeights;
  readonly cfg: ModelConfig;
  readonly s: Scratch;
  readonly nTok: number;
  readonly pos0: number;
  /** The device's lanes per weight row (GpuContext.rowLanes). */
  readonly rowLanes: number;
}

/**
 * Y[t, y.offset + i] = Σ_c W[i, c] · xin[t, c] for `rows` rows from row `firstRow`; xin is x, or
 * RMSNorm(x)·norm, written to s.xn just before.
 */
function matmul(c: MlaRecorder, site: string, m: GpuMatrix, x: View, y: View, rows: number, firstRow = 0, norm?: { weight: GPUBuffer; cols: number }): void {
  let xin = x;
  if (norm) {
    if (norm.cols > c.cfg.nEmbd) throw new ModelError('bad_shape', `${site}: a normalised input of ${norm.cols} is wider than the hidden size ${c.cfg.nEmbd}`);
    recordRmsNorm(c.rec, `${site}.norm`, x, norm.cols, norm.weight, c.s.xn, c.nTok, c.cfg.rmsEps);
    xin = { buffer: c.s.xn, stride: norm.cols, offset: 0 };
  }
  recordMatmul(c.rec, site, m, xin, y, c.nTok, c.rowLanes, { dummy: c.s.dummy, firstRow, rows });
}

/** For each head h: Y[t, h] = W_h · X[t, h], W_h = `rows` rows from row firstRow + h·rowsPerHead (matmul_heads.wgsl). */
function headsMatmul(c: MlaRecorder, site: string, m: GpuMatrix, w: { rows: number; firstRow: number; rowsPerHead: number }, x: View & { perHead: number }, y: View & { perHead: number }): void {
  if (m.parts) throw new ModelError('bad_shape', `${site}: a weight split across bindings cannot take a head offset`);
  const params = {
    rows: w.rows,
    cols: m.cols,
    row_bytes: m.rowBytes,
    n_tok: c.nTok,
    x_stride: x.stride,
    y_stride: y.stride,
    x_off: x.offset,
    y_off: y.offset,
    w_off: m.offset + w.firstRow * m.rowBytes,
    w_head: w.rowsPerHead * m.rowBytes,
    x_head: x.perHead,
    y_head: y.perHead,
  };
  c.rec.dispatch(site, 'matmul_heads', m.type, [m.buffer, x.buffer, y.buffer], params, [Math.ceil(w.rows / (64 / c.rowLanes)), c.cfg.nHead, Math.ceil(c.nTok / 8)]);
}

/** Records layer `il`'s MLA up to the per-head values in s.attnOut ([n_tok, n_head·dv]). */
export function recordMla(c: MlaRecorder, x: { readonly src: { readonly buffer: GPUBuffer; readonly width: number }; readonly weight: string }, il: number): void {
  const m = c.cfg.mla;
  const ms = c.s.mla;
  if (!m || !ms) throw new ModelError('bad_hparams', `${c.cfg.arch}: multi-head latent attention without MLA hyper-parameters`);
  const { weights: wt, nTok } = c;
  const H = c.cfg.nHead;
  const { kvLoraRank: r, nopeDim: dn, ropeDim: dr, vDim: dv } = m;
  const dk = dn + dr;
  const width = r + dr;
  const xin: View = { buffer: x.src.buffer, stride: x.src.width, offset: 0 };
  const norm = { weight: wt.vector(x.weight), cols: x.src.width };
  const qOut: View = { buffer: ms.q, stride: H * dk, offset: 0 };
  if (m.qLoraRank > 0) {
    matmul(c, `L${il}.q_a`, wt.matrix(w(il, 'attnQA')), xin, { buffer: ms.qa, stride: m.qLoraRank, offset: 0 }, m.qLoraRank, 0, norm);
    matmul(c, `L${il}.q_b`, wt.matrix(w(il, 'attnQB')), { buffer: ms.qa, stride: m.qLoraRank, offset: 0 }, qOut, H * dk, 0, { weight: wt.vector(w(il, 'attnQANorm')), cols: m.qLoraRank });
  } else {
    matmul(c, `L${il}.q`, wt.matrix(w(il, 'attnQ')), xin, qOut, H * dk, 0, norm);
  }
  matmul(c, `L${il}.kv_a`, wt.matrix(w(il, 'attnKvAMqa')), xin, { buffer: ms.ckv, stride: width, offset: 0 }, width, 0, norm);

  const cacheOff = il * c.s.nCtx * width;
  c.rec.dispatch(
    `L${il}.mla_prep`,
    'mla_prep',
    undefined,
    [ms.q, ms.ckv, wt.vector(w(il, 'attnKvANorm')), c.s.rope, ms.qAbs, ms.cache],
    { n_head: H, r, dn, dr, pos0: c.pos0, cache_off: cacheOff, eps: c.cfg.rmsEps, n_tok: nTok },
    [H + 1, nTok, 1],
  );
  // q_abs_h = K_hᵀ·q_nope_h: K_h is r rows of dn, head after head.
  const kb = wt.matrix(m.splitKvB ? w(il, 'attnKB') : derivedKb(il));
  headsMatmul(
    c,
    `L${il}.q_absorb`,
    kb,
    { rows: r, firstRow: 0, rowsPerHead: r },
    { buffer: ms.q, stride: H * dk, offset: 0, perHead: dk },
    { buffer: ms.qAbs, stride: H * width, offset: 0, perHead: width },
  );
  c.rec.dispatch(
    `L${il}.mla_attention`,
    'mla_attention',
    undefined,
    [ms.qAbs, ms.cache, c.s.scores, ms.ctx],
    { n_head: H, r, dr, pos0: c.pos0, n_ctx: c.s.nCtx, cache_off: cacheOff, kq_scale: c.cfg.kqScale, n_tok: nTok },
    [H, nTok, 1],
  );
  // V_h: attn_v_b's dv rows of head h, or rows dn.. of head h's block in attn_kv_b.
  const vb = wt.matrix(w(il, m.splitKvB ? 'attnVB' : 'attnKvB'));
  const vRows = m.splitKvB ? { rows: dv, firstRow: 0, rowsPerHead: dv } : { rows: dv, firstRow: dn, rowsPerHead: dn + dv };
  headsMatmul(c, `L${il}.v_up`, vb, vRows, { buffer: ms.ctx, stride: H * r, offset: 0, perHead: r }, { buffer: c.s.attnOut, stride: H * dv, offset: 0, perHead: dv });
}

/** Records silu(ffn_gate·x) ⊙ ffn_up·x of layer `il` into s.ffnGate ([n_tok, n_ff]); the caller adds ffn_down. */
export function recordDenseUp(c: MlaRecorder, x: { readonly src: { readonly buffer: GPUBuffer; readonly width: number }; readonly weight: string }, il: number): GPUBuffer {
  const nFf = c.cfg.nFfDense ?? 0;
  if (nFf === 0) throw new ModelError('bad_hparams', `${c.cfg.arch}: a dense FFN layer without feed_forward_length`);
  const ms = { gate: c.s.ffnGate, up: c.s.ffnUp };
  const xin: View = { buffer: x.src.buffer, stride: x.src.width, offset: 0 };
  const norm = { weight: c.weights.vector(x.weight), cols: x.src.width };
  matmul(c, `L${il}.ffn_gate`, c.weights.matrix(w(il, 'ffnGate')), xin, { buffer: ms.gate, stride: nFf, offset: 0 }, nFf, 0, norm);
  matmul(c, `L${il}.ffn_up`, c.weights.matrix(w(il, 'ffnUp')), xin, { buffer: ms.up, stride: nFf, offset: 0 }, nFf, 0, norm);
  const n = c.nTok * nFf;
  c.rec.dispatch(`L${il}.silu_mul`, 'silu_mul', undefined, [ms.gate, ms.up], { n }, [Math.ceil(n / 64), 1, 1]);
  return ms.gate;
}
