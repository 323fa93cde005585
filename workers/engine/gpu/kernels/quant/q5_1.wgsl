// Q5_1: 32 elements in 24 B { f16 d; f16 m; u8 qh[4]; u8 qs[16] }; 5th bit as in Q5_0,
// y = q·d + m. Word-aligned: row_base % 4 == 0.

fn deq32(row_base: u32, u: u32, d: ptr<function, array<f32, 32>>) {
  let i = (row_base >> 2u) + 6u * u;
  let dm = unpack2x16float(W[i]); // (d, m)
  let qh = W[i + 1u];
  for (var k = 0u; k < 4u; k++) {
    let w = W[i + 2u + k];
    for (var n = 0u; n < 4u; n++) {
      let j = 4u * k + n;
      let q = w >> (8u * n);
      let x0 = (q & 0xFu) | (((qh >> j) & 1u) << 4u);
      let x1 = ((q >> 4u) & 0xFu) | (((qh >> (j + 16u)) & 1u) << 4u);
      (*d)[j] = f32(x0) * dm.x + dm.y;
      (*d)[j + 16u] = f32(x1) * dm.x + dm.y;
    }
  }
}
