// Speculative verification (Leviathan et al. 2023, Chen et al. 2023): draft token x_i, drawn
// by the drafter from q_i, is kept with probability min(1, p_i(x)/q_i(x)); the first rejected
// one is replaced by a draw from the normalised residual max(0, p_i − q_i); when every draft is
// kept, one more token comes from p_k. The tokens produced are distributed exactly as if each
// had been drawn from the target p, whatever the drafter proposes. Greedy decoding is the
// special case of one-hot p (keep while the draft equals the argmax, then take the argmax).

import type { Random } from './random.ts';
import { drawFrom } from './sampler.ts';
import type { TokenDist } from './sampler.ts';

export interface Verdict {
  /** Leading draft tokens kept. */
  readonly accepted: number;
  /** The token after them: the residual draw after a rejection, or a draw from p_k. */
  readonly next: number;
}

/**
 * `draft`: k proposed tokens; `q[i]`: the distribution draft[i] was drawn from (undefined for a
 * deterministic drafter, i.e. one-hot on draft[i]); `p`: the target's k + 1 distributions, p[i]
 * being the one after the first i draft tokens.
 */
export function verifyDraft(draft: readonly number[], q: readonly (TokenDist | undefined)[], p: readonly TokenDist[], random: Random): Verdict {
  if (p.length !== draft.length + 1) throw new RangeError(`${draft.length} draft tokens need ${draft.length + 1} target distributions, got ${p.length}`);
  for (let i = 0; i < draft.length; i++) {
    const x = draft[i];
    const qi = q[i];
    const px = probOf(p[i], x);
    const qx = qi ? probOf(qi, x) : 1;
    // u < p/q, written without the division (q(x) = 0 cannot be drawn; reject it).
    if (qx > 0 && random() * qx < px) continue;
    return { accepted: i, next: drawFrom(residual(p[i], qi ?? { ids: [x], probs: [1] }), random()) };
  }
  return { accepted: draft.length, next: drawFrom(p[draft.length], random()) };
}

/** Probability of `id` under `d` (0 when absent). */
export function probOf(d: TokenDist, id: number): number {
  const i = d.ids.indexOf(id);
  return i < 0 ? 0 : d.probs[i];
}

/** normalise(max(0, p − q)) over p's support (q's mass elsewhere never adds to it). */
export function residual(p: TokenDist, q: TokenDist): TokenDist {
  const probs = p.ids.map((id, i) => Math.max(0, p.probs[i] - probOf(q, id)));
  const sum = probs.reduce((a, b) => a + b, 0);
  // p ≤ q everywhere means p = q, where rejection has probability 0; rounding can still land
  // here, and then p itself is the right distribution.
  if (!(sum > 0)) return p;
  return { ids: p.ids, probs: probs.map((x) => x / sum) };
}
