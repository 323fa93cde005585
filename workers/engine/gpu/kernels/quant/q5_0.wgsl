// Q5_0: 32 elements in 22 B { f16 d; u8 qh[4]; u8 qs[16] }. Bit j of qh (u32) is the 5th bit
// of element j; y = (q - 16)·d, low nibbles = elements 0..15. Block u starts at row_base + 22u:
// any byte offset.

fn deq32(row_base: u32, u: u32, d: ptr<function, array<f32, 32>>) {
  let b = row_base + 22u * u;
  let dd = load_f16(b);
  let qh = load_u32_at(b + 2u);
  for (var k = 0u; k < 4u; k++) {
    let w = load_u32_at(b + 6u + 4u * k);
    for (var i = 0u; i < 4u; i++) {
      let j = 4u * k + i;
      let q = w >> (8u * i);
      let x0 = (q & 0xFu) | (((qh >> j) & 1u) << 4u);
      let x1 = ((q >> 4u) & 0xFu) | (((qh >> (j + 16u)) & 1u) << 4u);
      (*d)[j] = f32(i32(x0) - 16) * dd;
      (*d)[j + 16u] = f32(i32(x1) - 16) * dd;
    }
  }
}
