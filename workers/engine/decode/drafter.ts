// Drafters propose the next few tokens cheaply; one batched forward pass then verifies them
// (speculative decoding). Output is unchanged whatever a drafter proposes: a wrong draft only
// costs the verification of tokens that are then dropped. Drafters: n-gram prompt lookup
// (here), self-drafting with fewer experts and a separate draft model (modelDrafter.ts), and the
// model's own multi-token-prediction block (mtpDrafter.ts).

import type { Random } from './random.ts';
import type { Candidates, TokenDist } from './sampler.ts';

/** How the target samples, so that a sampling drafter can draw from a comparable q. */
export interface DraftSampling {
  /** The target sampler's distribution over `c` (the rest of the vocabulary at −∞) after `history`. */
  distribution(c: Candidates, history: readonly number[]): TokenDist;
  /** The drafter's own uniform draws (independent of the acceptance draws). */
  readonly random: Random;
  /** Candidates a model-based drafter reads back per position; `all` = every logit. */
  readonly candidates: number | 'all';
}

export interface DraftRequest {
  /** Every token so far; the last one is not yet in the target's KV cache. */
  readonly history: readonly number[];
  /** Most tokens to propose. */
  readonly k: number;
  /** Absent for greedy decoding. */
  readonly sampling?: DraftSampling;
}

export interface Draft {
  readonly tokens: number[];
  /** The distribution each token was drawn from; absent (or an undefined entry) = deterministic. */
  readonly q?: readonly (TokenDist | undefined)[];
  /**
   * What acceptance is tracked under (default: the drafter's name): a drafter whose proposals
   * differ in kind keeps them apart (n-gram lookup: the length of the match behind them).
   */
  readonly evidence?: string;
}

export interface Drafter {
  readonly name: string;
  /** Up to `k` tokens that may follow `history`; none when there is nothing worth trying. */
  draft(req: DraftRequest): Draft | Promise<Draft>;
  /** Measured milliseconds per proposed token (0 for free drafters such as n-gram lookup); undefined until measured. */
  readonly msPerToken: number | undefined;
  /** Acceptance the planner assumes before measuring any (default 0.5): a head trained to draft starts higher. */
  readonly priorAcceptance?: number;
}

/** Weight of a new timing in the running mean of ms per drafted token. */
const COST_EMA = 0.2;

/** The running mean of ms per drafted token after a draft that took `ms` per token. */
export function runningCost(mean: number | undefined, ms: number): number {
  return mean === undefined ? ms : mean + COST_EMA * (ms - mean);
}

/**
 * Prompt lookup: find the latest earlier occurrence of the last n tokens (n = maxNgram down to
 * minNgram) and propose what followed it. Free, and strong when answers quote or edit the input.
 */
export class NgramDrafter implements Drafter {
  readonly name = 'ngram';
  readonly msPerToken = 0;

  constructor(
    private readonly maxNgram = 3,
    private readonly minNgram = 1,
  ) {}

  draft({ history, k }: DraftRequest): Draft {
    const { tokens, n } = this.match(history, k);
    // A copy in progress matches the longest n-gram and is mostly right; a single-token match in
    // free text mostly is not: their acceptance is learnt apart.
    return { tokens, evidence: `${this.name}:${n}` };
  }

  lookup(history: readonly number[], k: number): number[] {
    return this.match(history, k).tokens;
  }

  /** The proposal and the length of the n-gram it follows (0: none). */
  private match(history: readonly number[], k: number): { tokens: number[]; n: number } {
    const len = history.length;
    for (let n = Math.min(this.maxNgram, len - 1); n >= this.minNgram; n--) {
      // Latest match first: recent context predicts best.
      for (let start = len - n - 1; start >= 0; start--) {
        let match = true;
        for (let j = 0; j < n; j++) {
          if (history[start + j] !== history[len - n + j]) {
            match = false;
            break;
          }
        }
        if (match) return { tokens: history.slice(start + n, Math.min(len, start + n + k)), n };
      }
    }
    return { tokens: [], n: 0 };
  }
}
