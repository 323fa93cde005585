// Loading a GGUF for the CLI: the whole file (every part of a split one) in memory (fine for the CPU reference and for
// uploading to the GPU), and the WebGPU model on Dawn.

import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { GgufError } from '../../workers/engine/gguf/errors.ts';
import { parseGguf } from '../../workers/engine/gguf/reader.ts';
import { joinSplitParts, splitPartNames } from '../../workers/engine/gguf/split.ts';
import type { GgufFile } from '../../workers/engine/gguf/types.ts';
import { bytesSource, concatBytes } from '../../workers/engine/gguf/sources.ts';
import type { GpuContext } from '../../workers/engine/gpu/device.ts';
import { GpuError } from '../../workers/engine/gpu/errors.ts';
import { GpuModel } from '../../workers/engine/gpu/model.ts';
import type { GpuModelOptions } from '../../workers/engine/gpu/model.ts';
import type { KvCacheType } from '../../workers/engine/model/config.ts';
import { weightsFromByteSource } from '../../workers/engine/model/weightSource.ts';
import { openNodeGpu } from '../node-webgpu.ts';

function readModelFile(path: string): Uint8Array {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new GgufError('read_failed', `cannot read the model file ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * A model file in memory with its parsed header. Any part of a split model
 * (`…-00002-of-00003.gguf`) opens the whole model: its sibling parts are read too and laid end
 * to end, as the store does.
 */
export function openModelFile(path: string): { file: GgufFile; bytes: Uint8Array } {
  const names = splitPartNames(basename(path));
  if (!names) return ((bytes) => ({ file: parseGguf(bytes), bytes }))(readModelFile(path));
  const parts = names.map((n) => readModelFile(join(dirname(path), n)));
  return { file: joinSplitParts(parts.map((p) => ({ file: parseGguf(p), size: p.length }))), bytes: concatBytes(parts) };
}

/** Dawn's GPU, with a message for the command line when there is none. */
export async function openCliGpu(): Promise<GpuContext> {
  try {
    return await openNodeGpu();
  } catch (e) {
    if (e instanceof GpuError && e.code === 'no_adapter') {
      throw new GpuError(
        'no_adapter',
        `Dawn found no WebGPU adapter (VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES ?? 'unset'}). Install a Vulkan driver (without a GPU: libvulkan1 and Chromium's SwiftShader), or run with --backend cpu.`,
      );
    }
    throw e;
  }
}

/** Uploads `file`'s weights (read from `bytes`) to the GPU. */
export async function loadGpuModel(
  file: GgufFile,
  bytes: Uint8Array,
  nCtx: number | undefined,
  kvCache: KvCacheType | undefined,
  experts: Pick<GpuModelOptions, 'expertCacheBytes' | 'expertPolicy'> = {},
): Promise<GpuModel> {
  const gpu = await openCliGpu();
  return GpuModel.load(gpu, weightsFromByteSource(file, bytesSource(bytes)), { nCtx, kvCache, ...experts });
}
