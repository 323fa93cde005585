// Q6_K: 256 elements in 210 B { u8 ql[128]; u8 qh[64]; i8 scales[16]; f16 d } (d last).
// Unit u % 8 = 4h + g: half h (128 elements), quarter g. Element l (0..31) of the unit:
// low 4 bits = nibble g/2 of ql[64h + 32(g%2) + l], high 2 bits = bits 2g.. of qh[32h + l],
// y = d·scales[8h + 2g + l/16]·(q - 32). Block u/8 starts at row_base + 210·(u/8): any byte offset.

const QUAD_SPLIT = false;

struct Unit { ql: u32, qh: u32, sl: u32, sh: u32, ds0: f32, ds1: f32 }

fn unit_head(row_base: u32, u: u32) -> Unit {
  let b = row_base + 210u * (u >> 3u);
  let h = (u >> 2u) & 1u;
  let g = u & 3u;
  let dd = load_f16(b + 208u);
  let sc = b + 192u + 8u * h + 2u * g;
  // exact: 11-bit × 8-bit; ·q rounds once, as on the CPU
  return Unit(b + 64u * h + 32u * (g & 1u), b + 128u + 32u * h, 4u * (g >> 1u), 2u * g, dd * f32(load_i8(sc)), dd * f32(load_i8(sc + 1u)));
}

fn q6k_quad(h: Unit, q: u32, ds: f32) -> vec4<f32> {
  let wl = load_u32_at(h.ql + 4u * q) >> h.sl;
  let wh = load_u32_at(h.qh + 4u * q) >> h.sh;
  return ds * (u8x4((wl & 0x0F0F0F0Fu) | ((wh & 0x03030303u) << 4u)) - 32.0);
}

fn unit_oct(h: Unit, k: u32) -> Oct {
  // Elements 0..15 use the first scale, 16..31 the second.
  let ds = select(h.ds0, h.ds1, k >= 2u);
  return Oct(q6k_quad(h, 2u * k, ds), q6k_quad(h, 2u * k + 1u, ds));
}
