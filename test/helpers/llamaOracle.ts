// llama.cpp (node-llama-cpp 3.21.1, CPU) as the oracle for whole-model tests.
// F32 KV cache (unless asked for F16) and no flash attention, so that only the weights'
// quantization separates it from an exact engine.

import type { Llama } from 'node-llama-cpp';

let llamaPromise: Promise<Llama> | undefined;

async function llama(): Promise<Llama> {
  llamaPromise ??= import('node-llama-cpp').then(({ getLlama, LlamaLogLevel }) => getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error }));
  return llamaPromise;
}

export interface OracleStep {
  readonly token: number;
  /** The probabilities llama.cpp reports for this step (its top candidates). */
  readonly probs: ReadonlyMap<number, number>;
}

/** Greedy decoding of `n` tokens after `prompt`, with each step's probabilities. */
export async function llamaGreedy(modelPath: string, prompt: readonly number[], n: number, kvCache: 'F32' | 'F16' = 'F32'): Promise<OracleStep[]> {
  const l = await llama();
  const model = await l.loadModel({ modelPath });
  try {
    const context = await model.createContext({
      contextSize: Math.max(64, prompt.length + n + 8),
      threads: 2,
      flashAttention: false,
      experimentalKvCacheKeyType: kvCache,
      experimentalKvCacheValueType: kvCache,
    });
    const steps: OracleStep[] = [];
    const sequence = context.getSequence();
    for await (const r of sequence.evaluateWithMetadata([...prompt] as never[], { probabilities: true }, { temperature: 0 })) {
      steps.push({ token: r.token as number, probs: r.probabilities as ReadonlyMap<number, number> });
      if (steps.length >= n) break;
    }
    await context.dispose();
    return steps;
  } finally {
    await model.dispose();
  }
}

/** llama.cpp's tokenization of `text` (vocabulary only). */
export async function llamaTokenize(modelPath: string, text: string, special: boolean): Promise<number[]> {
  const l = await llama();
  const model = await l.loadModel({ modelPath, vocabOnly: true });
  try {
    return (model.tokenize(text, special) as number[]).slice();
  } finally {
    await model.dispose();
  }
}
