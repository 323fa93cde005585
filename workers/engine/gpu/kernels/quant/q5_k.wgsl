// Q5_K: 256 elements in 176 B { f16 d; f16 dmin; u8 scales[12]; u8 qh[32]; u8 qs[128] }.
// As Q4_K, plus a 5th bit: bit j of qh[l] for element l of sub-block j (= unit u % 8):
// y = d·sc_j·(nibble | bit << 4) - dmin·m_j. Word-aligned: row_base % 4 == 0.

fn deq32(row_base: u32, u: u32, d: ptr<function, array<f32, 32>>) {
  let i = (row_base >> 2u) + 44u * (u >> 3u);
  let j = u & 7u;
  let dm = unpack2x16float(W[i]); // (d, dmin)
  let sm = k_scale_min(W[i + 1u], W[i + 2u], W[i + 3u], j);
  let d1 = dm.x * f32(sm.x); // exact: 11-bit × 6-bit
  let m1 = dm.y * f32(sm.y);
  let qs = i + 12u + 8u * (j >> 1u);
  let sh = 4u * (j & 1u);
  for (var k = 0u; k < 8u; k++) {
    let w = W[qs + k] >> sh;
    let h = W[i + 4u + k] >> j;
    for (var n = 0u; n < 4u; n++) {
      let q = ((w >> (8u * n)) & 0xFu) | (((h >> (8u * n)) & 1u) << 4u);
      (*d)[4u * k + n] = d1 * f32(q) - m1;
    }
  }
}
