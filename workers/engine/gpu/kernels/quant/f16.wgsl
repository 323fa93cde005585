// F16: IEEE binary16, 2 B per element. Unit u = bytes [row_base + 64u, +64); row_base may be any
// byte offset (2-aligned in practice), so words are read with load_u32_at.

fn deq32(row_base: u32, u: u32, d: ptr<function, array<f32, 32>>) {
  let b = row_base + 64u * u;
  for (var k = 0u; k < 16u; k++) {
    let h = unpack2x16float(load_u32_at(b + 4u * k));
    (*d)[2u * k] = h.x;
    (*d)[2u * k + 1u] = h.y;
  }
}
