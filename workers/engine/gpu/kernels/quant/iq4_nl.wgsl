// IQ4_NL: 32 elements in 18 B { f16 d; u8 qs[16] }; y[j] = d·KV[qs[j] & 0xF],
// y[j+16] = d·KV[qs[j] >> 4] (non-linear grid kvalues_iq4nl). Any byte offset.

const IQ4NL_KV = array<f32, 16>(-127.0, -104.0, -83.0, -65.0, -49.0, -35.0, -22.0, -10.0,
                                1.0, 13.0, 25.0, 38.0, 53.0, 69.0, 89.0, 113.0);

fn deq32(row_base: u32, u: u32, d: ptr<function, array<f32, 32>>) {
  let b = row_base + 18u * u;
  let dd = load_f16(b);
  for (var k = 0u; k < 4u; k++) {
    let w = load_u32_at(b + 2u + 4u * k);
    for (var i = 0u; i < 4u; i++) {
      let q = w >> (8u * i);
      (*d)[4u * k + i] = dd * IQ4NL_KV[q & 0xFu];
      (*d)[4u * k + i + 16u] = dd * IQ4NL_KV[(q >> 4u) & 0xFu];
    }
  }
}
