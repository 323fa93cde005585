// WebGPU in Node through Dawn (the `webgpu` package), for the CLI, tests and benchmarks. On a
// machine without a GPU, Dawn runs on Chromium's SwiftShader (a software Vulkan driver).

import { create, globals } from 'webgpu';
import { openGpu } from '../workers/engine/gpu/device.ts';
import type { GpuContext } from '../workers/engine/gpu/device.ts';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

let context: Promise<GpuContext> | undefined;
/** Dawn tears down its instance, under every device made from it, when this is collected. */
let instance: GPU | undefined;

/** Dawn's GPU object (navigator.gpu in a browser), created once per process. */
export function nodeGpuInstance(): GPU {
  if (!instance) {
    // Read by the Vulkan loader when Dawn first enumerates adapters.
    process.env.VK_ICD_FILENAMES ??= SWIFTSHADER_ICD;
    Object.assign(globalThis, globals);
    instance = create([]);
  }
  return instance;
}

/** The process's GPU, opened on first use like the app opens it in the worker. */
export function openNodeGpu(): Promise<GpuContext> {
  context ??= openGpu(nodeGpuInstance()).catch((e: unknown) => {
    context = undefined;
    throw e;
  });
  return context;
}
