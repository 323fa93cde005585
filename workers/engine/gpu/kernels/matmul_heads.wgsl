// Per-head projection for a batch (MLA's query absorption and value up-projection): head h
// multiplies its own block of weight rows by its own slice of X, weights dequantized in
// registers (deq32). Entry `main`, workgroup 64 = ROWS rows × LANES lanes; dispatch
// (ceil(rows / ROWS), n_head, ceil(n_tok / TT)).
// Y[t, y_off + h·y_head + r] = Σ_c W[row w_off + h·w_head + r·row_bytes][c] · X[t, x_off + h·x_head + c]
// Each row's sum has the same order for any n_tok: batch-invariant.

struct Params {
  rows: u32, cols: u32, row_bytes: u32, n_tok: u32,
  x_stride: u32, y_stride: u32, x_off: u32, y_off: u32,
  w_off: u32, w_head: u32, x_head: u32, y_head: u32,
}

@group(0) @binding(0) var<storage, read> W: array<u32>;        // per head [rows][row_bytes] quantized, from byte w_off + h·w_head
@group(0) @binding(1) var<storage, read> X: array<f32>;        // [n_tok, x_stride]
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;  // [n_tok, y_stride]
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let h = wg.y;
  let r = wg.x * ROWS + lid / LANES;
  let lane = lid % LANES;
  let t0 = wg.z * TT;
  let nt = min(TT, p.n_tok - t0);

  var acc = array<f32, TT>();
  var w = array<f32, 32>();
  let row_base = p.w_off + h * p.w_head + r * p.row_bytes;
  let x0 = p.x_off + h * p.x_head;
  let units = select(0u, p.cols / 32u, r < p.rows);
  for (var u = lane; u < units; u += LANES) {
    deq32(row_base, u, &w);
    for (var t = 0u; t < nt; t++) {
      let xo = x0 + (t0 + t) * p.x_stride + u * 32u;
      var s = 0.0;
      for (var i = 0u; i < 32u; i++) { s += w[i] * X[xo + i]; }
      acc[t] += s;
    }
  }
  let tot = reduce_lanes(lid, &acc);
  for (var t = lane; t < nt && r < p.rows; t += LANES) {
    Y[(t0 + t) * p.y_stride + p.y_off + h * p.y_head + r] = tot[t];
  }
}
