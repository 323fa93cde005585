// The routers' shared first half (router.wgsl, router_v3.wgsl): RMSNorm of token t's residual
// (ffn_norm folded in) into XN for the experts, every expert's router logit into `logits[li]`
// (the item's lane 0 holds them; li = item_slot(lid), reduce.wgsl's ITEMS), and the logits turned
// into probabilities in place. Needs the kernel's bindings W (ffn_gate_inp), X (residual), N
// (ffn_norm), XN, its Params p (n_embd, n_expert, row_bytes, eps), deq32 and reduce.wgsl.

// Qwen3-Next and Qwen3.5-397B route over 512.
const MAX_EXPERTS: u32 = 512u;

var<workgroup> logits: array<array<f32, MAX_EXPERTS>, ITEMS>;

fn norm_and_logits(t: u32, lid: u32) {
  let xo = t * p.n_embd;
  let lane = item_lane(lid);
  let li = item_slot(lid);
  var ss = 0.0;
  for (var c = lane; c < p.n_embd; c += item_stride()) { let x = X[xo + c]; ss += x * x; }
  let inv = 1.0 / sqrt(item_sum(lid, ss) / f32(p.n_embd) + p.eps);
  for (var c = lane; c < p.n_embd; c += item_stride()) { XN[xo + c] = X[xo + c] * inv * N[c]; }
  storageBarrier();

  var w: array<f32, 32>;
  for (var e = 0u; e < p.n_expert; e++) {
    var acc = 0.0;
    for (var u = lane; u < p.n_embd / 32u; u += item_stride()) {
      deq32(e * p.row_bytes, u, &w);
      var s = 0.0;
      for (var i = 0u; i < 32u; i++) { s += w[i] * XN[xo + u * 32u + i]; }
      acc += s;
    }
    let l = item_sum(lid, acc);
    if (lane == 0u) { logits[li][e] = l; }
  }
}

/** On the item's lane 0, after norm_and_logits: sigmoid of each of logits[li], or softmax over all of them. */
fn logits_to_probs(li: u32, sigmoid: bool) {
  if (sigmoid) {
    for (var e = 0u; e < p.n_expert; e++) { logits[li][e] = 1.0 / (1.0 + exp(-logits[li][e])); }
    return;
  }
  var m = -3.4e38;
  for (var e = 0u; e < p.n_expert; e++) { m = max(m, logits[li][e]); }
  var z = 0.0;
  for (var e = 0u; e < p.n_expert; e++) { logits[li][e] = exp(logits[li][e] - m); z += logits[li][e]; }
  for (var e = 0u; e < p.n_expert; e++) { logits[li][e] = logits[li][e] / z; }
}
