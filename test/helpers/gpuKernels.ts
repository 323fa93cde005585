// Running the engine's own kernels (PipelineCache: the same sources, compiled per ggml type,
// as the runtime builds them) on hand-made buffers, for the per-kernel reference tests.
// A KernelBatch records any number of dispatches of any kernels into one compute pass, in
// order, so that a chain (router → moe_group → moe_up → moe_down → moe_combine) can pass
// buffers along; every output buffer starts poisoned (0xFFFFFFFF, an f32 NaN).

import { deviceRowBytes, toDeviceLayout } from '../../workers/engine/gpu/layout.ts';
import { PipelineCache, projectionRowsPerGroup } from '../../workers/engine/gpu/shaders.ts';
import type { KernelName } from '../../workers/engine/gpu/shaders.ts';
import { dequantize } from '../../workers/engine/quant/dequant.ts';
import { quantize } from '../../reference/quant/quantize.ts';
import type { GgmlTypeInfo } from '../../workers/engine/quant/types.ts';
import type { Rng } from '../../scripts/model-gen/random.ts';
import { packParams, type KernelParams } from '../../workers/engine/gpu/params.ts';

export const POISON = 0xffffffff;

/**
 * Lanes per row of the projection kernels (the LANES override, common/reduce.wgsl): 8 on GPUs,
 * 1 on CPU adapters. Both ship, so the tests run both; a workgroup covers 64 / lanes rows.
 */
export const laneVariants = [8, 1] as const;
export type Lanes = (typeof laneVariants)[number];

const caches = new WeakMap<GPUDevice, Map<Lanes, PipelineCache>>();

/** The device's pipeline cache per LANES, so that each kernel × type compiles once per test file. */
export function pipelinesOf(device: GPUDevice, lanes: Lanes): PipelineCache {
  let byLanes = caches.get(device);
  if (!byLanes) caches.set(device, (byLanes = new Map()));
  let c = byLanes.get(lanes);
  if (!c) byLanes.set(lanes, (c = new PipelineCache(device, lanes)));
  return c;
}

const pad4 = (n: number): number => Math.max(16, Math.ceil(n / 4) * 4);

export class KernelBatch {
  private readonly owned: GPUBuffer[] = [];
  private readonly encoder: GPUCommandEncoder;
  private readonly pass: GPUComputePassEncoder;
  private dispatched = 0;

  /** Rows of one projection workgroup (64 / lanes): divides the row counts into groups. */
  readonly rowsPerGroup: number;

  constructor(
    private readonly device: GPUDevice,
    private readonly label: string,
    readonly lanes: Lanes = 8,
  ) {
    this.rowsPerGroup = projectionRowsPerGroup(lanes);
    device.pushErrorScope('validation');
    this.encoder = device.createCommandEncoder({ label });
    this.pass = this.encoder.beginComputePass({ label });
  }

  private buffer(bytes: number, usage: number, label: string): GPUBuffer {
    const b = this.device.createBuffer({ label: `${this.label}: ${label}`, size: pad4(bytes), usage });
    this.owned.push(b);
    return b;
  }

  /** A storage buffer holding `data` (padded to whole words). */
  input(label: string, data: ArrayBufferView): GPUBuffer {
    const b = this.buffer(data.byteLength, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC, label);
    const bytes = new Uint8Array(pad4(data.byteLength));
    bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    this.device.queue.writeBuffer(b, 0, bytes);
    return b;
  }

  /** A storage buffer of `bytes` bytes, every word set to `fill` (POISON: NaN as f32). */
  poisoned(label: string, bytes: number, fill = POISON): GPUBuffer {
    const b = this.buffer(bytes, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC, label);
    this.device.queue.writeBuffer(b, 0, new Uint32Array(b.size / 4).fill(fill));
    return b;
  }

  /** One dispatch, bound like StepRecorder.dispatch: `buffers` at 0..n−1, then the uniform. */
  dispatch<K extends KernelName>(
    kernel: K,
    type: GgmlTypeInfo | undefined,
    buffers: readonly GPUBuffer[],
    values: KernelParams<K>,
    groups: readonly [number, number, number],
    constants?: Readonly<Record<string, number>>,
  ): void {
    const params = packParams(kernel, values);
    const pipeline = pipelinesOf(this.device, this.lanes).get(kernel, type, constants);
    const uniform = this.buffer(params.byteLength, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, `${kernel}.params`);
    this.device.queue.writeBuffer(uniform, 0, params);
    const entries: GPUBindGroupEntry[] = buffers.map((buffer, binding) => ({ binding, resource: { buffer } }));
    entries.push({ binding: buffers.length, resource: { buffer: uniform } });
    const bindGroup = this.device.createBindGroup({ label: `${this.label}: ${kernel} #${this.dispatched}`, layout: pipeline.getBindGroupLayout(0), entries });
    this.pass.setPipeline(pipeline);
    this.pass.setBindGroup(0, bindGroup);
    this.pass.dispatchWorkgroups(groups[0], groups[1], groups[2]);
    this.dispatched++;
  }

  /** Submits everything once, reads back `reads` in order, and frees the batch's buffers. */
  async run(reads: readonly GPUBuffer[]): Promise<ArrayBuffer[]> {
    try {
      this.pass.end();
      const staging = reads.map((b) => {
        const s = this.buffer(b.size, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, `${b.label} readback`);
        this.encoder.copyBufferToBuffer(b, 0, s, 0, b.size);
        return s;
      });
      this.device.queue.submit([this.encoder.finish()]);
      const err = await this.device.popErrorScope();
      if (err) throw new Error(`${this.label}: ${err.message}`);
      const out: ArrayBuffer[] = [];
      for (const s of staging) {
        await s.mapAsync(GPUMapMode.READ);
        out.push(s.getMappedRange().slice(0));
        s.unmap();
      }
      return out;
    } finally {
      for (const b of this.owned) b.destroy();
    }
  }
}

/** ‖got − want‖ / ‖want‖, in f64. */
export function relErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < want.length; i++) {
    num += (got[i] - want[i]) ** 2;
    den += want[i] ** 2;
  }
  return den === 0 ? (num === 0 ? 0 : Infinity) : Math.sqrt(num / den);
}

/** Finite random bytes (never all zero): filler around weights, which kernels must not read. */
export function junkBytes(rng: Rng, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => 1 + rng.int(255));
}

/**
 * `rows` rows of `cols` weights of `type`: Gaussians whose scale varies by block and by row
 * (some blocks negated), quantized, in the GPU's layout (gpu/layout.ts; `rowBytes` per row);
 * with the CPU dequantization of exactly those weights.
 */
export function randomWeights(type: GgmlTypeInfo, rows: number, cols: number, rng: Rng, std = 1 / Math.sqrt(cols)): { bytes: Uint8Array; rowBytes: number; values: Float32Array } {
  const x = new Float32Array(rows * cols);
  const group = Math.max(type.blockSize, 32);
  for (let r = 0; r < rows; r++) {
    const rowScale = std * (0.5 + rng.next());
    for (let i = 0; i < cols; i += group) {
      const s = rowScale * (0.3 + 1.4 * rng.next()) * (rng.next() < 0.3 ? -1 : 1);
      for (let j = i; j < i + group; j++) x[r * cols + j] = s * rng.normal();
    }
  }
  const file = quantize(type, x);
  return { bytes: toDeviceLayout(type, cols, file), rowBytes: deviceRowBytes(type, cols), values: dequantize(type, file, rows * cols) };
}

/** Bytes `body` placed at byte `offset` of a buffer of random filler with `tail` bytes after it. */
export function embedAt(rng: Rng, body: Uint8Array, offset: number, tail = 12): Uint8Array {
  const out = junkBytes(rng, offset + body.length + tail);
  out.set(body, offset);
  return out;
}

/**
 * Compares a readback with `want`: where want is NaN the word must still be POISON (the kernel
 * does not own it), elsewhere it must be written and finite; words past want must be POISON.
 * Returns the problems (at most a few) and ‖got − want‖ / ‖want‖ over the owned words.
 */
export function compareOutput(out: ArrayBuffer, want: ArrayLike<number>): { problems: string[]; err: number } {
  const bits = new Uint32Array(out);
  const got = new Float32Array(out);
  const problems: string[] = [];
  let num = 0;
  let den = 0;
  for (let i = 0; i < bits.length && problems.length < 6; i++) {
    const w = i < want.length ? want[i] : NaN;
    if (Number.isNaN(w)) {
      if (bits[i] !== POISON) problems.push(`word ${i} is not the kernel's but was written (${got[i]})`);
    } else if (bits[i] === POISON) {
      problems.push(`word ${i} was never written`);
    } else if (!Number.isFinite(got[i])) {
      problems.push(`word ${i} = ${got[i]}`);
    } else {
      num += (got[i] - w) ** 2;
      den += w * w;
    }
  }
  return { problems, err: den === 0 ? (num === 0 ? 0 : Infinity) : Math.sqrt(num / den) };
}

/** Collects "label: what went wrong" over a batch's comparisons, so one run reports every case. */
export class Mismatches {
  readonly list: string[] = [];

  constructor(private readonly tol = 1e-5) {}

  /** f32 output vs reference (compareOutput rules: NaN in `want` = must stay poisoned). */
  close(label: string, out: ArrayBuffer, want: ArrayLike<number>): void {
    const { problems, err } = compareOutput(out, want);
    if (problems.length) this.list.push(`${label}: ${problems.join('; ')}`);
    else this.error(label, err);
  }

  /** u32 output equal to `want`, every word after it still POISON. */
  exact(label: string, out: ArrayBuffer, want: readonly number[]): void {
    const got = Array.from(new Uint32Array(out));
    const full = [...want, ...Array<number>(Math.max(0, got.length - want.length)).fill(POISON)];
    if (got.length < want.length || got.some((v, i) => v !== full[i])) {
      this.list.push(`${label}: got [${got.slice(0, want.length + 2).join(', ')}…], want [${want.join(', ')}]`);
    }
  }

  /** A relative error computed by the caller. */
  error(label: string, err: number): void {
    if (!(err <= this.tol)) this.list.push(`${label}: relative error ${err.toExponential(2)}`);
  }
}

/** router.wgsl's flags (F_SIGMOID, F_NORM_W, F_SHEXP_GATE). */
export function routerFlags(o: { readonly sigmoid: boolean; readonly renorm: boolean; readonly sharedGate: boolean; readonly bias?: boolean; readonly softmaxWeight?: boolean }): number {
  return (o.sigmoid ? 1 : 0) | (o.renorm ? 2 : 0) | (o.sharedGate ? 4 : 0) | (o.bias ? 8 : 0) | (o.softmaxWeight ? 16 : 0);
}
