// The adapter and device: the adapter's own limits requested explicitly (defaults are far
// lower), optional features used when present and never required, and the one place that
// watches for device loss and uncaptured errors.

import { GpuError } from './errors.ts';

export interface GpuContext {
  readonly device: GPUDevice;
  readonly limits: GPUSupportedLimits;
  readonly hasF16: boolean;
  readonly hasSubgroups: boolean;
  /** `timestamp-query`: per-kernel GPU times for the profiler. */
  readonly hasTimestamps: boolean;
  readonly adapterInfo: { vendor: string; architecture: string; description: string };
  /**
   * Lanes that share one weight row in the projection kernels: 8 on GPUs (coalesced reads), 1 on
   * CPU adapters such as SwiftShader, where workgroup barriers cost more than the arithmetic.
   */
  readonly rowLanes: number;
  /** Set once the device is lost; every later use fails with it. */
  lostError: GpuError | undefined;
  /**
   * A validation or out-of-memory error that no error scope caught (raised asynchronously by
   * earlier work): the next forward pass fails with it instead of returning wrong numbers.
   */
  uncapturedError: GpuError | undefined;
}

/** What the device reports by itself: its loss, and errors no error scope caught. */
export interface GpuWatch {
  readonly onLost?: (e: GpuError) => void;
  readonly onError?: (e: GpuError) => void;
}

const wantedLimits = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
] as const;

export async function openGpu(gpu: GPU | undefined, watch: GpuWatch = {}): Promise<GpuContext> {
  if (!gpu) throw new GpuError('no_webgpu', 'WebGPU is not available in this browser. Pakar needs a browser with WebGPU (Chrome or Edge 113+, Safari 26+).');
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new GpuError('no_adapter', 'WebGPU is present but no GPU adapter was found. Check that hardware acceleration is on.');
  const requiredLimits: Record<string, number> = {};
  for (const k of wantedLimits) requiredLimits[k] = adapter.limits[k];
  const features: GPUFeatureName[] = [];
  if (adapter.features.has('shader-f16')) features.push('shader-f16');
  if (adapter.features.has('subgroups')) features.push('subgroups');
  if (adapter.features.has('timestamp-query')) features.push('timestamp-query');
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures: features, label: 'pakar' });
  const ctx: GpuContext = {
    device,
    limits: device.limits,
    hasF16: features.includes('shader-f16'),
    hasSubgroups: features.includes('subgroups'),
    hasTimestamps: features.includes('timestamp-query'),
    adapterInfo: { vendor: adapter.info.vendor, architecture: adapter.info.architecture, description: adapter.info.description },
    rowLanes: adapter.info.architecture === 'swiftshader' || adapter.info.isFallbackAdapter ? 1 : 8,
    lostError: undefined,
    uncapturedError: undefined,
  };
  void device.lost.then((info) => {
    ctx.lostError = new GpuError('device_lost', `the GPU device was lost (${info.reason}: ${info.message}). Load the model again.`);
    watch.onLost?.(ctx.lostError);
  });
  device.addEventListener('uncapturederror', (event) => {
    const { error } = event as GPUUncapturedErrorEvent;
    const oom = typeof GPUOutOfMemoryError !== 'undefined' && error instanceof GPUOutOfMemoryError;
    const e = oom ? new GpuError('out_of_memory', `the GPU ran out of memory: ${error.message}`) : new GpuError('validation', `WebGPU error: ${error.message}`);
    ctx.uncapturedError ??= e;
    watch.onError?.(e);
  });
  return ctx;
}

/** Runs `fn` and turns WebGPU validation and out-of-memory errors it raised into GpuErrors. */
export async function withErrorScopes<T>(device: GPUDevice, fn: () => T): Promise<T> {
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  const result = fn();
  const validation = await device.popErrorScope();
  const oom = await device.popErrorScope();
  if (oom) throw new GpuError('out_of_memory', `the GPU ran out of memory: ${oom.message}`);
  if (validation) throw new GpuError('validation', `WebGPU validation error: ${validation.message}`);
  return result;
}

export type GpuProbe =
  | {
      available: true;
      vendor: string;
      architecture: string;
      device: string;
      description: string;
      /** A software or otherwise reduced adapter, when the browser says so. */
      isFallbackAdapter: boolean | undefined;
      features: string[];
      /** The limits the engine plans with, in bytes. */
      limits: {
        maxBufferSize: number;
        maxStorageBufferBindingSize: number;
        maxComputeWorkgroupStorageSize: number;
      };
    }
  | {
      available: false;
      /** Why not, in words a person can act on. */
      reason: string;
    };
