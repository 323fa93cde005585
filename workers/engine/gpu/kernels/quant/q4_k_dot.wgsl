// Q4_K's fused unit_dot (common/unit_dot.wgsl): the unit's 8 quant words read once, y·x summed
// as d·sc·Σ q·x − dmin·m·Σ x.
// unit_dot4 repeats the reads rather than sharing a function that returns them: SwiftShader
// passes struct values through memory, which costs the 1-token path about a quarter.

fn unit_dot(row_base: u32, u: u32, x: u32) -> f32 {
  let i = (row_base >> 2u) + 36u * (u >> 3u);
  let j = u & 7u;
  let dm = unpack2x16float(W[i]);
  let sm = k_scale_min(W[i + 1u], W[i + 2u], W[i + 3u], j);
  let q = i + 4u + 8u * (j >> 1u);
  let sh = 4u * (j & 1u);
  let x0 = X[x]; let x1 = X[x + 1u]; let x2 = X[x + 2u]; let x3 = X[x + 3u];
  let x4 = X[x + 4u]; let x5 = X[x + 5u]; let x6 = X[x + 6u]; let x7 = X[x + 7u];
  let s = dot(nib4(W[q] >> sh), x0) + dot(nib4(W[q + 1u] >> sh), x1)
    + dot(nib4(W[q + 2u] >> sh), x2) + dot(nib4(W[q + 3u] >> sh), x3)
    + dot(nib4(W[q + 4u] >> sh), x4) + dot(nib4(W[q + 5u] >> sh), x5)
    + dot(nib4(W[q + 6u] >> sh), x6) + dot(nib4(W[q + 7u] >> sh), x7);
  let sx = dot(((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7)), vec4<f32>(1.0));
  // exact: 11-bit × 6-bit, as in unit_head
  let d = dm.x * f32(sm.x);
  let m = dm.y * f32(sm.y);
  return d * s - m * sx;
}

/** The unit's 32 quants as eight vec4 (a tile's tokens share one read). */
struct Q4Quads { q0: vec4<f32>, q1: vec4<f32>, q2: vec4<f32>, q3: vec4<f32>, q4: vec4<f32>, q5: vec4<f32>, q6: vec4<f32>, q7: vec4<f32> }

/** One token's sum, the same operations in the same order as unit_dot. */
fn q4k_dot(w: Q4Quads, d: f32, m: f32, x: u32) -> f32 {
  let x0 = X[x]; let x1 = X[x + 1u]; let x2 = X[x + 2u]; let x3 = X[x + 3u];
  let x4 = X[x + 4u]; let x5 = X[x + 5u]; let x6 = X[x + 6u]; let x7 = X[x + 7u];
  let s = dot(w.q0, x0) + dot(w.q1, x1) + dot(w.q2, x2) + dot(w.q3, x3)
    + dot(w.q4, x4) + dot(w.q5, x5) + dot(w.q6, x6) + dot(w.q7, x7);
  let sx = dot(((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7)), vec4<f32>(1.0));
  return d * s - m * sx;
}

/** unit_dot for four tokens with the unit read once; each sum exactly unit_dot's. */
fn unit_dot4(row_base: u32, u: u32, x0: u32, x1: u32, x2: u32, x3: u32) -> vec4<f32> {
  let i = (row_base >> 2u) + 36u * (u >> 3u);
  let j = u & 7u;
  let dm = unpack2x16float(W[i]);
  let sm = k_scale_min(W[i + 1u], W[i + 2u], W[i + 3u], j);
  let q = i + 4u + 8u * (j >> 1u);
  let sh = 4u * (j & 1u);
  let w = Q4Quads(nib4(W[q] >> sh), nib4(W[q + 1u] >> sh), nib4(W[q + 2u] >> sh), nib4(W[q + 3u] >> sh),
    nib4(W[q + 4u] >> sh), nib4(W[q + 5u] >> sh), nib4(W[q + 6u] >> sh), nib4(W[q + 7u] >> sh));
  let d = dm.x * f32(sm.x);
  let m = dm.y * f32(sm.y);
  return vec4<f32>(q4k_dot(w, d, m, x0), q4k_dot(w, d, m, x1), q4k_dot(w, d, m, x2), q4k_dot(w, d, m, x3));
}
