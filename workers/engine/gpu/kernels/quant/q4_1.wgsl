// Q4_1: 32 elements in 20 B { f16 d; f16 m; u8 qs[16] }; y[j] = (qs[j] & 0xF)·d + m,
// y[j+16] = (qs[j] >> 4)·d + m. Word-aligned: row_base % 4 == 0.

const QUAD_SPLIT = true;

struct Unit { i: u32, d: f32, m: f32 }

fn unit_head(row_base: u32, u: u32) -> Unit {
  let i = (row_base >> 2u) + 5u * u;
  let dm = unpack2x16float(W[i]); // (d, m)
  return Unit(i + 1u, dm.x, dm.y);
}

fn unit_oct(h: Unit, k: u32) -> Oct {
  let w = W[h.i + k];
  return Oct(nib4(w) * h.d + h.m, nib4(w >> 4u) * h.d + h.m);
}
