// Kernel sources and the pipeline cache. A kernel that reads quantized weights is compiled once
// per ggml type: its source is the type's deq32 snippet + the shared reduction + the kernel.

import type { GgmlTypeInfo } from '../quant/types.ts';
import { quantSnippet } from './quantShaders.ts';
import reduce from './kernels/common/reduce.wgsl?raw';
import argmax from './kernels/argmax.wgsl?raw';
import attention from './kernels/attention.wgsl?raw';
import embed from './kernels/embed.wgsl?raw';
import matmul from './kernels/matmul.wgsl?raw';
import rmsNorm from './kernels/rms_norm.wgsl?raw';
import moeCombine from './kernels/moe_combine.wgsl?raw';
import moeDown from './kernels/moe_down.wgsl?raw';
import moeUp from './kernels/moe_up.wgsl?raw';
import qkRope from './kernels/qk_rope.wgsl?raw';
import router from './kernels/router.wgsl?raw';
import routerLogits from './kernels/common/router_logits.wgsl?raw';
import members from './kernels/common/members.wgsl?raw';
import rows4 from './kernels/common/rows4.wgsl?raw';
import select from './kernels/common/select.wgsl?raw';
import topkMerge from './kernels/topk_merge.wgsl?raw';
import topkPartial from './kernels/topk_partial.wgsl?raw';
import mlaPrep from './kernels/mla_prep.wgsl?raw';
import mlaAttention from './kernels/mla_attention.wgsl?raw';
import siluMul from './kernels/silu_mul.wgsl?raw';
import routerV3 from './kernels/router_v3.wgsl?raw';
import matmulHeads from './kernels/matmul_heads.wgsl?raw';
import attnGate from './kernels/attn_gate.wgsl?raw';
import dnConv from './kernels/dn_conv.wgsl?raw';
import dnRecur from './kernels/dn_recur.wgsl?raw';
import dnNorm from './kernels/dn_norm.wgsl?raw';

/** Items (heads, tokens) per workgroup of the kernels that take several on CPU adapters (reduce.wgsl's ITEMS): SwiftShader's SIMD width. */
const ITEMS_PER_GROUP = 4;

const kernels = {
  matmul: { source: `${rows4}\n${matmul}`, quant: true, dot: true },
  embed: { source: embed, quant: true },
  router: { source: `${routerLogits}\n${router}`, quant: true, perItem: true, itemsPerGroup: ITEMS_PER_GROUP },
  moe_up: { source: `${members}\n${rows4}\n${moeUp}`, quant: true, dot: true },
  moe_down: { source: `${members}\n${rows4}\n${moeDown}`, quant: true, dot: true },
  moe_combine: { source: moeCombine, quant: false },
  rms_norm: { source: rmsNorm, quant: false, perItem: true },
  qk_rope: { source: qkRope, quant: false, kvCache: true, perItem: true },
  attention: { source: attention, quant: false, kvCache: true, perItem: true, itemsPerGroup: ITEMS_PER_GROUP },
  argmax: { source: `${select}\n${argmax}`, quant: false, perItem: true },
  topk_partial: { source: `${select}\n${topkPartial}`, quant: false, perItem: true },
  topk_merge: { source: `${select}\n${topkMerge}`, quant: false, perItem: true },
  mla_prep: { source: mlaPrep, quant: false, perItem: true },
  mla_attention: { source: mlaAttention, quant: false, perItem: true },
  silu_mul: { source: siluMul, quant: false },
  router_v3: { source: `${routerLogits}\n${routerV3}`, quant: true, perItem: true },
  matmul_heads: { source: matmulHeads, quant: true },
  attn_gate: { source: attnGate, quant: false },
  dn_conv: { source: dnConv, quant: false },
  // No barriers: on CPU adapters its ITEMS-sized workgroups run four columns as SIMD lanes.
  dn_recur: { source: dnRecur, quant: false, itemsPerGroup: ITEMS_PER_GROUP },
  dn_norm: { source: dnNorm, quant: false, perItem: true },
} as const;

export type KernelName = keyof typeof kernels;

/** Every device's caches, by rowLanes and kvF16: pipelines outlive the models that use them. */
const shared = new WeakMap<GPUDevice, Map<string, PipelineCache>>();

export class PipelineCache {
  private readonly pipelines = new Map<string, GPUComputePipeline>();

  /**
   * The device's cache for these overrides, shared by every model on it: a pipeline depends on
   * nothing else, and compiling one costs about a second on a software adapter.
   */
  static of(device: GPUDevice, rowLanes: number, kvF16: boolean): PipelineCache {
    let byKey = shared.get(device);
    if (!byKey) shared.set(device, (byKey = new Map()));
    const key = `${rowLanes}:${kvF16}`;
    let cache = byKey.get(key);
    if (!cache) byKey.set(key, (cache = new PipelineCache(device, rowLanes, kvF16)));
    return cache;
  }

  constructor(
    private readonly device: GPUDevice,
    /**
     * The LANES override of the projection kernels (see common/reduce.wgsl); 1 (a CPU adapter)
     * also runs the per-token and per-head kernels with one invocation per workgroup.
     */
    private readonly rowLanes = 8,
    /** The KV_F16 override of the kernels that touch the KV cache (see qk_rope.wgsl). */
    private readonly kvF16 = false,
  ) {}

  /**
   * The pipeline of `kernel`, for weights of `type` when the kernel dequantizes, with extra
   * override `constants` (the matmul's TILE).
   */
  get(kernel: KernelName, type?: GgmlTypeInfo, constants: Readonly<Record<string, number>> = {}): GPUComputePipeline {
    const k = kernels[kernel];
    const key = pipelineKey(kernel, k.quant ? type : undefined, constants);
    let pipeline = this.pipelines.get(key);
    if (!pipeline) {
      if (k.quant && !type) throw new Error(`kernel ${kernel} needs a weight type`);
      const code = `${k.quant && type ? quantSnippet(type, 'dot' in k) : ''}\n${reduce}\n${k.source}`;
      const module = this.device.createShaderModule({ label: key, code });
      const all: Record<string, number> = { LANES: this.rowLanes, ...constants };
      if ('kvCache' in k) all.KV_F16 = this.kvF16 ? 1 : 0;
      // One workgroup per token or head: on CPU adapters, one invocation each (reduce.wgsl's WG),
      // or a few items side by side, one invocation each (ITEMS), for the kernels that can.
      if ('perItem' in k && this.rowLanes === 1) all.WG = 1;
      if ('itemsPerGroup' in k && this.rowLanes === 1) all.WG = all.ITEMS = k.itemsPerGroup;
      if ('dot' in k) all.RPI = rowsPerInvocation(this.rowLanes);
      pipeline = this.device.createComputePipeline({ label: key, layout: 'auto', compute: { module, entryPoint: 'main', constants: all } });
      this.pipelines.set(key, pipeline);
    }
    return pipeline;
  }
}

/** Names one compiled variant: kernel, weight type, extra constants (`matmul:Q8_0:TILE=4`). */
export function pipelineKey(kernel: KernelName, type: GgmlTypeInfo | undefined, constants: Readonly<Record<string, number>> = {}): string {
  const extra = Object.entries(constants)
    .map(([k, v]) => `:${k}=${v}`)
    .join('');
  return `${kernel}${type ? `:${type.name}` : ''}${extra}`;
}

/** Invocations per workgroup of `kernel` (reduce.wgsl's WG as the pipeline sets it). */
export function workgroupSize(kernel: KernelName, rowLanes: number): number {
  const k = kernels[kernel];
  if (rowLanes !== 1) return 64;
  return 'itemsPerGroup' in k ? k.itemsPerGroup : 'perItem' in k ? 1 : 64;
}

/** Items per workgroup of `kernel` (attention's heads, the router's tokens): ITEMS_PER_GROUP on CPU adapters where it takes several, else 1. */
export function itemsPerGroup(kernel: KernelName, rowLanes: number): number {
  const k = kernels[kernel];
  return 'itemsPerGroup' in k && rowLanes === 1 ? k.itemsPerGroup : 1;
}

/** The projection kernels' RPI override (common/reduce.wgsl): 4 rows per invocation on CPU adapters. */
export function rowsPerInvocation(rowLanes: number): number {
  return rowLanes === 1 ? 4 : 1;
}

/** Weight rows per workgroup of the projection kernels (matmul, moe_up, moe_down). */
export function projectionRowsPerGroup(rowLanes: number): number {
  return (64 / rowLanes) * rowsPerInvocation(rowLanes);
}

/**
 * Tokens per projection workgroup (the TILE override) for n tokens: the smallest of 1, 2, 4, 8
 * that holds them, 8 beyond. CPU adapters (rowLanes 1) use 1 or 8 only: their tile loop skips
 * the second half of a tile of at most four tokens (common/rows4.wgsl), so 2 and 4 would cost the
 * same and only add pipelines to compile (about half a second each on SwiftShader).
 */
export function matmulTile(nTok: number, rowLanes: number): number {
  if (nTok <= 1) return 1;
  if (rowLanes === 1) return 8;
  return nTok <= 2 ? 2 : nTok <= 4 ? 4 : 8;
}
