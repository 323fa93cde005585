// What the decode loop needs from a model: forward passes that read back as little as the
// request allows, a KV cache it can roll back, and the per-step counters it reports. The WebGPU
// model (gpu/model.ts) is one; the CPU reference is another (cpu/stepModel.ts).

export interface TopCandidates {
  readonly ids: number[];
  readonly logits: number[];
  /** log Σ exp(logits) over the whole vocabulary. */
  readonly logZ: number;
}

export interface StepModel {
  readonly cfg: { readonly nVocab: number };
  /** Positions in the KV cache. */
  readonly nPast: number;
  /** Positions the KV cache holds in all. */
  readonly nCtx: number;
  /** Most tokens one forward pass takes. */
  readonly maxBatch: number;
  /** Keeps the first n positions of the KV cache. */
  truncate(n: number): void;
  /** Runs `tokens` (appending them to the KV cache); the argmax after the last. */
  forwardGreedyLast(tokens: readonly number[]): Promise<number>;
  /** Most candidates one forwardTop returns. */
  readonly maxTopK: number;
  /** Runs `tokens`; the k ≤ maxTopK best candidates after the last (logit descending, ties to the lower id). */
  forwardTop(tokens: readonly number[], k: number): Promise<TopCandidates>;
  /** Runs `tokens`; every logit after each of them. */
  forwardLogits(tokens: readonly number[]): Promise<Float32Array[]>;
  /** What the last pass cost: queue submits, bytes read back, compute dispatches. */
  readonly lastStep: { readonly submits: number; readonly readbackBytes: number; readonly dispatches: number };
  /** The last pass's routing, [layer][token][slot] expert ids, when it was recorded. */
  readonly lastRouting?: number[][][] | undefined;
}
