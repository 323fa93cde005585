// Q4_0: 32 elements in 18 B { f16 d; u8 qs[16] }; y[j] = ((qs[j] & 0xF) - 8)·d,
// y[j+16] = ((qs[j] >> 4) - 8)·d. Block u starts at row_base + 18u: any byte offset.

const QUAD_SPLIT = true;

struct Unit { b: u32, d: f32 }

fn unit_head(row_base: u32, u: u32) -> Unit {
  let b = row_base + 18u * u;
  return Unit(b + 2u, load_f16(b));
}

fn unit_oct(h: Unit, k: u32) -> Oct {
  let w = load_u32_at(h.b + 4u * k);
  return Oct((nib4(w) - 8.0) * h.d, (nib4(w >> 4u) - 8.0) * h.d);
}
