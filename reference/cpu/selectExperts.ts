// DeepSeek-V3 expert selection (llama.cpp build_moe_ffn): choose on probs + exp_probs_b, and
// with groups keep only the `used` groups whose top-2 scores sum highest. The weights are
// taken from the unbiased probs by the caller.

export interface Selection {
  readonly experts: number[];
  /**
   * Smallest gap of a decision (last chosen vs first unchosen expert; last kept vs first dropped
   * group), in router-logit units: a probability moves at most 1/4 as fast as its logit under
   * sigmoid or softmax, a group score (two probabilities) at most 1/2 as fast.
   */
  readonly margin: number;
}

export function selectExperts(probs: readonly number[], k: number, bias: Float32Array | undefined, groups: { count: number; used: number } | undefined): Selection {
  const sel = probs.map((p, e) => p + (bias ? bias[e] : 0));
  let margin = Infinity;
  if (groups && groups.count > 1) {
    const size = sel.length / groups.count;
    const score = Array.from({ length: groups.count }, (_, g) => {
      const top = sel.slice(g * size, (g + 1) * size).sort((a, b) => b - a);
      return top[0] + (top[1] ?? 0);
    });
    const order = score.map((_, g) => g).sort((a, b) => score[b] - score[a] || a - b);
    if (groups.used < groups.count) margin = 2 * (score[order[groups.used - 1]] - score[order[groups.used]]);
    for (const g of order.slice(groups.used)) for (let e = g * size; e < (g + 1) * size; e++) sel[e] = -Infinity;
  }
  const order = sel.map((_, e) => e).sort((a, b) => sel[b] - sel[a] || a - b);
  if (order.length > k && sel[order[k]] !== -Infinity) margin = Math.min(margin, 4 * (sel[order[k - 1]] - sel[order[k]]));
  return { experts: order.slice(0, k), margin };
}
