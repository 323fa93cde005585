// Dense projection for a tile of tokens, weights dequantized in registers (common/unit.wgsl).
// Entry `main`, workgroup 64 = ROWS rows × LANES lanes; dispatch (min(G, 32768),
// ceil(G / 32768), ceil(n_tok / TILE)) for G = ceil(rows / ROWS) row groups.
// Y[t, y_off + r] = alpha · (Σ_c W[r, c] · X[t, c] + B[r]) + R[t, r]
// TILE (1, 2, 4 or 8 tokens, an override) fixes the accumulators at compile time: they are
// scalars, never an indexed array, which CPU adapters (SwiftShader) keep in memory. Each
// token's sum has the same terms in the same order for any tile and n_tok: batch-invariant.
// Needs common/oct_dot.wgsl.

const F_BIAS: u32 = 2u;
const F_RES: u32 = 4u;

override TILE: u32 = 8u;

struct Params {
  rows: u32, cols: u32, row_bytes: u32, n_tok: u32,
  x_stride: u32, y_stride: u32, y_off: u32, flags: u32,
  alpha: f32, w_off: u32, r_stride: u32, x_off: u32,
}

@group(0) @binding(0) var<storage, read> W: array<u32>;        // [rows][row_bytes] quantized, from byte w_off
@group(0) @binding(1) var<storage, read> X: array<vec4<f32>>;  // [n_tok, x_stride] from x_off (both % 4 == 0)
@group(0) @binding(2) var<storage, read> B: array<f32>;        // [rows] bias (F_BIAS)
@group(0) @binding(3) var<storage, read> R: array<f32>;        // [n_tok, r_stride] residual (F_RES)
@group(0) @binding(4) var<storage, read_write> Y: array<f32>;  // [n_tok, y_stride]
@group(0) @binding(5) var<uniform> p: Params;

fn token_row(t0: u32, t: u32, nt: u32) -> u32 {
  return (p.x_off + (t0 + min(t, nt - 1u)) * p.x_stride) / 4u;
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let r = (wg.y * 32768u + wg.x) * ROWS + lid / LANES;
  let lane = lid % LANES;
  let t0 = wg.z * TILE;
  let nt = min(TILE, p.n_tok - t0);
  // Token rows of the tile, as vec4 indices; a tile's missing tokens repeat its last (unused).
  let x0 = token_row(t0, 0u, nt); let x1 = token_row(t0, 1u, nt);
  let x2 = token_row(t0, 2u, nt); let x3 = token_row(t0, 3u, nt);
  let x4 = token_row(t0, 4u, nt); let x5 = token_row(t0, 5u, nt);
  let x6 = token_row(t0, 6u, nt); let x7 = token_row(t0, 7u, nt);

  var a0 = 0.0; var a1 = 0.0; var a2 = 0.0; var a3 = 0.0;
  var a4 = 0.0; var a5 = 0.0; var a6 = 0.0; var a7 = 0.0;
  let row_base = p.w_off + r * p.row_bytes;
  let units = select(0u, p.cols / 32u, r < p.rows);
  for (var u = lane; u < units; u += LANES) {
    let h = unit_head(row_base, u);
    for (var k = 0u; k < 4u; k++) {
      let o = unit_oct(h, k);
      let qa = 8u * u + quad_a(k);
      let qb = 8u * u + quad_b(k);
      a0 += oct_dot(o, x0, qa, qb);
      if (TILE > 1u) { a1 += oct_dot(o, x1, qa, qb); }
      if (TILE > 2u) { a2 += oct_dot(o, x2, qa, qb); a3 += oct_dot(o, x3, qa, qb); }
      if (TILE > 4u) {
        a4 += oct_dot(o, x4, qa, qb); a5 += oct_dot(o, x5, qa, qb);
        a6 += oct_dot(o, x6, qa, qb); a7 += oct_dot(o, x7, qa, qb);
      }
    }
  }
  var acc = array<f32, TT>(a0, a1, a2, a3, a4, a5, a6, a7);
  let tot = reduce_lanes(lid, &acc);
  for (var t = lane; t < nt && r < p.rows; t += LANES) {
    var y = tot[t];
    if ((p.flags & F_BIAS) != 0u) { y += B[r]; }
    y *= p.alpha;
    if ((p.flags & F_RES) != 0u) { y = R[(t0 + t) * p.r_stride + r] + y; }
    Y[(t0 + t) * p.y_stride + p.y_off + r] = y;
  }
}
