// BF16: the top 16 bits of an f32, 2 B per element. Unit u = bytes [row_base + 64u, +64), any
// byte offset. f32 = bitcast<f32>(bf16 << 16).

fn deq32(row_base: u32, u: u32, d: ptr<function, array<f32, 32>>) {
  let b = row_base + 64u * u;
  for (var k = 0u; k < 16u; k++) {
    let w = load_u32_at(b + 4u * k);
    (*d)[2u * k] = bitcast<f32>(w << 16u);
    (*d)[2u * k + 1u] = bitcast<f32>(w & 0xFFFF0000u);
  }
}
