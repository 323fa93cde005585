// IQ4_XS: 256 elements in 136 B { f16 d; u16 scales_h; u8 scales_l[4]; u8 qs[128] }.
// Sub-block ib (= unit u % 8) has the 6-bit scale ls = nibble ib%2 of scales_l[ib/2] |
// bits 2ib..2ib+1 of scales_h << 4, and qs[16ib .. 16ib+15]: y[j] = d·(ls - 32)·KV[low nibble],
// y[j+16] = … KV[high nibble] (kvalues_iq4nl). Word-aligned: row_base % 4 == 0.

const IQ4XS_KV = array<f32, 16>(-127.0, -104.0, -83.0, -65.0, -49.0, -35.0, -22.0, -10.0,
                                1.0, 13.0, 25.0, 38.0, 53.0, 69.0, 89.0, 113.0);

const QUAD_SPLIT = true;

struct Unit { i: u32, d: f32 }

fn unit_head(row_base: u32, u: u32) -> Unit {
  let i = (row_base >> 2u) + 34u * (u >> 3u);
  let ib = u & 7u;
  let w0 = W[i]; // d | scales_h << 16
  let ls = ((W[i + 1u] >> (4u * ib)) & 0xFu) | (((w0 >> (16u + 2u * ib)) & 3u) << 4u);
  return Unit(i + 2u + 4u * ib, unpack2x16float(w0).x * f32(i32(ls) - 32));
}

fn iq4_values(n: vec4<u32>) -> vec4<f32> {
  return vec4<f32>(IQ4XS_KV[n.x], IQ4XS_KV[n.y], IQ4XS_KV[n.z], IQ4XS_KV[n.w]);
}

fn unit_oct(h: Unit, k: u32) -> Oct {
  let w = W[h.i + k];
  return Oct(h.d * iq4_values(nibbles(w)), h.d * iq4_values(nibbles(w >> 4u)));
}
