// Per-kernel timing of forward passes (bench --profile, Insights). With `timestamp-query` each
// dispatch runs in its own compute pass whose begin and end timestamps the GPU writes; without
// it, each dispatch is its own submit, timed on the host to its completion (coarser: it includes
// one submit's overhead). Profiling changes the pass structure, so a profiled step is slower
// than a plain one; its per-kernel shares are what it is for.

/** Time per kernel class of one profiled pass. */
export interface KernelProfile {
  /** How the times were taken. */
  readonly method: 'timestamps' | 'submits';
  /** Milliseconds per kernel class (`qkv`, `attention`, `experts.up`, …), summed over layers. */
  readonly kernelMs: Readonly<Record<string, number>>;
  /** Dispatches per kernel class. */
  readonly dispatches: Readonly<Record<string, number>>;
  /** Sum of kernelMs. */
  readonly gpuMs: number;
}

/** A profiled forward pass: its kernels and the host's part. */
export interface StepProfile extends KernelProfile {
  /** Tokens in the pass. */
  readonly tokens: number;
  /** Host milliseconds spent recording the pass's commands. */
  readonly recordMs: number;
  /** Host milliseconds from the submit until the readback was mapped. */
  readonly waitMs: number;
}

/**
 * The kernel class of a dispatch site: the site without its layer (`L3.`), part (`#1`),
 * position (`topk.partial#2`) or operand (`norm@blk.3.attn_norm.weight`) marks, so that every
 * layer's QKV projection counts as `qkv`.
 */
export function kernelClass(site: string): string {
  return site
    .replace(/^L\d+\./, '')
    .replace(/#\d+$/, '')
    .replace(/@.*$/, '');
}

/** Adds a site's time to its kernel class. */
function accumulate(sites: readonly string[], ms: readonly number[], method: KernelProfile['method']): KernelProfile {
  const kernelMs: Record<string, number> = {};
  const dispatches: Record<string, number> = {};
  let gpuMs = 0;
  sites.forEach((site, i) => {
    const c = kernelClass(site);
    kernelMs[c] = (kernelMs[c] ?? 0) + ms[i];
    dispatches[c] = (dispatches[c] ?? 0) + 1;
    gpuMs += ms[i];
  });
  return { method, kernelMs, dispatches, gpuMs };
}

/** Collects one pass's dispatch times; `begin` before recording, `read` after the submit. */
export interface PassProfiler {
  readonly method: KernelProfile['method'];
  begin(): void;
  /** The descriptor for the compute pass of the dispatch at `site`. */
  pass(site: string): GPUComputePassDescriptor;
  /** Called after the pass's last dispatch, before the encoder finishes. */
  resolve(encoder: GPUCommandEncoder): void;
  read(): Promise<KernelProfile>;
  destroy(): void;
}

/** Timestamps written by the GPU at each pass's begin and end. */
export class TimestampProfiler implements PassProfiler {
  readonly method = 'timestamps';
  private readonly querySet: GPUQuerySet;
  private readonly resolved: GPUBuffer;
  private readonly staging: GPUBuffer;
  private sites: string[] = [];

  constructor(
    device: GPUDevice,
    /** Dispatches one pass may hold. */
    private readonly capacity = 2048,
  ) {
    this.querySet = device.createQuerySet({ label: 'profile.timestamps', type: 'timestamp', count: 2 * capacity });
    this.resolved = device.createBuffer({ label: 'profile.resolved', size: 16 * capacity, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    this.staging = device.createBuffer({ label: 'profile.staging', size: 16 * capacity, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  }

  begin(): void {
    this.sites = [];
  }

  pass(site: string): GPUComputePassDescriptor {
    const i = this.sites.length;
    if (i >= this.capacity) throw new RangeError(`the profiler holds ${this.capacity} dispatches per pass`);
    this.sites.push(site);
    return { label: site, timestampWrites: { querySet: this.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 } };
  }

  resolve(encoder: GPUCommandEncoder): void {
    const n = 2 * this.sites.length;
    if (n === 0) return;
    encoder.resolveQuerySet(this.querySet, 0, n, this.resolved, 0);
    encoder.copyBufferToBuffer(this.resolved, 0, this.staging, 0, n * 8);
  }

  async read(): Promise<KernelProfile> {
    const n = 2 * this.sites.length;
    if (n === 0) return accumulate([], [], this.method);
    await this.staging.mapAsync(GPUMapMode.READ, 0, n * 8);
    const t = new BigUint64Array(this.staging.getMappedRange(0, n * 8).slice(0));
    this.staging.unmap();
    // Nanoseconds; a reversed pair (some drivers reset their clock) counts as 0.
    const ms = this.sites.map((_, i) => (t[2 * i + 1] > t[2 * i] ? Number(t[2 * i + 1] - t[2 * i]) / 1e6 : 0));
    return accumulate(this.sites, ms, this.method);
  }

  destroy(): void {
    this.querySet.destroy();
    this.resolved.destroy();
    this.staging.destroy();
  }
}

/**
 * Without timestamps: the recorder puts each dispatch in its own command buffer, and `run`
 * submits them one at a time, timing each to `onSubmittedWorkDone`.
 */
export class SubmitProfiler implements PassProfiler {
  readonly method = 'submits';
  private sites: string[] = [];
  private ms: number[] = [];

  constructor(private readonly device: GPUDevice) {}

  begin(): void {
    this.sites = [];
    this.ms = [];
  }

  pass(site: string): GPUComputePassDescriptor {
    this.sites.push(site);
    return { label: site };
  }

  resolve(): void {}

  /** Submits `buffers` (one per dispatch, the last with the step's copies) one by one. */
  async run(buffers: readonly GPUCommandBuffer[]): Promise<void> {
    await this.device.queue.onSubmittedWorkDone();
    for (const b of buffers) {
      const t = performance.now();
      this.device.queue.submit([b]);
      await this.device.queue.onSubmittedWorkDone();
      this.ms.push(performance.now() - t);
    }
  }

  async read(): Promise<KernelProfile> {
    return accumulate(this.sites, this.ms.slice(0, this.sites.length), this.method);
  }

  destroy(): void {}
}
