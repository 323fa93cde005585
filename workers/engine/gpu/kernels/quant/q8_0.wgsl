// Q8_0: 32 elements in 34 B { f16 d; i8 qs[32] }; y = qs·d. Block u starts at row_base + 34u:
// any byte offset.

fn deq32(row_base: u32, u: u32, d: ptr<function, array<f32, 32>>) {
  let b = row_base + 34u * u;
  let dd = load_f16(b);
  for (var k = 0u; k < 8u; k++) {
    let w = load_u32_at(b + 2u + 4u * k);
    for (var i = 0u; i < 4u; i++) {
      (*d)[4u * k + i] = f32(byte_i8(w, i)) * dd;
    }
  }
}
