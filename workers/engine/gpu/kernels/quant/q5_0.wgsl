// Q5_0: 32 elements in 22 B { f16 d; u8 qh[4]; u8 qs[16] }. Bit j of qh (u32) is the 5th bit
// of element j; y = (q - 16)·d, low nibbles = elements 0..15. Block u starts at row_base + 22u:
// any byte offset.

const QUAD_SPLIT = true;

struct Unit { b: u32, qh: u32, d: f32 }

fn unit_head(row_base: u32, u: u32) -> Unit {
  let b = row_base + 22u * u;
  return Unit(b + 6u, load_u32_at(b + 2u), load_f16(b));
}

/** Bits j .. j+3 of the high-bit word, each as bit 4 of a lane. */
fn high_bits(qh: u32, j: u32) -> vec4<u32> {
  return ((vec4<u32>(qh >> j) >> vec4<u32>(0u, 1u, 2u, 3u)) & vec4<u32>(1u)) << vec4<u32>(4u);
}

fn unit_oct(h: Unit, k: u32) -> Oct {
  let w = load_u32_at(h.b + 4u * k);
  let x0 = nibbles(w) | high_bits(h.qh, 4u * k);
  let x1 = nibbles(w >> 4u) | high_bits(h.qh, 4u * k + 16u);
  return Oct(vec4<f32>(vec4<i32>(x0) - vec4<i32>(16)) * h.d, vec4<f32>(vec4<i32>(x1) - vec4<i32>(16)) * h.d);
}
