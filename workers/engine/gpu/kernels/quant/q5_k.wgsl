// Q5_K: 256 elements in 176 B { f16 d; f16 dmin; u8 scales[12]; u8 qh[32]; u8 qs[128] }.
// As Q4_K, plus a 5th bit: bit j of qh[l] for element l of sub-block j (= unit u % 8):
// y = d·sc_j·(nibble | bit << 4) - dmin·m_j. Word-aligned: row_base % 4 == 0.

const QUAD_SPLIT = false;

struct Unit { qs: u32, qh: u32, sh: u32, j: u32, d: f32, m: f32 }

fn unit_head(row_base: u32, u: u32) -> Unit {
  let i = (row_base >> 2u) + 44u * (u >> 3u);
  let j = u & 7u;
  let dm = unpack2x16float(W[i]); // (d, dmin)
  let sm = k_scale_min(W[i + 1u], W[i + 2u], W[i + 3u], j);
  // exact: 11-bit × 6-bit
  return Unit(i + 12u + 8u * (j >> 1u), i + 4u, 4u * (j & 1u), j, dm.x * f32(sm.x), dm.y * f32(sm.y));
}

fn q5k_quad(h: Unit, q: u32) -> vec4<f32> {
  let w = W[h.qs + q] >> h.sh;
  let hb = W[h.qh + q] >> h.j;
  return h.d * u8x4((w & 0x0F0F0F0Fu) | ((hb & 0x01010101u) << 4u)) - h.m;
}

fn unit_oct(h: Unit, k: u32) -> Oct {
  return Oct(q5k_quad(h, 2u * k), q5k_quad(h, 2u * k + 1u));
}
