// The CPU reference as the decode loop's model (decode/stepModel.ts): every pass computes all
// logits in f64-accumulated f32, and the top-k and argmax come from them. No GPU submits,
// readbacks or dispatches to count.

import { argmax, topIds } from '../../workers/engine/decode/sampler.ts';
import type { StepModel, TopCandidates } from '../../workers/engine/decode/stepModel.ts';

/** What the adapter needs of the CPU model (CpuModel, or a stand-in that fails on purpose). */
export interface CpuLogitsModel {
  readonly cfg: { readonly nVocab: number };
  readonly nPast: number;
  forward(tokens: readonly number[]): Float32Array[];
  truncate(n: number): void;
}

const NO_GPU = { submits: 0, readbackBytes: 0, dispatches: 0 } as const;

export function cpuStepModel(model: CpuLogitsModel, nCtx: number): StepModel {
  const forward = async (tokens: readonly number[]): Promise<Float32Array[]> => {
    const logits = model.forward(tokens);
    // The CPU model computes synchronously: let timers and messages (an abort) run in between.
    await nextTask();
    return logits;
  };
  return {
    cfg: model.cfg,
    get nPast() {
      return model.nPast;
    },
    nCtx,
    maxBatch: Number.MAX_SAFE_INTEGER,
    maxTopK: model.cfg.nVocab,
    lastStep: NO_GPU,
    truncate: (n) => model.truncate(n),
    forwardLogits: forward,
    forwardGreedyLast: async (tokens) => argmax((await forward(tokens)).at(-1) ?? []),
    forwardTop: async (tokens, k): Promise<TopCandidates> => {
      const logits = (await forward(tokens)).at(-1) ?? new Float32Array(0);
      const ids = topIds(logits, k);
      const max = logits[argmax(logits)];
      let sum = 0;
      for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i] - max);
      return { ids, logits: ids.map((id) => logits[id]), logZ: max + Math.log(sum) };
    },
  };
}

/** Resolves in a later task (not a microtask), so pending events get their turn. */
function nextTask(): Promise<void> {
  // Node's setImmediate (not in a worker's globals, so looked up rather than named).
  const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;
  if (immediate) return new Promise((resolve) => immediate(resolve));
  // Browsers clamp nested setTimeout(0) to 4 ms; a message round trip is not clamped.
  const { port1, port2 } = new MessageChannel();
  return new Promise((resolve) => {
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
  });
}
