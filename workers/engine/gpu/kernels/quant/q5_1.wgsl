// Q5_1: 32 elements in 24 B { f16 d; f16 m; u8 qh[4]; u8 qs[16] }; 5th bit as in Q5_0,
// y = q·d + m. Word-aligned: row_base % 4 == 0.

const QUAD_SPLIT = true;

struct Unit { i: u32, qh: u32, d: f32, m: f32 }

fn unit_head(row_base: u32, u: u32) -> Unit {
  let i = (row_base >> 2u) + 6u * u;
  let dm = unpack2x16float(W[i]); // (d, m)
  return Unit(i + 2u, W[i + 1u], dm.x, dm.y);
}

/** Bits j .. j+3 of the high-bit word, each as bit 4 of a lane. */
fn high_bits(qh: u32, j: u32) -> vec4<u32> {
  return ((vec4<u32>(qh >> j) >> vec4<u32>(0u, 1u, 2u, 3u)) & vec4<u32>(1u)) << vec4<u32>(4u);
}

fn unit_oct(h: Unit, k: u32) -> Oct {
  let w = W[h.i + k];
  let x0 = nibbles(w) | high_bits(h.qh, 4u * k);
  let x1 = nibbles(w >> 4u) | high_bits(h.qh, 4u * k + 16u);
  return Oct(vec4<f32>(x0) * h.d + h.m, vec4<f32>(x1) * h.d + h.m);
}
