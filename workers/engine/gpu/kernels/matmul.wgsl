// Dense projection for a batch of tokens, weights dequantized in registers (deq32).
// Entry `main`, workgroup 64 = 8 rows × 8 lanes; dispatch (min(G, 32768), ceil(G / 32768),
// ceil(n_tok / TT)) for G = ceil(rows / 8) row groups.
// Y[t, y_off + r] = alpha · (Σ_c W[r, c] · xin[t, c] + B[r]) + R[t, r]
// where xin = X[t], or RMSNorm(X[t]) · N when the norm flag is set (the norm is folded in here).
// Each row's sum has the same order for any n_tok: batch-invariant.

const F_NORM: u32 = 1u;
const F_BIAS: u32 = 2u;
const F_RES: u32 = 4u;

struct Params {
  rows: u32, cols: u32, row_bytes: u32, n_tok: u32,
  x_stride: u32, y_stride: u32, y_off: u32, flags: u32,
  alpha: f32, eps: f32, w_off: u32, r_stride: u32,
  x_off: u32, _pad0: u32, _pad1: u32, _pad2: u32,
}

@group(0) @binding(0) var<storage, read> W: array<u32>;        // [rows][row_bytes] quantized, from byte w_off
@group(0) @binding(1) var<storage, read> X: array<f32>;        // [n_tok, x_stride] from x_off
@group(0) @binding(2) var<storage, read> N: array<f32>;        // [cols] norm weight (F_NORM)
@group(0) @binding(3) var<storage, read> B: array<f32>;        // [rows] bias (F_BIAS)
@group(0) @binding(4) var<storage, read> R: array<f32>;        // [n_tok, r_stride] residual (F_RES)
@group(0) @binding(5) var<storage, read_write> Y: array<f32>;  // [n_tok, y_stride]
@group(0) @binding(6) var<uniform> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let r = (wg.y * 32768u + wg.x) * ROWS + lid / LANES;
  let lane = lid % LANES;
  let t0 = wg.z * TT;
  let nt = min(TT, p.n_tok - t0);

  var inv: array<f32, TT>;
  if ((p.flags & F_NORM) != 0u) {
    var ss: array<f32, TT>;
    for (var t = 0u; t < nt; t++) {
      for (var c = lid; c < p.cols; c += WG) {
        let x = X[p.x_off + (t0 + t) * p.x_stride + c];
        ss[t] += x * x;
      }
    }
    let tot = reduce_tile(lid, &ss);
    for (var t = 0u; t < TT; t++) { inv[t] = 1.0 / sqrt(tot[t] / f32(p.cols) + p.eps); }
  }

  var acc: array<f32, TT>;
  var w: array<f32, 32>;
  let row_base = p.w_off + r * p.row_bytes;
  let units = select(0u, p.cols / 32u, r < p.rows);
  for (var u = lane; u < units; u += LANES) {
    deq32(row_base, u, &w);
    for (var t = 0u; t < nt; t++) {
      let xo = p.x_off + (t0 + t) * p.x_stride + u * 32u;
      var s = 0.0;
      for (var i = 0u; i < 32u; i++) {
        var x = X[xo + i];
        if ((p.flags & F_NORM) != 0u) { x = x * inv[t] * N[u * 32u + i]; }
        s += w[i] * x;
      }
      acc[t] += s;
    }
  }
  let tot = reduce_lanes(lid, &acc);
  for (var t = lane; t < nt && r < p.rows; t += LANES) {
    var y = tot[t];
    if ((p.flags & F_BIAS) != 0u) { y += B[r]; }
    y *= p.alpha;
    if ((p.flags & F_RES) != 0u) { y = R[(t0 + t) * p.r_stride + r] + y; }
    Y[(t0 + t) * p.y_stride + p.y_off + r] = y;
  }
}
