// DeepSeek-V3 MoE routing for one token per workgroup (llama.cpp build_moe_ffn): RMSNorm of the
// residual (ffn_norm folded in, also written to XN for the experts), router logits, softmax or
// sigmoid; experts chosen on probs + exp_probs_b (F_SEL_BIAS) within the n_group_used groups
// whose top-2 sums are highest (n_group > 1); weights are the unbiased probs, optionally
// renormalised, times w_scale. Ties → lowest id. Entry `main`, workgroup 64; dispatch (n_tok).

const F_SIGMOID: u32 = 1u;
const F_NORM_W: u32 = 2u;
const F_SEL_BIAS: u32 = 4u;
const NONE: f32 = -3.4e38;

struct Params {
  n_embd: u32, n_expert: u32, k: u32, row_bytes: u32,
  flags: u32, eps: f32, w_scale: f32, n_tok: u32,
  ids_off: u32, n_group: u32, n_group_used: u32, _pad0: u32,
}

@group(0) @binding(0) var<storage, read> W: array<u32>;           // [n_expert][row_bytes] ffn_gate_inp
@group(0) @binding(1) var<storage, read> X: array<f32>;           // [n_tok, n_embd] residual
@group(0) @binding(2) var<storage, read> N: array<f32>;           // [n_embd] ffn_norm
@group(0) @binding(3) var<storage, read> B: array<f32>;           // [n_expert] exp_probs_b (F_SEL_BIAS)
@group(0) @binding(4) var<storage, read_write> XN: array<f32>;    // [n_tok, n_embd] normalised input
@group(0) @binding(5) var<storage, read_write> IDS: array<u32>;   // [n_tok, k] chosen experts, from ids_off
@group(0) @binding(6) var<storage, read_write> WTS: array<f32>;   // [n_tok, k] their weights
@group(0) @binding(7) var<uniform> p: Params;

var<workgroup> sel: array<f32, MAX_EXPERTS>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let t = wg.x;
  norm_and_logits(t, lid);
  workgroupBarrier();
  if (lid != 0u) { return; }

  // `logits` holds the probabilities from here on.
  logits_to_probs(0u, (p.flags & F_SIGMOID) != 0u);
  for (var e = 0u; e < p.n_expert; e++) { sel[e] = logits[0][e] + select(0.0, B[e], (p.flags & F_SEL_BIAS) != 0u); }

  if (p.n_group > 1u) {
    // Keep the n_group_used groups with the highest top-2 sums; mask the others' experts.
    let size = p.n_expert / p.n_group;
    var kept = array<bool, MAX_EXPERTS>();
    for (var n = 0u; n < p.n_group_used; n++) {
      var best = 0u;
      var bv = NONE;
      for (var g = 0u; g < p.n_group; g++) {
        if (kept[g]) { continue; }
        var a = NONE;
        var b = NONE;
        for (var e = g * size; e < (g + 1u) * size; e++) {
          let v = sel[e];
          if (v > a) { b = a; a = v; } else if (v > b) { b = v; }
        }
        let score = a + select(0.0, b, size > 1u);
        if (score > bv) { bv = score; best = g; }
      }
      kept[best] = true;
    }
    for (var e = 0u; e < p.n_expert; e++) {
      if (!kept[e / size]) { sel[e] = NONE; }
    }
  }

  var taken = array<bool, MAX_EXPERTS>();
  var sum = 0.0;
  for (var k = 0u; k < p.k; k++) {
    var best = 0u;
    var bv = NONE;
    var found = false;
    for (var e = 0u; e < p.n_expert; e++) {
      if (!taken[e] && (!found || sel[e] > bv)) { bv = sel[e]; best = e; found = true; }
    }
    taken[best] = true;
    IDS[p.ids_off + t * p.k + k] = best;
    WTS[t * p.k + k] = logits[0][best];
    sum += logits[0][best];
  }
  // llama.cpp's floor for the renormalisation sum.
  let denom = select(1.0, max(sum, 6.103515625e-5), (p.flags & F_NORM_W) != 0u);
  for (var k = 0u; k < p.k; k++) { WTS[t * p.k + k] = WTS[t * p.k + k] / denom * p.w_scale; }
}
