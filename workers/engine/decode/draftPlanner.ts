// Chooses the draft length k (and, in `auto`, the drafter) that maximises expected tokens per
// second. MoE makes verification cost grow with k: each extra token may route to other experts,
// so the cost of a pass of T tokens is measured on the device (calibration at first use, then
// a running mean of every pass), not assumed flat. Acceptance is tracked per drafter.
//
// Model: drafts are accepted independently with probability α, so a step with k drafts yields
// E(k) = (1 − α^(k+1)) / (1 − α) tokens and costs verify(k+1) + k·draft; plain decoding yields
// 1 token per verify(1). k = 0 unless a draft is expected to beat plain decoding by 10%. While
// k = 0, a one-token probe now and then keeps α current, spaced so probes cost under 2% of plain
// decoding; a drafter never timed yet is probed at once.

/** Prior acceptance: α₀ with this many pseudo-observations. */
const PRIOR_ALPHA = 0.5;
const PRIOR_WEIGHT = 2;
/** Older acceptance evidence fades by this factor per step. */
const DECAY = 0.97;
/** Weight of a new timing in the running mean of a pass's cost. */
const COST_EMA = 0.1;
/** Most of plain decoding's time that probing may cost. */
const PROBE_BUDGET = 0.02;
/**
 * The expected speedup a draft must promise before it is tried: pass costs are measured on a
 * busy device and acceptance is a model, so a draft predicted to break even can well be slower.
 */
const MIN_GAIN = 1.1;

export interface DraftChoice {
  /** Drafter name; undefined = plain decoding this step. */
  readonly drafter: string | undefined;
  readonly k: number;
  /** Expected tokens per second relative to plain decoding (1 = same). */
  readonly expectedSpeedup: number;
}

export interface DrafterCost {
  /** The drafter, or the evidence key of a proposal already made. */
  readonly name: string;
  /** undefined until measured: assumed to cost a one-token pass of the model. */
  readonly msPerToken: number | undefined;
  /** Most tokens it can give (a proposal already made); default: any k. */
  readonly maxK?: number;
  /** Acceptance assumed before any is measured (default PRIOR_ALPHA). */
  readonly priorAcceptance?: number;
}

export class DraftPlanner {
  /** ms of a forward pass of T tokens, index T. */
  private readonly passMs: number[] = [];
  private readonly evidence = new Map<string, { accepted: number; rejected: number }>();
  private stepsSinceDraft = 0;

  /** Whether pass costs up to `tokens` tokens are known. */
  calibrated(tokens: number): boolean {
    for (let t = 1; t <= tokens; t++) if (!(this.passMs[t] > 0)) return false;
    return true;
  }

  /** Records the time of one forward pass of `tokens` tokens. */
  observePass(tokens: number, ms: number): void {
    const old = this.passMs[tokens];
    this.passMs[tokens] = old > 0 ? old + COST_EMA * (ms - old) : ms;
  }

  /** Records a verification: `accepted` of `drafted` tokens kept. */
  observeDraft(drafter: string, drafted: number, accepted: number): void {
    if (drafted <= 0) return;
    const e = this.evidence.get(drafter) ?? { accepted: 0, rejected: 0 };
    e.accepted = e.accepted * DECAY + accepted;
    e.rejected = e.rejected * DECAY + (accepted < drafted ? 1 : 0);
    this.evidence.set(drafter, e);
  }

  /** Drops what was learnt about a drafter (it now drafts differently). */
  forget(drafter: string): void {
    this.evidence.delete(drafter);
  }

  /** Estimated probability that a draft token of `drafter` is accepted (`prior` until evidence outweighs it). */
  acceptance(drafter: string, prior = PRIOR_ALPHA): number {
    const e = this.evidence.get(drafter) ?? { accepted: 0, rejected: 0 };
    return (e.accepted + prior * PRIOR_WEIGHT) / (e.accepted + e.rejected + PRIOR_WEIGHT);
  }

  /** Measured cost of a pass of T tokens (linear extrapolation past the measured range). */
  passCost(tokens: number): number {
    if (this.passMs[tokens] > 0) return this.passMs[tokens];
    const known = this.passMs.flatMap((ms, t) => (ms > 0 ? [[t, ms] as const] : []));
    if (known.length === 0) return 1;
    // Nearest measured length, scaled in proportion (a pass costs at least as much as a shorter one).
    const [t, ms] = known.reduce((a, b) => (Math.abs(b[0] - tokens) < Math.abs(a[0] - tokens) ? b : a));
    return tokens >= t ? ms * (tokens / t) : ms * Math.max(tokens / t, 0.5);
  }

  private draftMs(d: DrafterCost): number {
    return d.msPerToken ?? this.passCost(1);
  }

  /** Expected tokens per step and relative speed of k drafts from a drafter. */
  expected(drafter: DrafterCost, k: number): { tokens: number; speedup: number } {
    const a = Math.min(this.acceptance(drafter.name, drafter.priorAcceptance), 0.999);
    const tokens = (1 - a ** (k + 1)) / (1 - a);
    const ms = this.passCost(k + 1) + k * this.draftMs(drafter);
    return { tokens, speedup: (tokens / ms) * this.passCost(1) };
  }

  /** The best (drafter, k ≤ kMax) for the next step, or plain decoding. */
  choose(drafters: readonly DrafterCost[], kMax: number): DraftChoice {
    let best: DraftChoice = { drafter: undefined, k: 0, expectedSpeedup: 1 };
    for (const d of drafters) {
      for (let k = 1; k <= Math.min(kMax, d.maxK ?? kMax); k++) {
        const { speedup } = this.expected(d, k);
        if (speedup > best.expectedSpeedup && speedup >= MIN_GAIN) best = { drafter: d.name, k, expectedSpeedup: speedup };
      }
    }
    if (best.drafter !== undefined || drafters.length === 0 || kMax === 0) {
      this.stepsSinceDraft = 0;
      return best;
    }
    // A drafter never timed is probed at once: its cost is unknown, not high (a trained MTP head
    // costs one layer), and one probe settles it.
    const untimed = drafters.find((d) => d.msPerToken === undefined);
    if (untimed) {
      this.stepsSinceDraft = 0;
      return { drafter: untimed.name, k: 1, expectedSpeedup: this.expected(untimed, 1).speedup };
    }
    // Otherwise probe the cheapest drafter with one token when the budget allows it.
    const probe = drafters.reduce((a, b) => (this.draftMs(b) < this.draftMs(a) ? b : a));
    const extra = this.passCost(2) + this.draftMs(probe) - this.passCost(1);
    const every = Math.ceil(Math.max(0, extra) / (PROBE_BUDGET * this.passCost(1)));
    if (++this.stepsSinceDraft >= every) {
      this.stepsSinceDraft = 0;
      return { drafter: probe.name, k: 1, expectedSpeedup: this.expected(probe, 1).speedup };
    }
    return best;
  }
}
