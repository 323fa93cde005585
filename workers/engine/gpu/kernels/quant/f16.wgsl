// F16: IEEE binary16, 2 B per element. Unit u = bytes [row_base + 64u, +64); row_base may be any
// byte offset (2-aligned in practice), so words are read with load_u32_at.

const QUAD_SPLIT = false;

struct Unit { b: u32 }

fn unit_head(row_base: u32, u: u32) -> Unit {
  return Unit(row_base + 64u * u);
}

fn f16_quad(h: Unit, q: u32) -> vec4<f32> {
  let b = h.b + 8u * q;
  return vec4<f32>(unpack2x16float(load_u32_at(b)), unpack2x16float(load_u32_at(b + 4u)));
}

fn unit_oct(h: Unit, k: u32) -> Oct {
  return Oct(f16_quad(h, 2u * k), f16_quad(h, 2u * k + 1u));
}
