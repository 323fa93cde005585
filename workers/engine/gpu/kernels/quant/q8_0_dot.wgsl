// Q8_0's fused unit_dot (common/unit_dot.wgsl): d once, the 32 quants as 8 aligned words
// (q8_0.wgsl's layout), y·x summed as d·Σ q·x. The header is written out rather than taken
// from unit_head, whose struct SwiftShader would pass through memory.
// unit_dot4 repeats the reads rather than sharing a function that returns them: SwiftShader
// passes struct values through memory, which costs the 1-token path about a quarter.

fn unit_dot(row_base: u32, u: u32, x: u32) -> f32 {
  let run = row_base + 272u * (u >> 3u);
  let k = u & 7u;
  let d = unpack2x16float(W[(run >> 2u) + (k >> 1u)] >> (16u * (k & 1u))).x;
  let j = ((run + 16u) >> 2u) + 8u * k;
  let s = dot(i8x4(W[j]), X[x]) + dot(i8x4(W[j + 1u]), X[x + 1u])
    + dot(i8x4(W[j + 2u]), X[x + 2u]) + dot(i8x4(W[j + 3u]), X[x + 3u])
    + dot(i8x4(W[j + 4u]), X[x + 4u]) + dot(i8x4(W[j + 5u]), X[x + 5u])
    + dot(i8x4(W[j + 6u]), X[x + 6u]) + dot(i8x4(W[j + 7u]), X[x + 7u]);
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
  let run = row_base + 272u * (u >> 3u);
  let k = u & 7u;
  let d = unpack2x16float(W[(run >> 2u) + (k >> 1u)] >> (16u * (k & 1u))).x;
  let j = ((run + 16u) >> 2u) + 8u * k;
  let w = Q8Quads(i8x4(W[j]), i8x4(W[j + 1u]), i8x4(W[j + 2u]), i8x4(W[j + 3u]),
    i8x4(W[j + 4u]), i8x4(W[j + 5u]), i8x4(W[j + 6u]), i8x4(W[j + 7u]));
  return vec4<f32>(q8_dot(d, w, x0), q8_dot(d, w, x1), q8_dot(d, w, x2), q8_dot(d, w, x3));
}
