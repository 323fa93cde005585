// The routers' shared first half (router.wgsl, router_v3.wgsl): RMSNorm of token t's residual
// (ffn_norm folded in) into XN for the experts, every expert's router logit into `logits`
// (lid 0 holds them), and the logits turned into probabilities in place. Needs the kernel's
// bindings W (ffn_gate_inp), X (residual), N (ffn_norm), XN, its Params p (n_embd, n_expert,
// row_bytes, eps), deq32 and reduce_sum.

const MAX_EXPERTS: u32 = 256u;

var<workgroup> logits: array<f32, MAX_EXPERTS>;

fn norm_and_logits(t: u32, lid: u32) {
  let xo = t * p.n_embd;
  var ss = 0.0;
  for (var c = lid; c < p.n_embd; c += WG) { let x = X[xo + c]; ss += x * x; }
  let inv = 1.0 / sqrt(reduce_sum(lid, ss) / f32(p.n_embd) + p.eps);
  for (var c = lid; c < p.n_embd; c += WG) { XN[xo + c] = X[xo + c] * inv * N[c]; }
  storageBarrier();

  var w: array<f32, 32>;
  for (var e = 0u; e < p.n_expert; e++) {
    var acc = 0.0;
    for (var u = lid; u < p.n_embd / 32u; u += WG) {
      deq32(e * p.row_bytes, u, &w);
      var s = 0.0;
      for (var i = 0u; i < 32u; i++) { s += w[i] * XN[xo + u * 32u + i]; }
      acc += s;
    }
    let l = reduce_sum(lid, acc);
    if (lid == 0u) { logits[e] = l; }
  }
}

/** On lid 0, after norm_and_logits: sigmoid of each logit, or softmax over all of them. */
fn logits_to_probs(sigmoid: bool) {
  if (sigmoid) {
    for (var e = 0u; e < p.n_expert; e++) { logits[e] = 1.0 / (1.0 + exp(-logits[e])); }
    return;
  }
  var m = -3.4e38;
  for (var e = 0u; e < p.n_expert; e++) { m = max(m, logits[e]); }
  var z = 0.0;
  for (var e = 0u; e < p.n_expert; e++) { logits[e] = exp(logits[e] - m); z += logits[e]; }
  for (var e = 0u; e < p.n_expert; e++) { logits[e] = logits[e] / z; }
}
