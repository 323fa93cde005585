// MoE routing for one token per workgroup: RMSNorm of the residual (ffn_norm folded in, the
// normalised row also written to XN for the experts), router logits (+ bias), softmax, sigmoid
// or none (top-k on raw logits, then softmax over the k),
// top-k (ties → lowest id), renormalisation and scale; optionally the shared expert's
// sigmoid gate. Entry `main`, workgroup WG: one token, or ITEMS tokens one invocation each (CPU
// adapters; common/reduce.wgsl); dispatch (ceil(n_tok / ITEMS)). The last workgroup's invocations
// past n_tok repeat its last token: they compute and write exactly its values, so no barrier-free
// early return is needed before the barriers.

const F_SIGMOID: u32 = 1u;
const F_NORM_W: u32 = 2u;
const F_SHEXP_GATE: u32 = 4u;
const F_BIAS: u32 = 8u;             // router bias RB added to the logits (gpt-oss)
const F_SOFTMAX_WEIGHT: u32 = 16u;  // top-k on the raw logits, softmax over the k (gpt-oss)

struct Params {
  n_embd: u32, n_expert: u32, k: u32, row_bytes: u32,
  flags: u32, eps: f32, w_scale: f32, n_tok: u32,
  ids_off: u32, _pad0: u32, _pad1: u32, _pad2: u32,
}

@group(0) @binding(0) var<storage, read> W: array<u32>;           // [n_expert][row_bytes] ffn_gate_inp
@group(0) @binding(1) var<storage, read> X: array<f32>;           // [n_tok, n_embd] residual
@group(0) @binding(2) var<storage, read> N: array<f32>;           // [n_embd] ffn_norm
@group(0) @binding(3) var<storage, read> G: array<f32>;           // [n_embd] ffn_gate_inp_shexp (F_SHEXP_GATE)
@group(0) @binding(4) var<storage, read_write> XN: array<f32>;    // [n_tok, n_embd] normalised input
@group(0) @binding(5) var<storage, read_write> IDS: array<u32>;   // [n_tok, k] chosen experts, from ids_off (one block per layer: the step's routing log)
@group(0) @binding(6) var<storage, read_write> WTS: array<f32>;   // [n_tok, k] their weights
@group(0) @binding(7) var<storage, read_write> SHG: array<f32>;   // [n_tok] shared-expert gate
@group(0) @binding(8) var<storage, read> RB: array<f32>;          // [n_expert] router bias (F_BIAS)
@group(0) @binding(9) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let t = min(wg.x * ITEMS + item_slot(lid), p.n_tok - 1u);
  let xo = t * p.n_embd;
  let lane = item_lane(lid);
  let li = item_slot(lid);
  norm_and_logits(t, lid);
  if (lane == 0u && (p.flags & F_BIAS) != 0u) {
    for (var e = 0u; e < p.n_expert; e++) { logits[li][e] += RB[e]; }
  }
  if ((p.flags & F_SHEXP_GATE) != 0u) {
    var acc = 0.0;
    for (var c = lane; c < p.n_embd; c += item_stride()) { acc += G[c] * XN[xo + c]; }
    let g = item_sum(lid, acc);
    if (lane == 0u) { SHG[t] = 1.0 / (1.0 + exp(-g)); }
  }
  workgroupBarrier();
  if (lane != 0u) { return; }

  // Probabilities in place of the logits (gpt-oss keeps the raw logits for its top-k).
  let raw = (p.flags & F_SOFTMAX_WEIGHT) != 0u;
  if (!raw) { logits_to_probs(li, (p.flags & F_SIGMOID) != 0u); }
  var sum = 0.0;
  for (var k = 0u; k < p.k; k++) {
    var best = 0u;
    var bv = -3.4e38;
    for (var e = 0u; e < p.n_expert; e++) {
      if (logits[li][e] > bv) { bv = logits[li][e]; best = e; }
    }
    IDS[p.ids_off + t * p.k + k] = best;
    WTS[t * p.k + k] = bv;
    sum += bv;
    logits[li][best] = -3.4e38;
  }
  if (raw) {
    // Softmax over the k chosen logits; the first is the largest.
    let m = WTS[t * p.k];
    sum = 0.0;
    for (var k = 0u; k < p.k; k++) { let v = exp(WTS[t * p.k + k] - m); WTS[t * p.k + k] = v; sum += v; }
    for (var k = 0u; k < p.k; k++) { WTS[t * p.k + k] = WTS[t * p.k + k] / sum; }
  }
  // llama.cpp's floor for the renormalisation sum.
  let denom = select(1.0, max(sum, 6.103515625e-5), (p.flags & F_NORM_W) != 0u);
  for (var k = 0u; k < p.k; k++) { WTS[t * p.k + k] = WTS[t * p.k + k] / denom * p.w_scale; }
}
