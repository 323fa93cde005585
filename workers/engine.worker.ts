// The engine's Web Worker: the one place that touches Worker globals (navigator.gpu). Everything
// else lives in workers/engine/ and also runs in Node.

import { expose } from 'comlink';
import type { EngineApi, EngineErrorInfo, GpuProbe } from './engine/api.ts';
import { serveChannel } from './engine/channel.ts';
import { installEngineErrorTransfer } from './engine/errors.ts';
import { openGpu } from './engine/gpu/device.ts';
import type { GpuContext } from './engine/gpu/device.ts';
import type { GpuError } from './engine/gpu/errors.ts';
import { createEngineService } from './engine/service.ts';
import { ModelStore } from './engine/store/modelStore.ts';

// The slice of WebGPU this file reads. TypeScript's DOM lib has no WebGPU types yet.
interface GpuAdapterInfoLike {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  readonly isFallbackAdapter?: boolean;
}
interface GpuAdapterLike {
  readonly info?: GpuAdapterInfoLike;
  /** Deprecated in favour of `info.isFallbackAdapter`; older browsers have only this. */
  readonly isFallbackAdapter?: boolean;
  readonly features: ReadonlySet<string>;
  readonly limits: {
    readonly maxBufferSize: number;
    readonly maxStorageBufferBindingSize: number;
    readonly maxComputeWorkgroupStorageSize: number;
  };
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'low-power' | 'high-performance' }): Promise<GpuAdapterLike | null>;
}

let gpu: Promise<GpuContext> | undefined;
/** The pages watching the GPU (onGpuEvent). */
const gpuListeners = new Set<(e: EngineErrorInfo) => void>();
const notify = (e: GpuError): void => gpuListeners.forEach((l) => l({ code: e.code, message: e.message }));

/** The worker's GPU, opened on first use; opened again after a device loss. */
function workerGpu(): Promise<GpuContext> {
  const watch = {
    onLost: (e: GpuError) => {
      gpu = undefined;
      // The loaded model died with its device; the conversation lives in the page and is kept.
      void service.unloadModel().catch(() => undefined);
      notify(e);
    },
    onError: notify,
  };
  gpu ??= openGpu((self.navigator as Navigator & { gpu?: GPU }).gpu, watch).catch((e: unknown) => {
    gpu = undefined;
    throw e;
  });
  return gpu;
}

// Where downloads go: in test builds (PAKAR_TEST_HUB=1) `?hub=` on the worker URL (a local Hub
// double); else the mirror compiled in (PAKAR_HUB_URL), else the Hugging Face Hub.
const hubBaseUrl = (__PAKAR_HUB_PARAM__ && new URL(self.location.href).searchParams.get('hub')) || __PAKAR_HUB_URL__ || undefined;

const service = createEngineService({ gpu: workerGpu, store: new ModelStore({ hubBaseUrl }) });

const api: EngineApi = {
  ...service,
  // The streamed calls: events and result on the call's own channel (channel.ts).
  downloadModel: async (id, source, port) => serveChannel(port, (onEvent, signal) => service.downloadModel(id, source, { onEvent, signal })),
  importModel: async (id, file, port) => serveChannel(port, (onEvent, signal) => service.importModel(id, file, { onEvent, signal })),
  loadModel: async (id, options, port) => serveChannel(port, (onEvent, signal) => service.loadModel(id, options, { onEvent, signal })),
  loadFile: async (file, options, port) => serveChannel(port, (onEvent, signal) => service.loadFile(file, options, { onEvent, signal })),
  loadDraftModel: async (id, port) => serveChannel(port, (onEvent, signal) => service.loadDraftModel(id, { onEvent, signal })),
  generate: async (messages, params, port) => serveChannel(port, (onEvent, signal) => service.generate(messages, params, { onEvent, signal })),

  onGpuEvent(listener) {
    gpuListeners.add(listener);
  },

  async probeGpu(): Promise<GpuProbe> {
    const gpu = (self.navigator as Navigator & { gpu?: GpuLike }).gpu;
    if (!gpu) {
      return {
        available: false,
        reason: 'This browser has no WebGPU in workers (navigator.gpu is missing). Try a recent Chrome or Edge.',
      };
    }
    let adapter: GpuAdapterLike | null;
    try {
      adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    } catch (e) {
      return { available: false, reason: `Asking for a GPU adapter failed: ${e instanceof Error ? e.message : String(e)}` };
    }
    if (!adapter) {
      return {
        available: false,
        reason: 'WebGPU is present but offered no adapter: the GPU may be blocklisted or WebGPU disabled in the browser settings.',
      };
    }
    const info = adapter.info;
    return {
      available: true,
      vendor: info?.vendor ?? '',
      architecture: info?.architecture ?? '',
      device: info?.device ?? '',
      description: info?.description ?? '',
      isFallbackAdapter: info?.isFallbackAdapter ?? adapter.isFallbackAdapter,
      features: [...adapter.features].sort(),
      limits: {
        maxBufferSize: adapter.limits.maxBufferSize,
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
        maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize,
      },
    };
  },
};

installEngineErrorTransfer();
expose(api);
