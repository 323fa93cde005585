// The browser half of `npm run bench:browser`: the engine's own WebGPU benchmark (bench/webgpu.ts)
// and the adapter's bandwidth probe, run in the page on the models its query names; the result
// goes to `window.pakarBench` for the Playwright driver (scripts/bench-browser.ts) to read.

import { measureBandwidth } from '../bench/bandwidth.ts';
import { round } from '../bench/stats.ts';
import { benchWebGpu } from '../bench/webgpu.ts';
import { activeBytesPerToken } from '../bench/activeBytes.ts';
import { openGpu } from '../../workers/engine/gpu/device.ts';
import { parseGguf } from '../../workers/engine/gguf/reader.ts';
import { bytesSource } from '../../workers/engine/gguf/sources.ts';
import { archOf } from '../../workers/engine/model/archs/index.ts';
import { weightsFromByteSource } from '../../workers/engine/model/weightSource.ts';
import { benchWllama } from './wllama.ts';

declare global {
  interface Window {
    pakarBench?: { ok: true; result: unknown } | { ok: false; error: string };
  }
}

const q = new URLSearchParams(location.search);
const int = (k: string, d: number): number => Number(q.get(k) ?? d);
const log = (m: string): void => {
  console.log(`[bench] ${m}`);
  document.getElementById('log')?.append(`${m}\n`);
};

async function run(): Promise<unknown> {
  const gpu = await openGpu(navigator.gpu);
  const { vendor, architecture, description } = gpu.adapterInfo;
  log(`adapter: ${vendor} ${architecture} (${description})`);
  const bandwidth = await measureBandwidth(gpu.device, int('mib', 64), 5, log);
  const models = [];
  for (const name of (q.get('models') ?? '').split(',').filter(Boolean)) {
    const bytes = new Uint8Array(await (await fetch(`/models/${name}.gguf`)).arrayBuffer());
    const file = parseGguf(bytes);
    const cfg = archOf(file).config(file);
    const active = activeBytesPerToken(file, cfg);
    const prompt = Array.from({ length: int('prompt', 16) }, (_, i) => (i * 7919 + 13) % (cfg.nVocab - 1));
    log(`${name}: ${(bytes.length / 1e6).toFixed(1)} MB, ${(active.total / 1e6).toFixed(1)} MB active/token`);
    const webgpu = await benchWebGpu(
      gpu,
      weightsFromByteSource(file, bytesSource(bytes)),
      { prompt, timePrefill: prompt.length > 0, decodeTokens: int('tokens', 8), runs: int('runs', 2), profile: q.has('profile') },
      log,
    );
    // The peer on the same bytes: llama.cpp in WebAssembly on the CPU, 2 threads.
    const peer = q.has('wllama')
      ? await benchWllama(bytes, { tokens: int('tokens', 8), runs: int('runs', 2), threads: 2, gpuLayers: 0 }).catch((e: unknown) => ({
          error: e instanceof Error ? e.message : String(e),
        }))
      : undefined;
    if (peer) log(`${name}: wllama ${'decodeTokPerS' in peer ? `${peer.decodeTokPerS.toFixed(1)} tok/s decode` : `failed: ${peer.error}`}`);
    models.push({
      name,
      arch: cfg.arch,
      layers: cfg.nLayer,
      activeWeightBytesPerToken: active,
      webgpu: { ...webgpu, rooflineFraction: round((active.total * webgpu.decodeTokPerS) / (bandwidth.GBps * 1e9), 5) },
      ...(peer
        ? {
            wllama: peer,
            // Same page, same bytes: Pakar's WebGPU decode ÷ llama.cpp's in WebAssembly.
            pakarOverWllama: 'decodeTokPerS' in peer ? round(webgpu.decodeTokPerS / peer.decodeTokPerS, 4) : undefined,
          }
        : {}),
    });
  }
  return { adapter: gpu.adapterInfo, userAgent: navigator.userAgent, bandwidth, models };
}

run().then(
  (result) => (window.pakarBench = { ok: true, result }),
  (e: unknown) => (window.pakarBench = { ok: false, error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e) }),
);
