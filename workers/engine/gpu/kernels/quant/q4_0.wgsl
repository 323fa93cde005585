// Q4_0: 32 elements in 18 B { f16 d; u8 qs[16] }; y[j] = ((qs[j] & 0xF) - 8)·d,
// y[j+16] = ((qs[j] >> 4) - 8)·d. Block u starts at row_base + 18u: any byte offset.

fn deq32(row_base: u32, u: u32, d: ptr<function, array<f32, 32>>) {
  let b = row_base + 18u * u;
  let dd = load_f16(b);
  for (var k = 0u; k < 4u; k++) {
    let w = load_u32_at(b + 2u + 4u * k);
    for (var i = 0u; i < 4u; i++) {
      let q = w >> (8u * i);
      (*d)[4u * k + i] = f32(i32(q & 0xFu) - 8) * dd;
      (*d)[4u * k + i + 16u] = f32(i32((q >> 4u) & 0xFu) - 8) * dd;
    }
  }
}
