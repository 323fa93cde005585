// WebGPU in Node for kernel tests (docs/TESTING.md): Dawn's `webgpu` package on SwiftShader
// here, a real GPU elsewhere. One device per test process, opened like the app's (openGpu: the
// adapter's limits, subgroups when present), and a small runner: typed arrays in, one compute
// dispatch per run, output buffers poisoned with 0xFFFFFFFF (an f32 NaN) and read back.

import { openNodeGpu } from '../../scripts/node-webgpu.ts';
import { GpuError } from '../../workers/engine/gpu/errors.ts';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

let device: Promise<GPUDevice> | undefined;

/** The process's test device, opened on first use. */
export function nodeGpuDevice(): Promise<GPUDevice> {
  device ??= openNodeDevice().catch((e: unknown) => {
    device = undefined; // let a later test retry
    throw e;
  });
  return device;
}

async function openNodeDevice(): Promise<GPUDevice> {
  try {
    // openNodeGpu keeps Dawn's instance alive: collecting it tears down every device (a crash).
    const ctx = await openNodeGpu();
    ctx.device.addEventListener('uncapturederror', (ev) => {
      console.error(`WebGPU uncaptured error: ${(ev as GPUUncapturedErrorEvent).error.message}`);
    });
    return ctx.device;
  } catch (e) {
    if (e instanceof GpuError && e.code === 'no_adapter') {
      throw new GpuError(
        'no_adapter',
        `Dawn found no WebGPU adapter (VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES}). Install libvulkan1 and Chromium (for SwiftShader at ${SWIFTSHADER_ICD}) or point VK_ICD_FILENAMES at a Vulkan driver.`,
      );
    }
    throw e;
  }
}

/** Compiles a compute shader, throwing with every WGSL error message (and line) on failure. */
export async function computePipeline(dev: GPUDevice, code: string, label: string, entryPoint = 'main'): Promise<GPUComputePipeline> {
  const module = dev.createShaderModule({ code, label });
  const errors = (await module.getCompilationInfo()).messages.filter((m) => m.type === 'error');
  if (errors.length) {
    throw new Error(`${label}: WGSL does not compile:\n${errors.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('\n')}`);
  }
  dev.pushErrorScope('validation');
  const pipeline = await dev.createComputePipelineAsync({ label, layout: 'auto', compute: { module, entryPoint } });
  const err = await dev.popErrorScope();
  if (err) throw new Error(`${label}: pipeline: ${err.message}`);
  return pipeline;
}

/** A binding of group 0, by position: read-only storage, uniform, or a read-write output. */
export type GpuBinding =
  { readonly kind: 'storage'; readonly data: ArrayBufferView } | { readonly kind: 'uniform'; readonly data: ArrayBufferView } | { readonly kind: 'output'; readonly bytes: number };

export interface ComputeRun {
  readonly bindings: readonly GpuBinding[];
  readonly workgroups: readonly [number, number?, number?];
}

/**
 * Dispatches every run (binding i = @binding(i) of group 0) in one submission and returns, per
 * run, the contents of its output bindings in order.
 */
export async function runCompute(dev: GPUDevice, pipeline: GPUComputePipeline, runs: readonly ComputeRun[]): Promise<ArrayBuffer[][]> {
  const owned: GPUBuffer[] = [];
  const buffer = (size: number, usage: number, label: string): GPUBuffer => {
    const b = dev.createBuffer({ size, usage, label });
    owned.push(b);
    return b;
  };
  try {
    dev.pushErrorScope('validation');
    const encoder = dev.createCommandEncoder({ label: `${pipeline.label} runs` });
    const copies: { out: GPUBuffer; read: GPUBuffer; run: number }[] = [];
    const pass = encoder.beginComputePass({ label: `${pipeline.label} pass` });
    pass.setPipeline(pipeline);
    runs.forEach((run, r) => {
      const entries = run.bindings.map((b, i): GPUBindGroupEntry => {
        const label = `${pipeline.label} run ${r} binding ${i}`;
        if (b.kind === 'output') {
          const size = pad4(b.bytes);
          const out = buffer(size, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST, label);
          dev.queue.writeBuffer(out, 0, new Uint32Array(size / 4).fill(0xffffffff)); // poison: NaN
          copies.push({ out, read: buffer(size, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, `${label} readback`), run: r });
          return { binding: i, resource: { buffer: out } };
        }
        const bytes = new Uint8Array(b.data.buffer, b.data.byteOffset, b.data.byteLength);
        const padded = new Uint8Array(b.kind === 'uniform' ? Math.max(16, pad4(bytes.length)) : pad4(bytes.length));
        padded.set(bytes);
        const usage = (b.kind === 'uniform' ? GPUBufferUsage.UNIFORM : GPUBufferUsage.STORAGE) | GPUBufferUsage.COPY_DST;
        const buf = buffer(padded.length, usage, label);
        dev.queue.writeBuffer(buf, 0, padded);
        return { binding: i, resource: { buffer: buf } };
      });
      pass.setBindGroup(0, dev.createBindGroup({ label: `${pipeline.label} run ${r}`, layout: pipeline.getBindGroupLayout(0), entries }));
      const [x, y = 1, z = 1] = run.workgroups;
      pass.dispatchWorkgroups(x, y, z);
    });
    pass.end();
    for (const c of copies) encoder.copyBufferToBuffer(c.out, 0, c.read, 0, c.out.size);
    dev.queue.submit([encoder.finish()]);
    const err = await dev.popErrorScope();
    if (err) throw new Error(`${pipeline.label}: ${err.message}`);
    const results: ArrayBuffer[][] = runs.map(() => []);
    for (const c of copies) {
      await c.read.mapAsync(GPUMapMode.READ);
      results[c.run].push(c.read.getMappedRange().slice(0));
      c.read.unmap();
    }
    return results;
  } finally {
    for (const b of owned) b.destroy();
  }
}

function pad4(n: number): number {
  return Math.max(4, Math.ceil(n / 4) * 4);
}
