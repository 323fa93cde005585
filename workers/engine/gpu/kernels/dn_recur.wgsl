// Gated DeltaNet's delta rule (model/deltaNet.ts): one invocation per column j of a value head's
// state S (stored column-major: S[i][j] at j·hd + i), over the batch's tokens in order, so the
// state after each token is what one-token passes give, bit for bit, and verification and
// rollback stay exact. A column needs nothing from the others: each invocation keeps its column
// in registers and computes the head's q and k norms itself (the same sums in the same order), so
// the kernel has no barrier (SwiftShader runs a workgroup's invocations as SIMD lanes and pays
// for every barrier). dn_norm.wgsl then applies the gated RMSNorm to the outputs.
// The state before the pass is read from S_IN and the new one written to S_OUT (the other state
// buffer), which keeps the old one for a rollback.
// Entry `main`, workgroup WG; dispatch (n_v, ceil(hd / WG)). hd ≤ 256.
// P rows: [qkv (ch) | z (n_v·hd) | beta (n_v) | alpha (n_v)]; with F_SSM_BA the last 2·n_v hold
// each key head's [beta (r); alpha (r)], r = n_v / n_k.

const F_TILED: u32 = 2u; // value head h reads key head h mod n_k (else h / r)
const F_SSM_BA: u32 = 4u;

struct Params {
  hd: u32, n_k: u32, n_v: u32, flags: u32,
  n_tok: u32, p_stride: u32, p_off: u32, s_in_off: u32,
  s_out_off: u32, eps: f32, _pad0: u32, _pad1: u32,
}

@group(0) @binding(0) var<storage, read> CONV: array<f32>;        // [n_tok, ch] conv + SiLU output: q | k | v
@group(0) @binding(1) var<storage, read> P: array<f32>;           // projections (beta, alpha), rows of p_stride from p_off
@group(0) @binding(2) var<storage, read> DT: array<f32>;          // [n_v] ssm_dt bias
@group(0) @binding(3) var<storage, read> A: array<f32>;           // [n_v] ssm_a = −exp(A_log)
@group(0) @binding(4) var<storage, read> S_IN: array<f32>;        // [n_v, hd, hd] from s_in_off
@group(0) @binding(5) var<storage, read_write> S_OUT: array<f32>; // [n_v, hd, hd] from s_out_off
@group(0) @binding(6) var<storage, read_write> OUT: array<f32>;   // [n_tok, n_v·hd] Sᵀq / √hd
@group(0) @binding(7) var<uniform> p: Params;

/** ggml's softplus: inputs past 20 are taken as they are. */
fn softplus(x: f32) -> f32 {
  return select(log(1.0 + exp(x)), x, x > 20.0);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let h = wg.x;
  let hd = p.hd;
  let j = wg.y * WG + lid;
  if (j >= hd) { return; }
  let r = p.n_v / p.n_k;
  let kh = select(h / r, h % p.n_k, (p.flags & F_TILED) != 0u);
  let ch = (2u * p.n_k + p.n_v) * hd;
  var col: array<f32, 256>;
  let s_in = p.s_in_off + (h * hd + j) * hd;
  for (var i = 0u; i < hd; i++) { col[i] = S_IN[s_in + i]; }
  let scale = 1.0 / sqrt(f32(hd));
  let dt = DT[h];
  let a = A[h];
  let gated_off = ch + p.n_v * hd; // beta, alpha

  for (var t = 0u; t < p.n_tok; t++) {
    let q0 = t * ch + kh * hd;
    let k0 = t * ch + p.n_k * hd + kh * hd;
    // L2 norms (ggml_l2_norm: x / max(‖x‖, eps)).
    var qq = 0.0;
    var kk = 0.0;
    for (var i = 0u; i < hd; i++) {
      let q = CONV[q0 + i];
      let k = CONV[k0 + i];
      qq += q * q;
      kk += k * k;
    }
    let qn = 1.0 / max(sqrt(qq), p.eps);
    let kn = 1.0 / max(sqrt(kk), p.eps);

    let row = p.p_off + t * p.p_stride;
    var beta: f32;
    var alpha: f32;
    if ((p.flags & F_SSM_BA) != 0u) {
      let ba = row + gated_off + (h / r) * 2u * r;
      beta = P[ba + h % r];
      alpha = P[ba + r + h % r];
    } else {
      beta = P[row + gated_off + h];
      alpha = P[row + gated_off + p.n_v + h];
    }
    let b = 1.0 / (1.0 + exp(-beta));
    let decay = exp(softplus(alpha + dt) * a);

    var sk = 0.0;
    for (var i = 0u; i < hd; i++) {
      let s = col[i] * decay;
      col[i] = s;
      sk += s * (CONV[k0 + i] * kn);
    }
    let d = (CONV[t * ch + 2u * p.n_k * hd + h * hd + j] - sk) * b;
    var o = 0.0;
    for (var i = 0u; i < hd; i++) {
      let s = col[i] + (CONV[k0 + i] * kn) * d;
      col[i] = s;
      o += s * (CONV[q0 + i] * qn);
    }
    OUT[t * p.n_v * hd + h * hd + j] = o * scale;
  }
  let s_out = p.s_out_off + (h * hd + j) * hd;
  for (var i = 0u; i < hd; i++) { S_OUT[s_out + i] = col[i]; }
}
