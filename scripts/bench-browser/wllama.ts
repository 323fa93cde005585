// The peer of `npm run bench:browser`: llama.cpp compiled to WebAssembly (@wllama/wllama, a dev
// dependency of this benchmark only) on the same GGUF bytes in the same page. Decode and prefill
// speed are llama.cpp's own timings (llama-server's `timings`) of a greedy completion that ignores
// end-of-generation, median of `runs`. The page is cross-origin isolated, so the multi-threaded
// build runs with the threads asked for; `gpuLayers` 0 keeps it on the CPU (wllama would
// otherwise offload to llama.cpp's WebGPU backend, which this benchmark does not verify).

import { Wllama } from '@wllama/wllama';
import wasm from '@wllama/wllama/esm/wasm/wllama.wasm?url';
import { median } from '../bench/stats.ts';

export interface WllamaRun {
  readonly threads: number;
  readonly gpuLayers: number;
  readonly multiThread: boolean;
  readonly decodeTokPerS: number;
  readonly prefillTokPerS: number;
  readonly promptTokens: number;
  readonly decodeTokens: number;
}

const quiet = { debug: () => {}, log: () => {}, warn: () => {}, error: (...a: unknown[]) => console.error('[wllama]', ...a) };

export async function benchWllama(bytes: Uint8Array, o: { readonly tokens: number; readonly runs: number; readonly threads: number; readonly gpuLayers: number }): Promise<WllamaRun> {
  const w = new Wllama({ default: wasm }, { suppressNativeLog: true, logger: quiet });
  await w.loadModel([new Blob([bytes.slice().buffer])], { n_threads: o.threads, n_ctx: 512, n_gpu_layers: o.gpuLayers });
  try {
    const decode: number[] = [];
    const prefill: number[] = [];
    let promptTokens = 0;
    let decodeTokens = 0;
    // One untimed warm-up, then the runs.
    for (let r = 0; r <= o.runs; r++) {
      // Text, not Pakar's token ids (wllama 3.13's completion fails on a token-id prompt), with a
      // different first word each run so that llama.cpp's prompt cache reuses nothing.
      const prompt = `${['One', 'Two', 'Three', 'Four', 'Five', 'Six', 'Seven', 'Eight'][r % 8]}: the quick brown fox jumps over the lazy dog. The quick brown fox.`;
      const out = await w.createCompletion({ prompt, max_tokens: o.tokens, temperature: 0, ignore_eos: true });
      const t = out.timings;
      if (!t) throw new Error('wllama returned no timings');
      if (r === 0) continue;
      decode.push(t.predicted_per_second);
      prefill.push(t.prompt_per_second);
      promptTokens = t.prompt_n;
      decodeTokens = t.predicted_n;
    }
    return { threads: o.threads, gpuLayers: o.gpuLayers, multiThread: crossOriginIsolated, decodeTokPerS: median(decode), prefillTokPerS: median(prefill), promptTokens, decodeTokens };
  } finally {
    await w.exit();
  }
}
