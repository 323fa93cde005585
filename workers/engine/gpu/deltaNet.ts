// Gated DeltaNet layers on WebGPU (model/deltaNet.ts). Per layer: the input projections into the
// layer's rows of the pass log, dn_conv (causal conv + SiLU, conv state), dn_recur (delta rule),
// dn_norm (gated RMSNorm); the caller adds ssm_out with the residual. The state is double-buffered: a
// pass reads one buffer and writes the other, so the state before the last pass survives it, and
// with the pass's logged projections a rollback into that pass replays just the recurrence
// (gpu/deltaNetState.ts).

import type { ModelConfig } from '../model/config.ts';
import { convChannels, deltaNetStateFloats, recurrentLayerCount } from '../model/deltaNet.ts';
import type { DeltaNetConfig } from '../model/deltaNet.ts';
import { layerTensorName as w } from '../model/tensorNames.ts';
import { GpuError } from './errors.ts';
import type { StepRecorder } from './recorder.ts';
import { workgroupSize } from './shaders.ts';
import type { GpuWeights } from './weights.ts';

export interface DeltaNetScratch {
  /** The live state and the one before the last pass: [recurrent layers][conv | S] each. */
  readonly state: readonly [GPUBuffer, GPUBuffer];
  /** A copy of the state at a chosen position (the end of the last prompt). */
  readonly checkpoint: GPUBuffer;
  /** The last pass's projections, [recurrent layers][maxTokens][rowWidth]. */
  readonly log: GPUBuffer;
  /** Conv + SiLU output [maxTokens, ch] and the gated-norm output [maxTokens, n_v·hd]. */
  readonly conv: GPUBuffer;
  readonly out: GPUBuffer;
  /** Floats of one projection row: qkv (ch), z (n_v·hd), beta and alpha (n_v each). */
  readonly rowWidth: number;
  /** Rows of the log per layer (the most tokens a pass takes). */
  readonly logRows: number;
  /** State floats of one layer. */
  readonly layerFloats: number;
  /** Bytes of one copy of the whole state (what Insights shows beside the KV cache). */
  readonly stateBytes: number;
  readonly bytes: number;
}

export function allocateDeltaNetScratch(device: GPUDevice, d: DeltaNetConfig, maxTokens: number): DeltaNetScratch {
  let bytes = 0;
  const f32 = (label: string, n: number): GPUBuffer => {
    const size = Math.max(16, n * 4);
    bytes += size;
    return device.createBuffer({ label, size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
  };
  const layers = recurrentLayerCount(d);
  const layerFloats = deltaNetStateFloats(d);
  const rowWidth = convChannels(d) + d.nVHeads * d.headDim + 2 * d.nVHeads;
  // The kernels bind each buffer whole.
  const largest = Math.max(layers * layerFloats, layers * maxTokens * rowWidth) * 4;
  if (largest > device.limits.maxStorageBufferBindingSize) {
    throw new GpuError('too_large', `the DeltaNet state and pass log need a binding of ${largest} bytes; this device binds at most ${device.limits.maxStorageBufferBindingSize}`);
  }
  const buffers = {
    state: [f32('dn.stateA', layers * layerFloats), f32('dn.stateB', layers * layerFloats)] as const,
    checkpoint: f32('dn.checkpoint', layers * layerFloats),
    log: f32('dn.log', layers * maxTokens * rowWidth),
    conv: f32('dn.conv', maxTokens * convChannels(d)),
    out: f32('dn.out', maxTokens * d.nVHeads * d.headDim),
  };
  return { ...buffers, rowWidth, logRows: maxTokens, layerFloats, stateBytes: layers * layerFloats * 4, bytes };
}

/** The projection layouts a layer's tensors give, and its key-head map (the flags of dn_conv, dn_recur and dn_norm). */
const F_SSM_IN = 1;
const F_TILED = 2;
const F_SSM_BA = 4;

export function deltaNetFlags(weights: Pick<GpuWeights, 'has'>, d: DeltaNetConfig, il: number): number {
  return (weights.has(w(il, 'attnQkv')) ? 0 : F_SSM_IN) | (d.keyHeads === 'tiled' ? F_TILED : 0) | (weights.has(w(il, 'ssmBeta')) ? 0 : F_SSM_BA);
}

/** Where a layer's projections go in the log, and which projection writes which columns. */
export function projectionsOf(weights: Pick<GpuWeights, 'has'>, d: DeltaNetConfig, il: number): { tensor: string; column: number }[] {
  const ch = convChannels(d);
  const z = ch;
  const gates = ch + d.nVHeads * d.headDim;
  const input = weights.has(w(il, 'attnQkv'))
    ? [
        { tensor: w(il, 'attnQkv'), column: 0 },
        { tensor: w(il, 'attnGate'), column: z },
      ]
    : [{ tensor: w(il, 'ssmIn'), column: 0 }];
  const ba = weights.has(w(il, 'ssmBeta'))
    ? [
        { tensor: w(il, 'ssmBeta'), column: gates },
        { tensor: w(il, 'ssmAlpha'), column: gates + d.nVHeads },
      ]
    : [{ tensor: w(il, 'ssmBa'), column: gates }];
  return [...input, ...ba];
}

/**
 * dn_conv then dn_recur of trunk layer il (recurrent slot `slot`) for nTok logged rows, from
 * state buffer `from` to `to`: a pass, or a rollback's replay of a pass's first tokens.
 */
export function recordRecurrence(
  rec: StepRecorder,
  weights: GpuWeights,
  cfg: ModelConfig,
  s: DeltaNetScratch,
  il: number,
  slot: number,
  nTok: number,
  from: GPUBuffer,
  to: GPUBuffer,
  rowLanes: number,
): void {
  const d = cfg.deltaNet;
  if (!d) throw new Error('recordRecurrence: no DeltaNet config');
  const ch = convChannels(d);
  const stateOff = slot * s.layerFloats;
  const pOff = slot * s.logRows * s.rowWidth;
  const flags = deltaNetFlags(weights, d, il);
  const common = { n_k: d.nKHeads, n_v: d.nVHeads, hd: d.headDim, n_tok: nTok, p_stride: s.rowWidth, p_off: pOff, flags };
  rec.dispatch(
    `L${il}.dn_conv`,
    'dn_conv',
    undefined,
    [s.log, weights.vector(w(il, 'ssmConv1d')), from, to, s.conv],
    { ...common, ch, kernel: d.convKernel, cs_in_off: stateOff, cs_out_off: stateOff },
    [Math.ceil(ch / 64), 1, 1],
  );
  const sOff = stateOff + (d.convKernel - 1) * ch;
  rec.dispatch(
    `L${il}.dn_recur`,
    'dn_recur',
    undefined,
    [s.conv, s.log, weights.vector(w(il, 'ssmDt')), weights.vector(w(il, 'ssmA')), from, to, s.out],
    { ...common, s_in_off: sOff, s_out_off: sOff, eps: cfg.rmsEps },
    [d.nVHeads, Math.ceil(d.headDim / workgroupSize('dn_recur', rowLanes)), 1],
  );
}

/** dn_norm of trunk layer il's dn_recur output (the pass's, not a replay's). */
export function recordGatedNorm(rec: StepRecorder, weights: GpuWeights, cfg: ModelConfig, s: DeltaNetScratch, il: number, slot: number, nTok: number): void {
  const d = cfg.deltaNet;
  if (!d) throw new Error('recordGatedNorm: no DeltaNet config');
  rec.dispatch(
    `L${il}.dn_norm`,
    'dn_norm',
    undefined,
    [s.out, s.log, weights.vector(w(il, 'ssmNorm'))],
    { hd: d.headDim, n_k: d.nKHeads, n_v: d.nVHeads, flags: deltaNetFlags(weights, d, il), p_stride: s.rowWidth, p_off: slot * s.logRows * s.rowWidth, eps: cfg.rmsEps },
    [d.nVHeads, nTok, 1],
  );
}
