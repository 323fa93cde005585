// Q6_K's fused unit_dot (common/unit_dot.wgsl): the unit's low and high bits as 9 words each,
// joined by funnel shifts (a block is 210 B, so every other block starts 2 bytes into a word),
// y·x summed per half-unit as d·scale·Σ (q − 32)·x.
// unit_dot4 repeats the reads rather than sharing a function that returns them: SwiftShader
// passes struct values through memory, which costs the 1-token path about a quarter.

fn q6k_quants(l: u32, h: u32, sl: u32, sh: u32) -> vec4<f32> {
  return u8x4(((l >> sl) & 0x0F0F0F0Fu) | (((h >> sh) & 0x03030303u) << 4u)) - 32.0;
}

fn unit_dot(row_base: u32, u: u32, x: u32) -> f32 {
  let b = row_base + 210u * (u >> 3u);
  let hf = (u >> 2u) & 1u;
  let g = u & 3u;
  let dd = load_f16(b + 208u);
  let sc = b + 192u + 8u * hf + 2u * g;
  let ql = b + 64u * hf + 32u * (g & 1u);
  let qh = b + 128u + 32u * hf;
  // ql and qh lie an even number of words apart from b's alignment: one shift for both.
  let t = (ql & 3u) * 8u;
  let i = ql >> 2u;
  let k = qh >> 2u;
  let sl = 4u * (g >> 1u);
  let sh = 2u * g;
  let l0 = W[i]; let l1 = W[i + 1u]; let l2 = W[i + 2u]; let l3 = W[i + 3u]; let l4 = W[i + 4u];
  let l5 = W[i + 5u]; let l6 = W[i + 6u]; let l7 = W[i + 7u]; let l8 = W[i + 8u];
  let h0 = W[k]; let h1 = W[k + 1u]; let h2 = W[k + 2u]; let h3 = W[k + 3u]; let h4 = W[k + 4u];
  let h5 = W[k + 5u]; let h6 = W[k + 6u]; let h7 = W[k + 7u]; let h8 = W[k + 8u];
  let s0 = dot(q6k_quants(funnel(l0, l1, t), funnel(h0, h1, t), sl, sh), X[x])
    + dot(q6k_quants(funnel(l1, l2, t), funnel(h1, h2, t), sl, sh), X[x + 1u])
    + dot(q6k_quants(funnel(l2, l3, t), funnel(h2, h3, t), sl, sh), X[x + 2u])
    + dot(q6k_quants(funnel(l3, l4, t), funnel(h3, h4, t), sl, sh), X[x + 3u]);
  let s1 = dot(q6k_quants(funnel(l4, l5, t), funnel(h4, h5, t), sl, sh), X[x + 4u])
    + dot(q6k_quants(funnel(l5, l6, t), funnel(h5, h6, t), sl, sh), X[x + 5u])
    + dot(q6k_quants(funnel(l6, l7, t), funnel(h6, h7, t), sl, sh), X[x + 6u])
    + dot(q6k_quants(funnel(l7, l8, t), funnel(h7, h8, t), sl, sh), X[x + 7u]);
  // exact: 11-bit × 8-bit, as in unit_head
  let ds0 = dd * f32(load_i8(sc));
  let ds1 = dd * f32(load_i8(sc + 1u));
  return ds0 * s0 + ds1 * s1;
}

/** The unit's 32 quants as eight vec4 (a tile's tokens share one read). */
struct Q6Quads { q0: vec4<f32>, q1: vec4<f32>, q2: vec4<f32>, q3: vec4<f32>, q4: vec4<f32>, q5: vec4<f32>, q6: vec4<f32>, q7: vec4<f32> }

/** One token's sum, the same operations in the same order as unit_dot. */
fn q6k_dot(w: Q6Quads, ds0: f32, ds1: f32, x: u32) -> f32 {
  let s0 = dot(w.q0, X[x]) + dot(w.q1, X[x + 1u]) + dot(w.q2, X[x + 2u]) + dot(w.q3, X[x + 3u]);
  let s1 = dot(w.q4, X[x + 4u]) + dot(w.q5, X[x + 5u]) + dot(w.q6, X[x + 6u]) + dot(w.q7, X[x + 7u]);
  return ds0 * s0 + ds1 * s1;
}

/** unit_dot for four tokens with the unit read once; each sum exactly unit_dot's. */
fn unit_dot4(row_base: u32, u: u32, x0: u32, x1: u32, x2: u32, x3: u32) -> vec4<f32> {
  let b = row_base + 210u * (u >> 3u);
  let hf = (u >> 2u) & 1u;
  let g = u & 3u;
  let dd = load_f16(b + 208u);
  let sc = b + 192u + 8u * hf + 2u * g;
  let ql = b + 64u * hf + 32u * (g & 1u);
  let qh = b + 128u + 32u * hf;
  let t = (ql & 3u) * 8u;
  let i = ql >> 2u;
  let k = qh >> 2u;
  let sl = 4u * (g >> 1u);
  let sh = 2u * g;
  let l0 = W[i]; let l1 = W[i + 1u]; let l2 = W[i + 2u]; let l3 = W[i + 3u]; let l4 = W[i + 4u];
  let l5 = W[i + 5u]; let l6 = W[i + 6u]; let l7 = W[i + 7u]; let l8 = W[i + 8u];
  let h0 = W[k]; let h1 = W[k + 1u]; let h2 = W[k + 2u]; let h3 = W[k + 3u]; let h4 = W[k + 4u];
  let h5 = W[k + 5u]; let h6 = W[k + 6u]; let h7 = W[k + 7u]; let h8 = W[k + 8u];
  let w = Q6Quads(
    q6k_quants(funnel(l0, l1, t), funnel(h0, h1, t), sl, sh), q6k_quants(funnel(l1, l2, t), funnel(h1, h2, t), sl, sh),
    q6k_quants(funnel(l2, l3, t), funnel(h2, h3, t), sl, sh), q6k_quants(funnel(l3, l4, t), funnel(h3, h4, t), sl, sh),
    q6k_quants(funnel(l4, l5, t), funnel(h4, h5, t), sl, sh), q6k_quants(funnel(l5, l6, t), funnel(h5, h6, t), sl, sh),
    q6k_quants(funnel(l6, l7, t), funnel(h6, h7, t), sl, sh), q6k_quants(funnel(l7, l8, t), funnel(h7, h8, t), sl, sh));
  let ds0 = dd * f32(load_i8(sc));
  let ds1 = dd * f32(load_i8(sc + 1u));
  return vec4<f32>(q6k_dot(w, ds0, ds1, x0), q6k_dot(w, ds0, ds1, x1), q6k_dot(w, ds0, ds1, x2), q6k_dot(w, ds0, ds1, x3));
}
