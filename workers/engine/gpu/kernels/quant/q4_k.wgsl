// Q4_K: 256 elements in 144 B { f16 d; f16 dmin; u8 scales[12]; u8 qs[128] }, 8 sub-blocks
// of 32. Sub-block j (= unit u % 8) reads qs[32·(j/2) ..][l], low nibble for even j, high for
// odd: y = d·sc_j·q - dmin·m_j, (sc_j, m_j) = k_scale_min(j) (k_scale_min.wgsl).
// Word-aligned: row_base % 4 == 0.

const QUAD_SPLIT = false;

struct Unit { qs: u32, sh: u32, d: f32, m: f32 }

fn unit_head(row_base: u32, u: u32) -> Unit {
  let i = (row_base >> 2u) + 36u * (u >> 3u);
  let j = u & 7u;
  let dm = unpack2x16float(W[i]); // (d, dmin)
  let sm = k_scale_min(W[i + 1u], W[i + 2u], W[i + 3u], j);
  // exact: 11-bit × 6-bit
  return Unit(i + 4u + 8u * (j >> 1u), 4u * (j & 1u), dm.x * f32(sm.x), dm.y * f32(sm.y));
}

fn q4k_quad(h: Unit, q: u32) -> vec4<f32> {
  return h.d * nib4(W[h.qs + q] >> h.sh) - h.m;
}

fn unit_oct(h: Unit, k: u32) -> Oct {
  return Oct(q4k_quad(h, 2u * k), q4k_quad(h, 2u * k + 1u));
}
