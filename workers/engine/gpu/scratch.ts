// Activation, KV-cache and scratch buffers of one loaded model, sized for `maxTokens` tokens per
// forward pass and `nCtx` positions.

import type { KvCacheType, ModelConfig } from '../model/config.ts';
import { ropeCosSin } from '../model/rope.ts';
import { allocateMlaScratch } from './mla.ts';
import type { MlaScratch } from './mla.ts';
import { allocateDeltaNetScratch } from './deltaNet.ts';
import type { DeltaNetScratch } from './deltaNet.ts';
import { kvLayerOf } from '../model/deltaNet.ts';

/** Most candidates one sampling step reads back. */
export const MAX_CANDIDATES = 64;

export interface Scratch {
  readonly maxTokens: number;
  readonly nCtx: number;
  /** Residual stream ping-pong, [maxTokens, n_embd] each. */
  readonly act: readonly [GPUBuffer, GPUBuffer];
  readonly tokens: GPUBuffer;
  readonly qkv: GPUBuffer;
  readonly q: GPUBuffer;
  readonly attnOut: GPUBuffer;
  readonly scores: GPUBuffer;
  /** [n_layer, n_ctx, n_head_kv · head_dim] each, in u32 words: one f32 or two f16 per word. */
  readonly kCache: GPUBuffer;
  readonly vCache: GPUBuffer;
  readonly kvCacheType: KvCacheType;
  readonly kvCacheBytes: number;
  readonly rope: GPUBuffer;
  readonly xn: GPUBuffer;
  /** Chosen experts, [n_layer, n_tok, k]: also the step's routing log. */
  readonly ids: GPUBuffer;
  readonly wts: GPUBuffer;
  readonly shGate: GPUBuffer;
  readonly h: GPUBuffer;
  readonly y: GPUBuffer;
  readonly hShared: GPUBuffer;
  readonly yShared: GPUBuffer;
  readonly logits: GPUBuffer;
  readonly sampled: GPUBuffer;
  /** Top-k partial candidates (64 slices), and the candidates out ([T][1 + 2k] at most). */
  readonly topkPartial: GPUBuffer;
  readonly candidates: GPUBuffer;
  /** Unused bindings point here. */
  readonly dummy: GPUBuffer;
  /** Dense FFN gate and up projections of the leading dense layers, [n_tok, n_ff] (nFfDense > 0). */
  readonly ffnGate: GPUBuffer;
  readonly ffnUp: GPUBuffer;
  /** Multi-head latent attention's cache and buffers (deepseek2). */
  readonly mla?: MlaScratch;
  /** The MTP block's buffers, when it is loaded (its KV rows are layer nLayer of the caches). */
  readonly mtp?: MtpScratch;
  /** Gated DeltaNet state and buffers (qwen3next, qwen35moe). */
  readonly deltaNet?: DeltaNetScratch;
  /** Bytes allocated. */
  readonly bytes: number;
}

export interface MtpScratch {
  /** The trunk's normalised final states of the last `ringRows` positions, row = position mod ringRows. */
  readonly ring: GPUBuffer;
  readonly ringRows: number;
  /** The block's input states [maxTokens, n_embd], and its normalised last state (a chained prediction's input). */
  readonly input: GPUBuffer;
  readonly chain: GPUBuffer;
  /** [enorm(e); hnorm(h)] rows [maxTokens, 2·n_embd], eh_proj's input. */
  readonly joined: GPUBuffer;
}

/** `mtpBlocks`: MTP blocks loaded after the trunk (their KV rows follow the trunk's layers). */
export function allocateScratch(device: GPUDevice, cfg: ModelConfig, maxTokens: number, nCtx: number, kvCacheType: KvCacheType, mtpBlocks = 0): Scratch {
  let bytes = 0;
  const f32 = (label: string, n: number, extra = 0): GPUBuffer => {
    const size = Math.max(16, n * 4);
    bytes += size;
    return device.createBuffer({ label, size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC | extra });
  };
  const T = maxTokens;
  const { nEmbd, nHead, nHeadKv, headDimK: dk, headDimV: dv, nLayer, nExpertUsed: k, nFfExp, nFfShexp, nVocab, nRot } = cfg;
  const rope = f32('rope', nCtx * nRot);
  const table = new Float32Array(nCtx * nRot);
  for (let pos = 0; pos < nCtx; pos++) {
    for (let i = 0; i < nRot / 2; i++) {
      const [cos, sin] = ropeCosSin(cfg, pos, i);
      table[pos * nRot + 2 * i] = cos;
      table[pos * nRot + 2 * i + 1] = sin;
    }
  }
  device.queue.writeBuffer(rope, 0, table);
  // Hybrid models keep K and V for their attention layers only (model/deltaNet.ts kvLayerOf).
  const kvLayers = kvLayerOf(cfg.deltaNet, nLayer) + mtpBlocks;
  const deltaNet = cfg.deltaNet && allocateDeltaNetScratch(device, cfg.deltaNet, T);
  bytes += deltaNet?.bytes ?? 0;
  const mla = cfg.mla ? allocateMlaScratch(device, { ...cfg, nLayer: kvLayers }, cfg.mla, T, nCtx) : undefined;
  bytes += mla?.bytes ?? 0;
  const kvElementsPerWord = kvCacheType === 'f16' ? 2 : 1;
  const kCache = f32('kCache', (kvLayers * nCtx * nHeadKv * dk) / kvElementsPerWord);
  const vCache = f32('vCache', (kvLayers * nCtx * nHeadKv * dv) / kvElementsPerWord);
  // One more row than a pass holds: a pass never overwrites the state of the position before it.
  const ringRows = T + 1;
  const mtp: MtpScratch | undefined =
    mtpBlocks > 0 ? { ring: f32('mtp.ring', ringRows * nEmbd), ringRows, input: f32('mtp.input', T * nEmbd), chain: f32('mtp.chain', nEmbd), joined: f32('mtp.joined', T * 2 * nEmbd) } : undefined;
  return {
    maxTokens,
    nCtx,
    act: [f32('actA', T * nEmbd), f32('actB', T * nEmbd)],
    tokens: f32('tokens', T),
    // The hybrids' gated attention puts a gate beside each head's query.
    qkv: f32('qkv', T * ((cfg.deltaNet ? 2 : 1) * nHead * dk + nHeadKv * (dk + dv))),
    q: f32('q', T * nHead * dk),
    attnOut: f32('attnOut', T * nHead * dv),
    scores: f32('scores', T * nHead * nCtx),
    kCache,
    vCache,
    kvCacheType,
    // MLA (deepseek2) caches only the latent and the shared RoPE key; its per-head caches are empty.
    kvCacheBytes: mla ? mla.cache.size : kCache.size + vCache.size,
    rope,
    xn: f32('xn', T * nEmbd),
    ids: f32('ids', (nLayer + mtpBlocks) * T * k),
    wts: f32('wts', T * k),
    shGate: f32('shGate', T),
    h: f32('h', T * k * nFfExp),
    y: f32('y', T * k * nEmbd),
    hShared: f32('hShared', T * Math.max(nFfShexp, 1)),
    yShared: f32('yShared', T * nEmbd),
    logits: f32('logits', T * nVocab),
    sampled: f32('sampled', T),
    topkPartial: f32('topkPartial', 64 * (2 + 2 * MAX_CANDIDATES)),
    candidates: f32('candidates', T * (1 + 2 * MAX_CANDIDATES)),
    dummy: f32('dummy', 4),
    ffnGate: f32('ffn.gate', T * (cfg.nFfDense ?? 0)),
    ffnUp: f32('ffn.up', T * (cfg.nFfDense ?? 0)),
    mla,
    mtp,
    deltaNet,
    bytes,
  };
}
