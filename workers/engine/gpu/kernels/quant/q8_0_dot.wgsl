// Q8_0's fused unit_dot (common/unit_dot.wgsl): d once, the 32 quants as 9 words joined by
// funnel shifts (a block is 34 B, so every other block's quants start 2 bytes into a word),
// y·x summed as d·Σ q·x.
// unit_dot4 repeats the reads rather than sharing a function that returns them: SwiftShader
// passes struct values through memory, which costs the 1-token path about a quarter.

fn unit_dot(row_base: u32, u: u32, x: u32) -> f32 {
  let b = row_base + 34u * u;
  let d = load_f16(b);
  let j = (b + 2u) >> 2u;
  let t = ((b + 2u) & 3u) * 8u;
  let w0 = W[j]; let w1 = W[j + 1u]; let w2 = W[j + 2u]; let w3 = W[j + 3u]; let w4 = W[j + 4u];
  let w5 = W[j + 5u]; let w6 = W[j + 6u]; let w7 = W[j + 7u]; let w8 = W[j + 8u];
  let s = dot(i8x4(funnel(w0, w1, t)), X[x]) + dot(i8x4(funnel(w1, w2, t)), X[x + 1u])
    + dot(i8x4(funnel(w2, w3, t)), X[x + 2u]) + dot(i8x4(funnel(w3, w4, t)), X[x + 3u])
    + dot(i8x4(funnel(w4, w5, t)), X[x + 4u]) + dot(i8x4(funnel(w5, w6, t)), X[x + 5u])
    + dot(i8x4(funnel(w6, w7, t)), X[x + 6u]) + dot(i8x4(funnel(w7, w8, t)), X[x + 7u]);
  return d * s;
}

/** The unit's 32 quants as eight vec4 (a tile's tokens share one read). */
struct Q8Quads { q0: vec4<f32>, q1: vec4<f32>, q2: vec4<f32>, q3: vec4<f32>, q4: vec4<f32>, q5: vec4<f32>, q6: vec4<f32>, q7: vec4<f32> }

fn q8_dot(d: f32, w: Q8Quads, x: u32) -> f32 {
  return d * (dot(w.q0, X[x]) + dot(w.q1, X[x + 1u]) + dot(w.q2, X[x + 2u]) + dot(w.q3, X[x + 3u])
    + dot(w.q4, X[x + 4u]) + dot(w.q5, X[x + 5u]) + dot(w.q6, X[x + 6u]) + dot(w.q7, X[x + 7u]));
}

/** unit_dot for four tokens with the unit read once; each sum exactly unit_dot's. */
fn unit_dot4(row_base: u32, u: u32, x0: u32, x1: u32, x2: u32, x3: u32) -> vec4<f32> {
  let b = row_base + 34u * u;
  let d = load_f16(b);
  let j = (b + 2u) >> 2u;
  let t = ((b + 2u) & 3u) * 8u;
  let w0 = W[j]; let w1 = W[j + 1u]; let w2 = W[j + 2u]; let w3 = W[j + 3u]; let w4 = W[j + 4u];
  let w5 = W[j + 5u]; let w6 = W[j + 6u]; let w7 = W[j + 7u]; let w8 = W[j + 8u];
  let w = Q8Quads(i8x4(funnel(w0, w1, t)), i8x4(funnel(w1, w2, t)), i8x4(funnel(w2, w3, t)), i8x4(funnel(w3, w4, t)),
    i8x4(funnel(w4, w5, t)), i8x4(funnel(w5, w6, t)), i8x4(funnel(w6, w7, t)), i8x4(funnel(w7, w8, t)));
  return vec4<f32>(q8_dot(d, w, x0), q8_dot(d, w, x1), q8_dot(d, w, x2), q8_dot(d, w, x3));
}
