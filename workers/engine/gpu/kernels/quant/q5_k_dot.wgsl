// Q5_K's fused unit_dot (common/unit_dot.wgsl): as Q4_K's (q4_k_dot.wgsl), each quant's 5th bit
// from qh: the unit's 8 quant words and 8 qh words read once, y·x summed as
// d·sc·Σ q·x − dmin·m·Σ x. unit_dot4 repeats the reads for the reason q4_k_dot.wgsl gives.

/** Four 5-bit quants: the nibbles of qs (shifted to the unit's half) and bit j of each qh byte. */
fn q5(qs: u32, qh: u32, j: u32) -> vec4<f32> {
  return u8x4((qs & 0x0F0F0F0Fu) | (((qh >> j) & 0x01010101u) << 4u));
}

fn unit_dot(row_base: u32, u: u32, x: u32) -> f32 {
  let i = (row_base >> 2u) + 44u * (u >> 3u);
  let j = u & 7u;
  let dm = unpack2x16float(W[i]);
  let sm = k_scale_min(W[i + 1u], W[i + 2u], W[i + 3u], j);
  let q = i + 12u + 8u * (j >> 1u);
  let h = i + 4u;
  let sh = 4u * (j & 1u);
  let x0 = X[x]; let x1 = X[x + 1u]; let x2 = X[x + 2u]; let x3 = X[x + 3u];
  let x4 = X[x + 4u]; let x5 = X[x + 5u]; let x6 = X[x + 6u]; let x7 = X[x + 7u];
  let s = dot(q5(W[q] >> sh, W[h], j), x0) + dot(q5(W[q + 1u] >> sh, W[h + 1u], j), x1)
    + dot(q5(W[q + 2u] >> sh, W[h + 2u], j), x2) + dot(q5(W[q + 3u] >> sh, W[h + 3u], j), x3)
    + dot(q5(W[q + 4u] >> sh, W[h + 4u], j), x4) + dot(q5(W[q + 5u] >> sh, W[h + 5u], j), x5)
    + dot(q5(W[q + 6u] >> sh, W[h + 6u], j), x6) + dot(q5(W[q + 7u] >> sh, W[h + 7u], j), x7);
  let sx = dot(((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7)), vec4<f32>(1.0));
  // exact: 11-bit × 6-bit, as in unit_head
  let d = dm.x * f32(sm.x);
  let m = dm.y * f32(sm.y);
  return d * s - m * sx;
}

/** The unit's 32 quants as eight vec4 (a tile's tokens share one read). */
struct Q5Quads { q0: vec4<f32>, q1: vec4<f32>, q2: vec4<f32>, q3: vec4<f32>, q4: vec4<f32>, q5: vec4<f32>, q6: vec4<f32>, q7: vec4<f32> }

/** One token's sum, the same operations in the same order as unit_dot. */
fn q5k_dot(w: Q5Quads, d: f32, m: f32, x: u32) -> f32 {
  let x0 = X[x]; let x1 = X[x + 1u]; let x2 = X[x + 2u]; let x3 = X[x + 3u];
  let x4 = X[x + 4u]; let x5 = X[x + 5u]; let x6 = X[x + 6u]; let x7 = X[x + 7u];
  let s = dot(w.q0, x0) + dot(w.q1, x1) + dot(w.q2, x2) + dot(w.q3, x3)
    + dot(w.q4, x4) + dot(w.q5, x5) + dot(w.q6, x6) + dot(w.q7, x7);
  let sx = dot(((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7)), vec4<f32>(1.0));
  return d * s - m * sx;
}

/** unit_dot for four tokens with the unit read once; each sum exactly unit_dot's. */
fn unit_dot4(row_base: u32, u: u32, x0: u32, x1: u32, x2: u32, x3: u32) -> vec4<f32> {
  let i = (row_base >> 2u) + 44u * (u >> 3u);
  let j = u & 7u;
  let dm = unpack2x16float(W[i]);
  let sm = k_scale_min(W[i + 1u], W[i + 2u], W[i + 3u], j);
  let q = i + 12u + 8u * (j >> 1u);
  let h = i + 4u;
  let sh = 4u * (j & 1u);
  let w = Q5Quads(q5(W[q] >> sh, W[h], j), q5(W[q + 1u] >> sh, W[h + 1u], j), q5(W[q + 2u] >> sh, W[h + 2u], j), q5(W[q + 3u] >> sh, W[h + 3u], j),
    q5(W[q + 4u] >> sh, W[h + 4u], j), q5(W[q + 5u] >> sh, W[h + 5u], j), q5(W[q + 6u] >> sh, W[h + 6u], j), q5(W[q + 7u] >> sh, W[h + 7u], j));
  let d = dm.x * f32(sm.x);
  let m = dm.y * f32(sm.y);
  return vec4<f32>(q5k_dot(w, d, m, x0), q5k_dot(w, d, m, x1), q5k_dot(w, d, m, x2), q5k_dot(w, d, m, x3));
}
