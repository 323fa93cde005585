// Dense projection for a tile of tokens, weights dequantized in registers (common/unit.wgsl).
// Entry `main`, workgroup 64 = ROWS invocations of RPI rows × LANES lanes; dispatch
// (min(G, 32768), ceil(G / 32768), ceil(n_tok / TILE)) for G = ceil(rows / (ROWS·RPI)) row groups
// (shaders.ts projectionRowsPerGroup).
// Y[t, y_off + r] = alpha · (Σ_c W[r, c] · X[t, c] + B[r]) + R[t, r]
// TILE (1, 2, 4 or 8 tokens, an override; 1 or 8 on CPU adapters) fixes the accumulators at
// compile time: they are scalars, never an indexed array, which CPU adapters (SwiftShader) keep
// in memory. Each token's sum is the same unit_dot arithmetic (unit_dot4 repeats it per token)
// in the same order for any tile and n_tok on one device: batch-invariant.
// Needs common/rows4.wgsl and unit_dot (common/unit_dot.wgsl or the type's fused one).

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

fn store(r: u32, t0: u32, t: u32, sum: f32) {
  var y = sum;
  if ((p.flags & F_BIAS) != 0u) { y += B[r]; }
  y *= p.alpha;
  if ((p.flags & F_RES) != 0u) { y = R[(t0 + t) * p.r_stride + r] + y; }
  Y[(t0 + t) * p.y_stride + p.y_off + r] = y;
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let r0 = ((wg.y * 32768u + wg.x) * ROWS + lid / LANES) * RPI;
  let lane = lid % LANES;
  let t0 = wg.z * TILE;
  let nt = min(TILE, p.n_tok - t0);
  // Token rows of the tile, as vec4 indices; a tile's missing tokens repeat its last (unused).
  let x0 = token_row(t0, 0u, nt); let x1 = token_row(t0, 1u, nt);
  let x2 = token_row(t0, 2u, nt); let x3 = token_row(t0, 3u, nt);
  let x4 = token_row(t0, 4u, nt); let x5 = token_row(t0, 5u, nt);
  let x6 = token_row(t0, 6u, nt); let x7 = token_row(t0, 7u, nt);

  if (RPI == 4u) {
    // CPU adapters: four rows per invocation (common/rows4.wgsl).
    let units = select(0u, p.cols / 32u, r0 < p.rows);
    if (TILE == 1u) {
      let s = rows4_dot(p.w_off, r0, p.rows, p.row_bytes, units, x0);
      for (var j = 0u; j < 4u && r0 + j < p.rows; j++) { store(r0 + j, t0, 0u, s[j]); }
    } else {
      let s = rows4_dot_tile(p.w_off, r0, p.rows, p.row_bytes, units, nt, x0, x1, x2, x3, x4, x5, x6, x7);
      for (var j = 0u; j < 4u && r0 + j < p.rows; j++) {
        for (var t = 0u; t < nt; t++) { store(r0 + j, t0, t, s[j][t / 4u][t % 4u]); }
      }
    }
    return;
  }

  // GPUs: RPI 1, LANES lanes per row.
  let r = r0;
  var a0 = 0.0; var a1 = 0.0; var a2 = 0.0; var a3 = 0.0;
  var a4 = 0.0; var a5 = 0.0; var a6 = 0.0; var a7 = 0.0;
  let row_base = p.w_off + r * p.row_bytes;
  let units = select(0u, p.cols / 32u, r < p.rows);
  for (var u = lane; u < units; u += LANES) {
    let q = 8u * u;
    if (TILE <= 2u) {
      a0 += unit_dot(row_base, u, x0 + q);
      if (TILE == 2u) { a1 += unit_dot(row_base, u, x1 + q); }
    } else {
      // The unit read once for four tokens (the same sums as unit_dot's).
      let s = unit_dot4(row_base, u, x0 + q, x1 + q, x2 + q, x3 + q);
      a0 += s.x; a1 += s.y; a2 += s.z; a3 += s.w;
      if (TILE > 4u) {
        let s2 = unit_dot4(row_base, u, x4 + q, x5 + q, x6 + q, x7 + q);
        a4 += s2.x; a5 += s2.y; a6 += s2.z; a7 += s2.w;
      }
    }
  }
  var acc = array<f32, TT>(a0, a1, a2, a3, a4, a5, a6, a7);
  let tot = reduce_lanes(lid, &acc);
  for (var t = lane; t < nt && r < p.rows; t += LANES) { store(r, t0, t, tot[t]); }
}
