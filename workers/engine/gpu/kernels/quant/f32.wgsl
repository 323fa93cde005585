// F32: 4 B per element, little-endian. Unit u = bytes [row_base + 128u, +128).
// Word-aligned: row_base % 4 == 0 (layout.ts wordAlignedRows).

const QUAD_SPLIT = false;

struct Unit { i: u32 }

fn unit_head(row_base: u32, u: u32) -> Unit {
  return Unit((row_base >> 2u) + 32u * u);
}

fn f32_quad(h: Unit, q: u32) -> vec4<f32> {
  let i = h.i + 4u * q;
  return bitcast<vec4<f32>>(vec4<u32>(W[i], W[i + 1u], W[i + 2u], W[i + 3u]));
}

fn unit_oct(h: Unit, k: u32) -> Oct {
  return Oct(f32_quad(h, 2u * k), f32_quad(h, 2u * k + 1u));
}
