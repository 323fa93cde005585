// IQ4_NL: 32 elements in 18 B { f16 d; u8 qs[16] }; y[j] = d·KV[qs[j] & 0xF],
// y[j+16] = d·KV[qs[j] >> 4] (non-linear grid kvalues_iq4nl). Any byte offset.

const IQ4NL_KV = array<f32, 16>(-127.0, -104.0, -83.0, -65.0, -49.0, -35.0, -22.0, -10.0,
                                1.0, 13.0, 25.0, 38.0, 53.0, 69.0, 89.0, 113.0);

const QUAD_SPLIT = true;

struct Unit { b: u32, d: f32 }

fn unit_head(row_base: u32, u: u32) -> Unit {
  let b = row_base + 18u * u;
  return Unit(b + 2u, load_f16(b));
}

fn iq4_values(n: vec4<u32>) -> vec4<f32> {
  return vec4<f32>(IQ4NL_KV[n.x], IQ4NL_KV[n.y], IQ4NL_KV[n.z], IQ4NL_KV[n.w]);
}

fn unit_oct(h: Unit, k: u32) -> Oct {
  let w = load_u32_at(h.b + 4u * k);
  return Oct(h.d * iq4_values(nibbles(w)), h.d * iq4_values(nibbles(w >> 4u)));
}
