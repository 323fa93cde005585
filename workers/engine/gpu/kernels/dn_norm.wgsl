// Gated DeltaNet's gated RMSNorm, in place: per token and value head, O ← O / rms(O) · w · silu(z)
// (model/deltaNet.ts; dn_recur.wgsl writes O). Entry `main`, workgroup WG (common/reduce.wgsl);
// dispatch (n_v, n_tok).
// z is in the rows of P: at column ch + h·hd, or (F_SSM_IN, qwen3next's legacy ssm_in) in each
// key head's [q; k; v (r heads); z (r heads)], r = n_v / n_k.

const F_SSM_IN: u32 = 1u;

struct Params { hd: u32, n_k: u32, n_v: u32, flags: u32, p_stride: u32, p_off: u32, eps: f32, _pad: u32 }

@group(0) @binding(0) var<storage, read_write> O: array<f32>; // [n_tok, n_v·hd]
@group(0) @binding(1) var<storage, read> P: array<f32>;       // projections, rows of p_stride from p_off
@group(0) @binding(2) var<storage, read> NORM: array<f32>;    // [hd] ssm_norm
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let h = wg.x;
  let t = wg.y;
  let hd = p.hd;
  let r = p.n_v / p.n_k;
  let o0 = t * p.n_v * hd + h * hd;
  var ss = 0.0;
  for (var j = lid; j < hd; j += WG) { let o = O[o0 + j]; ss += o * o; }
  let inv = 1.0 / sqrt(reduce_sum(lid, ss) / f32(hd) + p.eps);
  let row = p.p_off + t * p.p_stride;
  var z0 = row + (2u * p.n_k + p.n_v) * hd + h * hd;
  if ((p.flags & F_SSM_IN) != 0u) { z0 = row + (h / r) * (2u + 2u * r) * hd + (2u + r) * hd + (h % r) * hd; }
  for (var j = lid; j < hd; j += WG) {
    let z = P[z0 + j];
    O[o0 + j] = O[o0 + j] * inv * NORM[j] * (z / (1.0 + exp(-z)));
  }
}
