// Gated DeltaNet's delta rule and gated RMSNorm (model/deltaNet.ts), one workgroup per value head
// over the batch's tokens in order: the state after each token is what one-token passes give,
// bit for bit, so verification and rollback stay exact. Each invocation owns columns j of the
// head's S (stored column-major: S[i][j] at j·hd + i), so the update needs no barrier; q and k of
// the head's key head are shared through workgroup memory.
// The state before the pass is read from S_IN and the new one written to S_OUT (the other state
// buffer), which keeps the old one for a rollback.
// Entry `main`, workgroup WG (common/reduce.wgsl); dispatch (n_v). hd ≤ 256.
// P rows: [qkv (ch) | z (n_v·hd) | beta (n_v) | alpha (n_v)], or (F_SSM_IN) the legacy ssm_in
// (each key head's [q; k; v; z]) for the first ch + n_v·hd, and (F_SSM_BA) each key head's
// [beta (r); alpha (r)] for the last 2·n_v, r = n_v / n_k.

const F_SSM_IN: u32 = 1u;
const F_TILED: u32 = 2u; // value head h reads key head h mod n_k (else h / r)
const F_SSM_BA: u32 = 4u;

struct Params {
  hd: u32, n_k: u32, n_v: u32, flags: u32,
  n_tok: u32, p_stride: u32, p_off: u32, s_in_off: u32,
  s_out_off: u32, eps: f32, _pad0: u32, _pad1: u32,
}

@group(0) @binding(0) var<storage, read> CONV: array<f32>;        // [n_tok, ch] conv + SiLU output: q | k | v
@group(0) @binding(1) var<storage, read> P: array<f32>;           // projections (z, beta, alpha), rows of p_stride from p_off
@group(0) @binding(2) var<storage, read> DT: array<f32>;          // [n_v] ssm_dt bias
@group(0) @binding(3) var<storage, read> A: array<f32>;           // [n_v] ssm_a = −exp(A_log)
@group(0) @binding(4) var<storage, read> NORM: array<f32>;        // [hd] ssm_norm
@group(0) @binding(5) var<storage, read> S_IN: array<f32>;        // [n_v, hd, hd] from s_in_off
@group(0) @binding(6) var<storage, read_write> S_OUT: array<f32>; // [n_v, hd, hd] from s_out_off
@group(0) @binding(7) var<storage, read_write> OUT: array<f32>;   // [n_tok, n_v·hd]
@group(0) @binding(8) var<uniform> p: Params;

var<workgroup> qs: array<f32, 256>;
var<workgroup> ks: array<f32, 256>;
var<workgroup> os: array<f32, 256>;

/** ggml's softplus: inputs past 20 are taken as they are. */
fn softplus(x: f32) -> f32 {
  return select(log(1.0 + exp(x)), x, x > 20.0);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let h = wg.x;
  let hd = p.hd;
  let r = p.n_v / p.n_k;
  let kh = select(h / r, h % p.n_k, (p.flags & F_TILED) != 0u);
  let ch = (2u * p.n_k + p.n_v) * hd;
  let s_in = p.s_in_off + h * hd * hd;
  let s_out = p.s_out_off + h * hd * hd;
  for (var e = lid; e < hd * hd; e += WG) { S_OUT[s_out + e] = S_IN[s_in + e]; }
  let scale = 1.0 / sqrt(f32(hd));
  let dt = DT[h];
  let a = A[h];
  let gated_off = ch + p.n_v * hd; // beta, alpha

  for (var t = 0u; t < p.n_tok; t++) {
    let c0 = t * ch;
    var qq = 0.0;
    var kk = 0.0;
    for (var i = lid; i < hd; i += WG) {
      let q = CONV[c0 + kh * hd + i];
      let k = CONV[c0 + p.n_k * hd + kh * hd + i];
      qs[i] = q;
      ks[i] = k;
      qq += q * q;
      kk += k * k;
    }
    // L2 norms (ggml_l2_norm: x / max(‖x‖, eps)); reduce_sum's barriers publish qs and ks.
    let qn = 1.0 / max(sqrt(reduce_sum(lid, qq)), p.eps);
    let kn = 1.0 / max(sqrt(reduce_sum(lid, kk)), p.eps);

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

    var oo = 0.0;
    for (var j = lid; j < hd; j += WG) {
      let col = s_out + j * hd;
      var sk = 0.0;
      for (var i = 0u; i < hd; i++) {
        let s = S_OUT[col + i] * decay;
        S_OUT[col + i] = s;
        sk += s * (ks[i] * kn);
      }
      let d = (CONV[c0 + 2u * p.n_k * hd + h * hd + j] - sk) * b;
      var o = 0.0;
      for (var i = 0u; i < hd; i++) {
        let s = S_OUT[col + i] + (ks[i] * kn) * d;
        S_OUT[col + i] = s;
        o += s * (qs[i] * qn);
      }
      o = o * scale;
      os[j] = o;
      oo += o * o;
    }
    // Gated RMSNorm over the head: norm(o)·w·silu(z).
    let inv = 1.0 / sqrt(reduce_sum(lid, oo) / f32(hd) + p.eps);
    for (var j = lid; j < hd; j += WG) {
      var zi = row + ch + h * hd + j;
      if ((p.flags & F_SSM_IN) != 0u) { zi = row + (h / r) * (2u + 2u * r) * hd + (2u + r) * hd + (h % r) * hd + j; }
      let z = P[zi];
      OUT[t * p.n_v * hd + h * hd + j] = os[j] * inv * NORM[j] * (z / (1.0 + exp(-z)));
    }
    workgroupBarrier(); // qs, ks and os are rewritten by the next token
  }
}
