// Causal multi-head latent attention in latent space, one workgroup per (head, token).
// Entry `main`, workgroup WG (common/reduce.wgsl); dispatch (n_head, n_tok).
// s_j = ([q_abs | q_pe] · [c_j | k_pe_j]) · kq_scale for j ≤ pos; p = softmax(s);
// O[t, h] = Σ_j p_j c_j (r values; the per-head V up-projection follows as a matmul).
// Every sum has a fixed order, independent of n_tok.

struct Params {
  n_head: u32, r: u32, dr: u32, pos0: u32,
  n_ctx: u32, cache_off: u32, kq_scale: f32, n_tok: u32,
}

@group(0) @binding(0) var<storage, read> QA: array<f32>;         // [n_tok, n_head, r+dr]
@group(0) @binding(1) var<storage, read> KC: array<f32>;         // [.., n_ctx, r+dr] from cache_off
@group(0) @binding(2) var<storage, read_write> S: array<f32>;    // [n_tok, n_head, n_ctx] scratch
@group(0) @binding(3) var<storage, read_write> O: array<f32>;    // [n_tok, n_head·r]
@group(0) @binding(4) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let h = wg.x;
  let t = wg.y;
  let pos = p.pos0 + t;
  let w = p.r + p.dr;
  let q_off = (t * p.n_head + h) * w;
  let s_off = (t * p.n_head + h) * p.n_ctx;

  var m = -3.4e38;
  for (var j = lid; j <= pos; j += WG) {
    let k_off = p.cache_off + j * w;
    var s = 0.0;
    for (var i = 0u; i < w; i++) { s += QA[q_off + i] * KC[k_off + i]; }
    s *= p.kq_scale;
    S[s_off + j] = s;
    m = max(m, s);
  }
  m = reduce_max(lid, m);

  var z = 0.0;
  for (var j = lid; j <= pos; j += WG) {
    let e = exp(S[s_off + j] - m);
    S[s_off + j] = e;
    z += e;
  }
  z = reduce_sum(lid, z);
  storageBarrier();

  for (var i = lid; i < p.r; i += WG) {
    var acc = 0.0;
    for (var j = 0u; j <= pos; j++) { acc += S[s_off + j] * KC[p.cache_off + j * w + i]; }
    O[(t * p.n_head + h) * p.r + i] = acc / z;
  }
}
