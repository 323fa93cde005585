// Q4_K: 256 elements in 144 B { f16 d; f16 dmin; u8 scales[12]; u8 qs[128] }, 8 sub-blocks
// of 32. Sub-block j (= unit u % 8) reads qs[32·(j/2) ..][l], low nibble for even j, high for
// odd: y = d·sc_j·q - dmin·m_j, (sc_j, m_j) = k_scale_min(j) (k_scale_min.wgsl).
// Word-aligned: row_base % 4 == 0.

fn deq32(row_base: u32, u: u32, d: ptr<function, array<f32, 32>>) {
  let i = (row_base >> 2u) + 36u * (u >> 3u);
  let j = u & 7u;
  let dm = unpack2x16float(W[i]); // (d, dmin)
  let sm = k_scale_min(W[i + 1u], W[i + 2u], W[i + 3u], j);
  let d1 = dm.x * f32(sm.x); // exact: 11-bit × 6-bit
  let m1 = dm.y * f32(sm.y);
  let qs = i + 4u + 8u * (j >> 1u);
  let sh = 4u * (j & 1u);
  for (var k = 0u; k < 8u; k++) {
    let w = W[qs + k] >> sh;
    for (var n = 0u; n < 4u; n++) {
      (*d)[4u * k + n] = d1 * f32((w >> (8u * n)) & 0xFu) - m1;
    }
  }
}
