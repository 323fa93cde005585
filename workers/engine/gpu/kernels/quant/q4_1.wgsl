// Q4_1: 32 elements in 20 B { f16 d; f16 m; u8 qs[16] }; y[j] = (qs[j] & 0xF)·d + m,
// y[j+16] = (qs[j] >> 4)·d + m. Word-aligned: row_base % 4 == 0.

fn deq32(row_base: u32, u: u32, d: ptr<function, array<f32, 32>>) {
  let i = (row_base >> 2u) + 5u * u;
  let dm = unpack2x16float(W[i]); // (d, m)
  for (var k = 0u; k < 4u; k++) {
    let w = W[i + 1u + k];
    for (var j = 0u; j < 4u; j++) {
      let q = w >> (8u * j);
      (*d)[4u * k + j] = f32(q & 0xFu) * dm.x + dm.y;
      (*d)[4u * k + j + 16u] = f32((q >> 4u) & 0xFu) * dm.x + dm.y;
    }
  }
}
