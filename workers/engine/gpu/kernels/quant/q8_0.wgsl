// Q8_0: 32 elements in 34 B { f16 d; i8 qs[32] }; y = qs·d. Block u starts at row_base + 34u:
// any byte offset.

const QUAD_SPLIT = false;

struct Unit { b: u32, d: f32 }

fn unit_head(row_base: u32, u: u32) -> Unit {
  let b = row_base + 34u * u;
  return Unit(b + 2u, load_f16(b));
}

fn unit_oct(h: Unit, k: u32) -> Oct {
  let o = h.b + 8u * k;
  return Oct(vec4<f32>(unpack4xI8(load_u32_at(o))) * h.d, vec4<f32>(unpack4xI8(load_u32_at(o + 4u))) * h.d);
}
