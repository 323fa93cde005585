// Q6_K: 256 elements in 210 B { u8 ql[128]; u8 qh[64]; i8 scales[16]; f16 d } (d last).
// Unit u % 8 = 4h + g: half h (128 elements), quarter g. Element l (0..31) of the unit:
// low 4 bits = nibble g/2 of ql[64h + 32(g%2) + l], high 2 bits = bits 2g.. of qh[32h + l],
// y = d·scales[8h + 2g + l/16]·(q - 32). Block u/8 starts at row_base + 210·(u/8): any byte offset.

fn deq32(row_base: u32, u: u32, d: ptr<function, array<f32, 32>>) {
  let b = row_base + 210u * (u >> 3u);
  let h = (u >> 2u) & 1u;
  let g = u & 3u;
  let dd = load_f16(b + 208u);
  let sc = b + 192u + 8u * h + 2u * g;
  let ds0 = dd * f32(load_i8(sc)); // exact: 11-bit × 8-bit; ·q rounds once, as on the CPU
  let ds1 = dd * f32(load_i8(sc + 1u));
  let ql = b + 64u * h + 32u * (g & 1u);
  let qh = b + 128u + 32u * h;
  let sl = 4u * (g >> 1u);
  for (var k = 0u; k < 8u; k++) {
    let wl = load_u32_at(ql + 4u * k) >> sl;
    let wh = load_u32_at(qh + 4u * k) >> (2u * g);
    let ds = select(ds0, ds1, k >= 4u);
    for (var n = 0u; n < 4u; n++) {
      let q = ((wl >> (8u * n)) & 0xFu) | (((wh >> (8u * n)) & 3u) << 4u);
      (*d)[4u * k + n] = ds * f32(i32(q) - 32);
    }
  }
}
