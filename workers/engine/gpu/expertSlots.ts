// The routed experts on the GPU, in slots. Each MoE layer keeps its experts' gate|up rows in one
// buffer and their down rows in another, `slots` experts each, and a slot table (one u32 per
// slot: the expert it holds, or NO_EXPERT) tells the expert kernels which (moe_up.wgsl).
// Resident: one slot per expert, the tensors as uploaded, an identity table. Paged (a budget
// under the experts' bytes): fewer slots, filled on demand from the WeightSource one expert at a
// time (gate, up and down slices), evicting by an EvictionPolicy. GpuModel.step finds misses
// from the routing it reads back and re-runs the pass once the missing experts are in (see
// there); nothing here runs a kernel.

import { expertSlice } from '../gguf/slices.ts';
import type { GgufTensorInfo } from '../gguf/types.ts';
import { EvictionPolicy } from '../experts/policy.ts';
import type { EvictionPolicyName } from '../experts/policy.ts';
import type { ModelConfig } from '../model/config.ts';
import { ModelError } from '../model/errors.ts';
import { layerTensorName as w } from '../model/tensorNames.ts';
import type { WeightSource } from '../model/weightSource.ts';
import { GpuError } from './errors.ts';
import { deviceRowBytes, toDeviceLayout } from './layout.ts';
import type { GpuMatrix, GpuWeights } from './weights.ts';

export const NO_EXPERT = 0xffffffff;

/** One layer's routed experts as the kernels bind them. */
export interface LayerExperts {
  /** Gate rows, `slots` experts of nFf rows, then the up rows from byte `upOffset`. */
  readonly gateUp: GpuMatrix;
  readonly upOffset: number;
  readonly down: GpuMatrix;
  /** Index of the layer's first slot in `table`. */
  readonly tableOffset: number;
}

/** Counters since load (GpuModel.expertCacheStats). */
export interface ExpertCacheCounters {
  /** (layer, expert) lookups of the passes' first tries, and how many found the expert resident. */
  lookups: number;
  hits: number;
  bytesPaged: number;
  /** Time spent loading missing experts and re-running passes. */
  stallMs: number;
}

interface PagedLayer {
  readonly il: number;
  readonly gate: GgufTensorInfo;
  readonly up: GgufTensorInfo;
  readonly down: GgufTensorInfo;
  readonly experts: LayerExperts;
  /** The expert in each slot. */
  readonly slotExpert: number[];
  readonly slotOf: Map<number, number>;
  readonly policy: EvictionPolicy;
}

export interface ExpertBudget {
  /** Bytes for the routed experts' slots over all layers. */
  readonly bytes: number;
  readonly policy?: EvictionPolicyName;
}

export class ExpertSlots {
  readonly table: GPUBuffer;
  readonly counters: ExpertCacheCounters = { lookups: 0, hits: 0, bytesPaged: 0, stallMs: 0 };
  private readonly layers = new Map<number, LayerExperts>();
  private readonly paged = new Map<number, PagedLayer>();
  private readonly buffers: GPUBuffer[] = [];

  private constructor(
    private readonly device: GPUDevice,
    private readonly source: WeightSource,
    /** Slots per MoE layer (nExpert when resident). */
    readonly slots: number,
    /** Bytes of all slots' weights. */
    readonly bytes: number,
    nLayer: number,
    /** Largest buffer one binding may hold. */
    private readonly maxBinding = device.limits.maxStorageBufferBindingSize,
  ) {
    this.table = device.createBuffer({ label: 'experts.slots', size: Math.max(16, nLayer * slots * 4), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  }

  /** Bytes of one expert of every MoE layer together (gate, up and down as the GPU keeps them). */
  static expertBytes(source: WeightSource, cfg: ModelConfig): { perExpert: number; moeLayers: number } {
    let perExpert = 0;
    let moeLayers = 0;
    for (let il = 0; il < cfg.nLayer; il++) {
      const ts = routedTensors(source, il);
      if (!ts) continue;
      moeLayers++;
      perExpert += ts.reduce((n, t) => n + expertDeviceBytes(t), 0);
    }
    return { perExpert, moeLayers };
  }

  /**
   * The most expert bytes whose per-layer slot buffers each fit one binding of `maxBinding`
   * bytes (all the experts when their tensors fit).
   */
  static bindingBudget(source: WeightSource, cfg: ModelConfig, maxBinding: number): number {
    let slots = cfg.nExpert;
    for (let il = 0; il < cfg.nLayer; il++) {
      const ts = routedTensors(source, il);
      if (!ts) continue;
      const [gate, , down] = ts;
      slots = Math.min(slots, Math.floor(maxBinding / (2 * expertDeviceBytes(gate))), Math.floor(maxBinding / expertDeviceBytes(down)));
    }
    return slots * ExpertSlots.expertBytes(source, cfg).perExpert;
  }

  /** Every expert resident: the tensors GpuWeights uploaded, an identity table. */
  static resident(device: GPUDevice, source: WeightSource, weights: GpuWeights, cfg: ModelConfig): ExpertSlots {
    const slots = Math.max(1, cfg.nExpert);
    const x = new ExpertSlots(device, source, slots, ExpertSlots.expertBytes(source, cfg).perExpert * cfg.nExpert, cfg.nLayer);
    const ids = new Uint32Array(cfg.nLayer * slots);
    for (let il = 0; il < cfg.nLayer; il++) {
      if (!routedTensors(source, il)) continue;
      for (let e = 0; e < slots; e++) ids[il * slots + e] = e;
      const gateUp = weights.matrix(w(il, 'ffnGateExps'));
      x.layers.set(il, { gateUp, upOffset: weights.matrix(w(il, 'ffnUpExps')).offset, down: weights.matrix(w(il, 'ffnDownExps')), tableOffset: il * slots });
    }
    device.queue.writeBuffer(x.table, 0, ids);
    return x;
  }

  /**
   * Slots for as many experts per layer as `budget` holds (at least the model's k, at most all
   * of them), empty until `ensure` fills them; GpuError 'too_large' when k do not fit.
   */
  static paged(device: GPUDevice, source: WeightSource, cfg: ModelConfig, budget: ExpertBudget, maxBindingBytes?: number): ExpertSlots {
    const { perExpert } = ExpertSlots.expertBytes(source, cfg);
    const k = Math.max(1, cfg.nExpertUsed);
    const slots = Math.min(cfg.nExpert, Math.floor(budget.bytes / Math.max(1, perExpert)));
    if (slots < k) {
      throw new GpuError('too_large', `an expert cache of ${mib(budget.bytes)} MiB holds ${slots} of the ${k} experts each token needs per layer; give it at least ${mib(k * perExpert)} MiB`);
    }
    const x = new ExpertSlots(device, source, slots, slots * perExpert, cfg.nLayer, Math.min(maxBindingBytes ?? Infinity, device.limits.maxStorageBufferBindingSize));
    device.queue.writeBuffer(x.table, 0, new Uint32Array(cfg.nLayer * slots).fill(NO_EXPERT));
    for (let il = 0; il < cfg.nLayer; il++) {
      const ts = routedTensors(source, il);
      if (!ts) continue;
      const [gate, up, down] = ts;
      if (gate.type !== up.type) throw new ModelError('unsupported_type', `${gate.name} (${gate.type.name}) and ${up.name} (${up.type.name}) differ in type; the GPU expert kernel needs them alike`);
      const upBytes = expertDeviceBytes(gate);
      const downBytes = expertDeviceBytes(down);
      // writeBuffer takes whole words; a slot must start on one.
      if (upBytes % 4 !== 0 || downBytes % 4 !== 0) throw new ModelError('bad_shape', `layer ${il}: an expert's ${upBytes} or ${downBytes} bytes are not whole words; the expert cache cannot page it`);
      const gateUpBuffer = x.buffer(`blk.${il}.experts.gate_up`, 2 * slots * upBytes);
      const downBuffer = x.buffer(`blk.${il}.experts.down`, slots * downBytes);
      const matrix = (t: GgufTensorInfo, buffer: GPUBuffer): GpuMatrix => ({ buffer, type: t.type, rows: slots * t.dims[1], cols: t.dims[0], rowBytes: deviceRowBytes(t.type, t.dims[0]), offset: 0 });
      const experts: LayerExperts = { gateUp: matrix(gate, gateUpBuffer), upOffset: slots * upBytes, down: matrix(down, downBuffer), tableOffset: il * slots };
      x.layers.set(il, experts);
      x.paged.set(il, { il, gate, up, down, experts, slotExpert: new Array<number>(slots).fill(NO_EXPERT), slotOf: new Map(), policy: new EvictionPolicy(budget.policy ?? 'lru') });
    }
    return x;
  }

  get isPaged(): boolean {
    return this.paged.size > 0;
  }

  /** Layer il's experts, or undefined for a layer without routed experts. */
  layer(il: number): LayerExperts | undefined {
    return this.layers.get(il);
  }

  isResident(il: number, e: number): boolean {
    const l = this.paged.get(il);
    return !l || l.slotOf.has(e);
  }

  /**
   * Makes every expert of `need` resident in layer il, evicting others (never one of `need`);
   * returns the bytes uploaded. RangeError when `need` has more experts than slots.
   */
  async ensure(il: number, need: ReadonlySet<number>): Promise<number> {
    const l = this.paged.get(il);
    if (!l) return 0;
    if (need.size > this.slots) throw new RangeError(`layer ${il} needs ${need.size} experts at once; the cache has ${this.slots} slots`);
    let bytes = 0;
    for (const e of need) {
      if (l.slotOf.has(e)) continue;
      let slot = l.slotExpert.indexOf(NO_EXPERT);
      if (slot < 0) {
        const victim = l.policy.victim(l.slotOf.keys(), need);
        if (victim === undefined) throw new Error('unreachable: need fits the slots');
        slot = l.slotOf.get(victim) ?? -1;
        l.slotOf.delete(victim);
      }
      bytes += await this.upload(l, e, slot);
      l.slotExpert[slot] = e;
      l.slotOf.set(e, slot);
      this.device.queue.writeBuffer(this.table, (l.experts.tableOffset + slot) * 4, Uint32Array.of(e));
    }
    this.counters.bytesPaged += bytes;
    return bytes;
  }

  /** A pass chose these experts in layer il (the eviction policy's history). */
  touch(il: number, chosen: Iterable<number>): void {
    this.paged.get(il)?.policy.touch(chosen);
  }

  private async upload(l: PagedLayer, e: number, slot: number): Promise<number> {
    const { gateUp, upOffset, down } = l.experts;
    const parts: [GgufTensorInfo, GPUBuffer, number][] = [
      [l.gate, gateUp.buffer, slot * expertDeviceBytes(l.gate)],
      [l.up, gateUp.buffer, upOffset + slot * expertDeviceBytes(l.up)],
      [l.down, down.buffer, slot * expertDeviceBytes(l.down)],
    ];
    let bytes = 0;
    for (const [t, buffer, offset] of parts) {
      const rows = toDeviceLayout(t.type, t.dims[0], await this.source.read(expertSlice(t, e)));
      this.device.queue.writeBuffer(buffer, offset, rows.buffer as ArrayBuffer, rows.byteOffset, rows.byteLength);
      bytes += rows.byteLength;
    }
    return bytes;
  }

  private buffer(label: string, size: number): GPUBuffer {
    if (size > this.maxBinding) throw new GpuError('too_large', `${label} needs ${size} bytes in one binding; this GPU allows ${this.maxBinding}; choose a smaller expert cache`);
    const b = this.device.createBuffer({ label, size: Math.max(16, size), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    this.buffers.push(b);
    return b;
  }

  destroy(): void {
    this.table.destroy();
    for (const b of this.buffers) b.destroy();
  }
}

/** Layer il's routed gate, up and down tensors, or undefined when it has none. */
export function routedTensors(source: WeightSource, il: number): [GgufTensorInfo, GgufTensorInfo, GgufTensorInfo] | undefined {
  const get = (n: string): GgufTensorInfo | undefined => source.file.tensorByName.get(n);
  const gate = get(w(il, 'ffnGateExps'));
  const up = get(w(il, 'ffnUpExps'));
  const down = get(w(il, 'ffnDownExps'));
  if (!gate || !up || !down) return undefined;
  return [gate, up, down];
}

/** One expert's bytes of a 3-D expert tensor as the GPU keeps them. */
function expertDeviceBytes(t: GgufTensorInfo): number {
  return deviceRowBytes(t.type, t.dims[0]) * t.dims[1];
}

const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);
