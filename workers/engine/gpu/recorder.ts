// Encodes a step's dispatches into one compute pass. Each dispatch site (a kernel at one place
// in the graph) keeps its uniform buffer and bind group across steps; only the parameters are
// rewritten, so steady-state decoding creates no GPU objects. With a profiler attached, each
// dispatch gets its own timed pass instead (profiler.ts).

import type { PassProfiler } from './profiler.ts';
import { pipelineKey } from './shaders.ts';
import type { KernelName, PipelineCache } from './shaders.ts';
import type { GgmlTypeInfo } from '../quant/types.ts';
import { packParams, type KernelParams } from './params.ts';

interface Site {
  readonly uniform: GPUBuffer;
  readonly bindGroup: GPUBindGroup;
  readonly key: string;
}

export class StepRecorder {
  private encoder: GPUCommandEncoder | undefined;
  private pass: GPUComputePassEncoder | undefined;
  /** Times each dispatch of the following steps; undefined for plain steps. */
  profiler: PassProfiler | undefined;
  /** Profiling by submits: the step's dispatches, one command buffer each. */
  private separate: GPUCommandBuffer[] = [];
  private readonly sites = new Map<string, Site>();
  private readonly ids = new WeakMap<GPUBuffer, number>();
  private nextId = 0;
  /** Dispatches recorded in the current step. */
  dispatches = 0;
  /**
   * Prefixes the sites of the following dispatches: a command buffer that runs the same sites
   * again with other parameters (chained MTP drafts) needs a uniform for each run.
   */
  sitePrefix = '';

  constructor(
    private readonly device: GPUDevice,
    private readonly pipelines: PipelineCache,
  ) {}

  begin(encoder: GPUCommandEncoder): void {
    this.encoder = encoder;
    this.dispatches = 0;
    this.separate = [];
    if (this.profiler) this.profiler.begin();
    else this.pass = encoder.beginComputePass({ label: 'step' });
  }

  end(): void {
    this.pass?.end();
    this.pass = undefined;
    if (this.profiler && this.encoder) this.profiler.resolve(this.encoder);
    this.encoder = undefined;
  }

  /** Profiling by submits: the command buffers of the step's dispatches, in order. */
  takeSeparate(): GPUCommandBuffer[] {
    const out = this.separate;
    this.separate = [];
    return out;
  }

  private idOf(b: GPUBuffer): number {
    let id = this.ids.get(b);
    if (id === undefined) this.ids.set(b, (id = this.nextId++));
    return id;
  }

  /**
   * Records one dispatch of `kernel` at `site` with `buffers` as bindings 0..n−1 and `values`
   * packed as its uniform Params at binding n (params.ts).
   */
  dispatch<K extends KernelName>(
    site: string,
    kernel: K,
    type: GgmlTypeInfo | undefined,
    buffers: readonly GPUBuffer[],
    values: KernelParams<K>,
    groups: readonly [number, number, number],
    constants?: Readonly<Record<string, number>>,
  ): void {
    if (!this.encoder) throw new Error('StepRecorder.dispatch outside begin/end');
    const params = packParams(kernel, values);
    const pipeline = this.pipelines.get(kernel, type, constants);
    // A bind group belongs to its pipeline's layout: each variant at a site keeps its own.
    const variant = `${this.sitePrefix}${site}|${pipelineKey(kernel, type, constants)}`;
    const key = buffers.map((b) => this.idOf(b)).join(',');
    let s = this.sites.get(variant);
    if (!s || s.key !== key) {
      const uniform = s?.uniform ?? this.device.createBuffer({ label: `${site}.params`, size: params.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
      const entries: GPUBindGroupEntry[] = buffers.map((buffer, binding) => ({ binding, resource: { buffer } }));
      entries.push({ binding: buffers.length, resource: { buffer: uniform } });
      const bindGroup = this.device.createBindGroup({ label: site, layout: pipeline.getBindGroupLayout(0), entries });
      s = { uniform, bindGroup, key };
      this.sites.set(variant, s);
    }
    this.device.queue.writeBuffer(s.uniform, 0, params);
    const own = this.profiler?.method === 'submits' ? this.device.createCommandEncoder({ label: site }) : undefined;
    const pass = this.profiler ? (own ?? this.encoder).beginComputePass(this.profiler.pass(site)) : this.pass;
    if (!pass) throw new Error('StepRecorder: no pass');
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, s.bindGroup);
    pass.dispatchWorkgroups(groups[0], groups[1], groups[2]);
    if (this.profiler) pass.end();
    if (own) this.separate.push(own.finish());
    this.dispatches++;
  }

  destroy(): void {
    for (const s of this.sites.values()) s.uniform.destroy();
    this.sites.clear();
  }
}
