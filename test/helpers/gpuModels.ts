// Loading generated models onto the Node WebGPU device for tests.

import { openNodeGpu } from '../../scripts/node-webgpu.ts';
import { parseGguf } from '../../workers/engine/gguf/reader.ts';
import { bytesSource } from '../../workers/engine/gguf/sources.ts';
import type { GpuContext } from '../../workers/engine/gpu/device.ts';
import { GpuModel } from '../../workers/engine/gpu/model.ts';
import type { GpuModelOptions } from '../../workers/engine/gpu/model.ts';
import { weightsFromByteSource } from '../../workers/engine/model/weightSource.ts';

export async function loadGpuModel(bytes: Uint8Array, opts: GpuModelOptions = {}): Promise<GpuModel> {
  return loadGpuModelOn(await openNodeGpu(), bytes, opts);
}

export function loadGpuModelOn(gpu: GpuContext, bytes: Uint8Array, opts: GpuModelOptions = {}): Promise<GpuModel> {
  const file = parseGguf(bytes);
  // An f32 cache unless a test asks otherwise: on adapters with shader-f16 the default is f16.
  return GpuModel.load(gpu, weightsFromByteSource(file, bytesSource(bytes)), { maxTokens: 8, nCtx: 64, kvCache: 'f32', ...opts });
}

/** Greedy decoding of n tokens on the GPU path (argmax on the GPU, ids read back). */
export async function gpuGreedy(model: GpuModel, prompt: readonly number[], n: number): Promise<number[]> {
  const out: number[] = [];
  let next = (await model.forwardGreedy(prompt)).at(-1) ?? -1;
  for (;;) {
    out.push(next);
    if (out.length === n) return out;
    next = (await model.forwardGreedy([next]))[0];
  }
}
