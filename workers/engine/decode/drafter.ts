// Drafters propose the next few tokens cheaply; one batched forward pass then verifies them
// (speculative decoding). Output is unchanged whatever a drafter proposes: a wrong draft only
// costs the verification of tokens that are then dropped.

export interface Drafter {
  readonly name: string;
  /** Up to `k` tokens that may follow `history`; [] when there is nothing worth trying. */
  draft(history: readonly number[], k: number): number[];
}

/**
 * Prompt lookup: find the latest earlier occurrence of the last n tokens (n = maxNgram down to
 * minNgram) and propose what followed it. Free, and strong when answers quote or edit the input.
 */
export class NgramDrafter implements Drafter {
  readonly name = 'ngram';

  constructor(
    private readonly maxNgram = 3,
    private readonly minNgram = 1,
  ) {}

  draft(history: readonly number[], k: number): number[] {
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
        if (match) return history.slice(start + n, Math.min(len, start + n + k));
      }
    }
    return [];
  }
}
