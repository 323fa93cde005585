// llama.cpp on the CPU, on the same GGUF in the same run (node-llama-cpp 3.21.1, prebuilt
// binaries, 2 threads): prefill = evaluateWithoutGeneratingNewTokens(prompt); decode = the
// tokens/s of sequence.evaluate over `decodeTokens` greedy tokens (each yield is one
// single-token evaluation). One warm-up run, then the median of `runs`.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { median, round } from './stats.ts';

function nodeLlamaCppVersion(): string {
  const pkg: unknown = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../node_modules/node-llama-cpp/package.json'), 'utf8'));
  return typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

export interface LlamaCppResult {
  readonly version: string;
  readonly threads: number;
  readonly decodeTokPerS: number;
  readonly prefillTokPerS: number;
  readonly prefillTokens: number;
  readonly decodeTokens: number;
}

export async function benchLlamaCpp(modelPath: string, prompt: readonly number[], decodeTokens: number, runs: number, log: (m: string) => void): Promise<LlamaCppResult> {
  const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
  const threads = 2;
  const model = await llama.loadModel({ modelPath });
  try {
    const context = await model.createContext({ contextSize: Math.ceil((prompt.length + decodeTokens + 16) / 256) * 256, threads, batchSize: Math.max(32, prompt.length) });
    const sequence = context.getSequence();
    const tokens = [...prompt] as never[];
    const prefills: number[] = [];
    const decodes: number[] = [];
    for (let run = 0; run <= runs; run++) {
      await sequence.clearHistory();
      let t = performance.now();
      await sequence.evaluateWithoutGeneratingNewTokens(tokens);
      const prefill = (performance.now() - t) / 1000;
      let n = 0;
      t = performance.now();
      for await (const token of sequence.evaluate([tokens[tokens.length - 1]], { temperature: 0 })) {
        void token;
        if (++n >= decodeTokens) break;
      }
      const decode = (performance.now() - t) / 1000;
      if (run === 0) continue; // warm-up
      prefills.push(prompt.length / prefill);
      decodes.push(decodeTokens / decode);
      log(`  llama.cpp run ${run}/${runs}: prefill ${(prompt.length / prefill).toFixed(1)} tok/s, decode ${(decodeTokens / decode).toFixed(1)} tok/s`);
    }
    await context.dispose();
    return {
      version: `node-llama-cpp ${nodeLlamaCppVersion()} (prebuilt llama.cpp, CPU)`,
      threads,
      decodeTokPerS: round(median(decodes), 2),
      prefillTokPerS: round(median(prefills), 2),
      prefillTokens: prompt.length,
      decodeTokens,
    };
  } finally {
    await model.dispose();
  }
}
