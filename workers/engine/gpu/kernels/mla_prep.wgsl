// Prepares multi-head latent attention for a batch (model/mla.ts). Workgroup h < n_head ropes
// query head h's q_pe into QA[t, h, r..r+dr); workgroup n_head normalises the latent c
// (attn_kv_a_norm) and ropes the shared k_pe, writing [c | k_pe] to the layer's cache at pos.
// Entry `main`, workgroup WG (common/reduce.wgsl); dispatch (n_head + 1, n_tok). RoPE is NORM: pairs (2k, 2k+1).

struct Params {
  n_head: u32, r: u32, dn: u32, dr: u32,
  pos0: u32, cache_off: u32, eps: f32, n_tok: u32,
}

@group(0) @binding(0) var<storage, read> Q: array<f32>;           // [n_tok, n_head·(dn+dr)]: q_nope | q_pe per head
@group(0) @binding(1) var<storage, read> CKV: array<f32>;         // [n_tok, r+dr]: c | k_pe before norm and RoPE
@group(0) @binding(2) var<storage, read> KVN: array<f32>;         // [r] attn_kv_a_norm
@group(0) @binding(3) var<storage, read> ROPE: array<vec2<f32>>;  // [n_ctx, dr/2] (cos θ, sin θ)
@group(0) @binding(4) var<storage, read_write> QA: array<f32>;    // [n_tok, n_head, r+dr]: q_pe part written here
@group(0) @binding(5) var<storage, read_write> KC: array<f32>;    // [.., n_ctx, r+dr] from cache_off
@group(0) @binding(6) var<uniform> p: Params;

/** Rotated element i < dr of the pair vector v (2k, 2k+1) at position pos. */
fn rope_norm(x0: f32, x1: f32, i: u32, pos: u32) -> f32 {
  let cs = ROPE[pos * (p.dr / 2u) + i / 2u];
  return select(x0 * cs.y + x1 * cs.x, x0 * cs.x - x1 * cs.y, (i & 1u) == 0u);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let t = wg.y;
  let pos = p.pos0 + t;
  let w = p.r + p.dr;
  if (wg.x < p.n_head) {
    let src = t * p.n_head * (p.dn + p.dr) + wg.x * (p.dn + p.dr) + p.dn;
    let dst = (t * p.n_head + wg.x) * w + p.r;
    for (var i = lid; i < p.dr; i += WG) {
      let e = src + (i & ~1u);
      QA[dst + i] = rope_norm(Q[e], Q[e + 1u], i, pos);
    }
    return;
  }
  let src = t * w;
  var ss = 0.0;
  for (var i = lid; i < p.r; i += WG) { let x = CKV[src + i]; ss += x * x; }
  let inv = 1.0 / sqrt(reduce_sum(lid, ss) / f32(p.r) + p.eps);
  let dst = p.cache_off + pos * w;
  for (var i = lid; i < p.r; i += WG) { KC[dst + i] = CKV[src + i] * inv * KVN[i]; }
  for (var i = lid; i < p.dr; i += WG) {
    let e = src + p.r + (i & ~1u);
    KC[dst + p.r + i] = rope_norm(CKV[e], CKV[e + 1u], i, pos);
  }
}
