// Next-token sampling over one row of logits, with llama.cpp's common sampler chain:
// repetition penalty → top-k → top-p → min-p → temperature → draw (`common/sampling.cpp`,
// `src/llama-sampler.cpp`). Pure functions of the logits plus a seeded PRNG; no model knowledge.

import { seededRandom, type Random } from './random.ts';

export interface SamplerParams {
  /** 0 (or less) = greedy: argmax of the penalised logits, ties to the lowest id. */
  readonly temperature: number;
  /** Keep the k most likely tokens; 0 (or less) disables. */
  readonly topK: number;
  /** Keep the smallest most-likely prefix whose probability reaches p; 1 disables. */
  readonly topP: number;
  /** Keep tokens with probability ≥ minP × the top probability; 0 disables. */
  readonly minP: number;
  /** Divide positive (multiply non-positive) logits of recent tokens by this; 1 disables. */
  readonly repetitionPenalty: number;
  /** How many of the last tokens the penalty looks at. Default 64; 0 disables; -1 = all. */
  readonly repetitionWindow?: number;
  /** PRNG seed, taken modulo 2³². */
  readonly seed: number;
}

/** Greedy decoding: every filter off, temperature 0. */
export const greedyParams: SamplerParams = { temperature: 0, topK: 0, topP: 1, minP: 0, repetitionPenalty: 1, seed: 0 };

/** llama.cpp's defaults (`common_params_sampling`), less the seed. */
export const defaultSamplerParams: Omit<SamplerParams, 'seed'> = {
  temperature: 0.8,
  topK: 40,
  topP: 0.95,
  minP: 0.05,
  repetitionPenalty: 1,
  repetitionWindow: 64,
};

/** `[token id, probability]`, most probable first. */
export type TokenProb = [number, number];

export interface SampleResult {
  readonly token: number;
  /** The most probable tokens under the softmax of the raw logits (before any sampler step). */
  readonly top: TokenProb[];
}

/** A probability distribution over a few token ids (the rest have probability 0). */
export interface TokenDist {
  readonly ids: number[];
  readonly probs: number[];
}

/** Candidate tokens, sorted by logit descending (ties: lower id first). */
export interface Candidates {
  readonly ids: number[];
  readonly logits: number[];
}

/** Holds the PRNG state; everything else is a pure function of its arguments. */
export class Sampler {
  private readonly random: Random;

  constructor(readonly params: SamplerParams) {
    this.random = seededRandom(params.seed);
  }

  /**
   * Picks the next token. `history` is the text so far (prompt and generated tokens, as llama-cli
   * feeds the penalty sampler); `nTop` how many top candidates to report.
   */
  sample(logits: Float32Array, history: readonly number[] = [], nTop = 5): SampleResult {
    const top = topProbabilities(logits, nTop);
    const d = samplingDistribution(logits, history, this.params);
    return { token: this.params.temperature <= 0 ? d.ids[0] : drawFrom(d, this.random()), top };
  }

  /** The next uniform draw of this sampler's PRNG (speculative acceptance shares the stream). */
  uniform(): number {
    return this.random();
  }
}

/**
 * The distribution `Sampler.sample` draws from: penalty, top-k, top-p, min-p, then softmax at
 * the temperature; temperature ≤ 0 gives all mass to the argmax of the penalised logits (every
 * filter keeps the top logit, so they cannot change it). Speculative verification uses this
 * very function, so accepted tokens follow exactly the plain sampler's distribution.
 */
export function samplingDistribution(logits: Float32Array, history: readonly number[], p: SamplerParams): TokenDist {
  const penalised = penalize(logits, history, p.repetitionPenalty, p.repetitionWindow);
  if (p.temperature <= 0) return { ids: [argmax(penalised)], probs: [1] };
  const c = minP(topP(topK(penalised, p.topK), p.topP), p.minP);
  return { ids: c.ids, probs: softmax(c.logits, p.temperature) };
}

/** Inverse-CDF draw from `d` with the uniform `u` ∈ [0, 1), in the order of `d.ids`. */
export function drawFrom(d: TokenDist, u: number): number {
  let cum = 0;
  for (let i = 0; i < d.probs.length; i++) {
    cum += d.probs[i];
    if (u < cum) return d.ids[i];
  }
  // Rounding can leave the sum a hair under 1: the last candidate with mass takes that sliver.
  for (let i = d.probs.length - 1; i >= 0; i--) if (d.probs[i] > 0) return d.ids[i];
  return d.ids[d.ids.length - 1];
}

/** Index of the largest logit; ties go to the lowest id. */
export function argmax(logits: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  return best;
}

/**
 * llama.cpp's repetition penalty over the last `window` tokens of `history` (each distinct token
 * once): positive logits are divided by `penalty`, the others multiplied, so the token always
 * becomes less likely. Returns a new array.
 */
export function penalize(logits: Float32Array, history: readonly number[], penalty: number, window = 64): Float32Array {
  const out = Float32Array.from(logits);
  if (penalty === 1 || window === 0) return out;
  const from = window < 0 ? 0 : Math.max(0, history.length - window);
  for (const id of new Set(history.slice(from))) {
    if (id < 0 || id >= out.length) continue;
    out[id] = out[id] <= 0 ? out[id] * penalty : out[id] / penalty;
  }
  return out;
}

/** The `k` ids with the largest values, largest first (ties: lower id first). */
export function topIds(values: ArrayLike<number>, k: number): number[] {
  const n = values.length;
  k = Math.min(Math.max(k, 0), n);
  const better = (a: number, b: number): boolean => values[a] > values[b] || (values[a] === values[b] && a < b);
  if (k * 8 >= n) {
    const all = Array.from({ length: n }, (_, i) => i);
    all.sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0));
    return all.slice(0, k);
  }
  // A sorted buffer of the best k so far: most ids lose to its last entry and cost one compare.
  const best: number[] = [];
  for (let i = 0; i < n; i++) {
    if (best.length === k && !better(i, best[k - 1])) continue;
    let at = best.length < k ? best.push(i) - 1 : k - 1;
    while (at > 0 && better(i, best[at - 1])) {
      best[at] = best[at - 1];
      at--;
    }
    best[at] = i;
  }
  return best;
}

/** Softmax of the raw logits, top `n` entries: what the model itself thinks, for reporting. */
export function topProbabilities(logits: Float32Array, n: number): TokenProb[] {
  if (n <= 0 || logits.length === 0) return [];
  const max = logits[argmax(logits)];
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i] - max);
  return topIds(logits, n).map((id) => [id, Math.exp(logits[id] - max) / sum]);
}

/** The k best candidates; k ≤ 0 keeps the whole vocabulary (still sorted). */
export function topK(logits: Float32Array, k: number): Candidates {
  const ids = topIds(logits, k > 0 ? k : logits.length);
  return { ids, logits: ids.map((id) => logits[id]) };
}

/** The shortest prefix whose probability (softmax over the candidates) reaches p. */
export function topP(c: Candidates, p: number): Candidates {
  if (p >= 1) return c;
  const probs = softmax(c.logits, 1);
  let cum = 0;
  let keep = c.ids.length;
  for (let i = 0; i < probs.length; i++) {
    cum += probs[i];
    if (cum >= p) {
      keep = i + 1;
      break;
    }
  }
  return slice(c, keep);
}

/** Candidates whose probability is at least p times the top one's: logit ≥ max + ln p. */
export function minP(c: Candidates, p: number): Candidates {
  if (p <= 0 || c.ids.length === 0) return c;
  const threshold = c.logits[0] + Math.log(p);
  let keep = 1;
  while (keep < c.logits.length && c.logits[keep] >= threshold) keep++;
  return slice(c, keep);
}

/** Softmax of `logits / temperature`, in f64. */
export function softmax(logits: readonly number[], temperature: number): number[] {
  let max = -Infinity;
  for (const l of logits) if (l > max) max = l;
  const e = logits.map((l) => Math.exp((l - max) / temperature));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / sum);
}

/** Samples from softmax(logits / temperature) with the uniform draw `u` ∈ [0, 1). */
export function draw(c: Candidates, temperature: number, u: number): number {
  const probs = softmax(c.logits, temperature);
  let cum = 0;
  for (let i = 0; i < probs.length; i++) {
    cum += probs[i];
    if (u < cum) return c.ids[i];
  }
  // Rounding can leave the sum a hair under 1: the last candidate takes that sliver.
  return c.ids[c.ids.length - 1];
}

function slice(c: Candidates, n: number): Candidates {
  return n >= c.ids.length ? c : { ids: c.ids.slice(0, n), logits: c.logits.slice(0, n) };
}
