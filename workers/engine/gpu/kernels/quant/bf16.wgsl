// BF16: the top 16 bits of an f32, 2 B per element. Unit u = bytes [row_base + 64u, +64), any
// byte offset. f32 = bitcast<f32>(bf16 << 16).

const QUAD_SPLIT = false;

struct Unit { b: u32 }

fn unit_head(row_base: u32, u: u32) -> Unit {
  return Unit(row_base + 64u * u);
}

fn bf16_quad(h: Unit, q: u32) -> vec4<f32> {
  let b = h.b + 8u * q;
  let w0 = load_u32_at(b);
  let w1 = load_u32_at(b + 4u);
  return bitcast<vec4<f32>>(vec4<u32>(w0 << 16u, w0 & 0xFFFF0000u, w1 << 16u, w1 & 0xFFFF0000u));
}

fn unit_oct(h: Unit, k: u32) -> Oct {
  return Oct(bf16_quad(h, 2u * k), bf16_quad(h, 2u * k + 1u));
}
