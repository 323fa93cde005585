// The adapter's streaming read bandwidth, measured in the same run (PERFORMANCE.md): a storage
// buffer of `mib` MiB read by ~1024 workgroups of 256 invocations, each summing a run of
// vec4<f32>. Enough dispatches go into one submit that it lasts ≥ 50 ms (a fast GPU reads
// 256 MiB in ~0.1 ms, less than a submit's overhead); after a warm-up, the median of `reps`
// submits, each timed to queue.onSubmittedWorkDone(). Two access patterns: contiguous runs per
// invocation (the documented kernel) and coalesced (neighbouring invocations, neighbouring words).

import source from './read.wgsl?raw';
import { median, round } from './stats.ts';

export interface BandwidthResult {
  readonly bufferMiB: number;
  readonly workgroups: number;
  readonly workgroupSize: number;
  readonly vec4PerInvocation: number;
  readonly dispatchesPerSubmit: { readonly contiguous: number; readonly coalesced: number };
  /** GB/s (10⁹ bytes), median over repetitions. */
  readonly contiguousGBps: number;
  readonly coalescedGBps: number;
  /** The better of the two: the denominator of the roofline fraction. */
  readonly GBps: number;
}

const WG = 256;

export async function measureBandwidth(device: GPUDevice, mib: number, reps: number, log: (s: string) => void): Promise<BandwidthResult> {
  const bytes = mib * 1024 * 1024;
  const nVec = bytes / 16;
  // ~1024 workgroups; the run length makes them cover the buffer exactly.
  const groups = 1024;
  const nInv = groups * WG;
  const run = Math.floor(nVec / nInv);
  if (run < 1 || run * nInv !== nVec) throw new RangeError(`bandwidth buffer of ${mib} MiB is not a multiple of ${(nInv * 16) / 2 ** 20} MiB`);

  const src = device.createBuffer({ label: 'bandwidth.src', size: bytes, usage: GPUBufferUsage.STORAGE, mappedAtCreation: true });
  new Float32Array(src.getMappedRange()).fill(1);
  src.unmap();
  const out = device.createBuffer({ label: 'bandwidth.out', size: nInv * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const params = device.createBuffer({ label: 'bandwidth.params', size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(params, 0, Uint32Array.of(run, nInv, 0, 0));
  const module = device.createShaderModule({ label: 'bandwidth', code: source });

  const timeOne = async (contiguous: boolean): Promise<{ gbps: number; perSubmit: number }> => {
    const pipeline = await device.createComputePipelineAsync({
      label: `bandwidth ${contiguous ? 'contiguous' : 'coalesced'}`,
      layout: 'auto',
      compute: { module, entryPoint: 'main', constants: { CONTIGUOUS: contiguous ? 1 : 0 } },
    });
    const bindGroup = device.createBindGroup({ label: 'bandwidth', layout: pipeline.getBindGroupLayout(0), entries: [src, out, params].map((buffer, binding) => ({ binding, resource: { buffer } })) });
    const submit = async (n: number): Promise<number> => {
      const encoder = device.createCommandEncoder({ label: 'bandwidth' });
      const pass = encoder.beginComputePass({ label: 'bandwidth' });
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      for (let i = 0; i < n; i++) pass.dispatchWorkgroups(groups);
      pass.end();
      const t0 = performance.now();
      device.queue.submit([encoder.finish()]);
      await device.queue.onSubmittedWorkDone();
      return (performance.now() - t0) / 1000;
    };
    await submit(1); // warm-up
    const single = await submit(1);
    const perSubmit = Math.max(1, Math.min(2000, Math.ceil(0.05 / single)));
    await submit(perSubmit);
    const times: number[] = [];
    for (let r = 0; r < reps; r++) times.push(await submit(perSubmit));
    const t = median(times);
    return { gbps: (perSubmit * bytes) / t / 1e9, perSubmit };
  };

  try {
    const contiguous = await timeOne(true);
    log(`bandwidth, contiguous runs: ${contiguous.gbps.toFixed(2)} GB/s`);
    const coalesced = await timeOne(false);
    log(`bandwidth, coalesced: ${coalesced.gbps.toFixed(2)} GB/s`);
    await checkSums(device, out, nInv, run * 4);
    return {
      bufferMiB: mib,
      workgroups: groups,
      workgroupSize: WG,
      vec4PerInvocation: run,
      dispatchesPerSubmit: { contiguous: contiguous.perSubmit, coalesced: coalesced.perSubmit },
      contiguousGBps: round(contiguous.gbps, 3),
      coalescedGBps: round(coalesced.gbps, 3),
      GBps: round(Math.max(contiguous.gbps, coalesced.gbps), 3),
    };
  } finally {
    src.destroy();
    out.destroy();
    params.destroy();
  }
}

/** Every invocation summed `want` ones: the reads really happened. */
async function checkSums(device: GPUDevice, out: GPUBuffer, n: number, want: number): Promise<void> {
  const staging = device.createBuffer({ label: 'bandwidth.check', size: n * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(out, 0, staging, 0, n * 4);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const sums = new Float32Array(staging.getMappedRange());
  const bad = sums.findIndex((s) => s !== want);
  staging.unmap();
  staging.destroy();
  if (bad >= 0) throw new Error(`bandwidth kernel: invocation ${bad} summed ${sums[bad]}, expected ${want}`);
}
