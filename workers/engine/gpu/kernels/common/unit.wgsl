// The unit interface every quant snippet implements (quant/README.md): a 32-element unit u of a
// row is read as a header (`unit_head`: offsets and scales, decoded once) and four octets
// (`unit_oct(h, k)`, k = 0..3: two vec4 of elements). QUAD_SPLIT says where an octet's quads lie:
// false: elements 8k..8k+7 (quads 2k, 2k+1); true (nibble types, whose word k holds elements
// 4k.. in its low nibbles and 16+4k.. in its high ones): 4k..4k+3 and 16+4k..16+4k+3.
// Kernels that stream a row use these in registers; `deq32` fills an array for the others.

struct Oct { a: vec4<f32>, b: vec4<f32> }

/** The quad (vec4 index within the unit) of octet k's first and second vec4. */
fn quad_a(k: u32) -> u32 { return select(2u * k, k, QUAD_SPLIT); }
fn quad_b(k: u32) -> u32 { return select(2u * k + 1u, k + 4u, QUAD_SPLIT); }

// Small integers to f32: each byte is masked in place and converted, then scaled down by its
// power of two (exact: at most 8 significant bits). SwiftShader runs this 1.1-1.5× faster than
// extracting each byte with a shift (the Q8_0 and Q4_K dot loops of a 49152×1024 mat-vec, median
// to min of 8 interleaved runs), and several times faster than a shift whose count is a vector;
// the values, and so every sum, are the same.

/** The four unsigned bytes of w as floats. */
fn u8x4(w: u32) -> vec4<f32> {
  let v = bitcast<i32>(w);
  return vec4<f32>(f32(v & 0xFF), f32(v & 0xFF00) * 0x1p-8, f32(v & 0xFF0000) * 0x1p-16, f32(bitcast<i32>(w >> 24u)));
}

/** The low nibbles of w's bytes as floats. */
fn nib4(w: u32) -> vec4<f32> {
  let v = bitcast<i32>(w);
  return vec4<f32>(f32(v & 0xF), f32(v & 0xF00) * 0x1p-8, f32(v & 0xF0000) * 0x1p-16, f32(v & 0xF000000) * 0x1p-24);
}

/** The low nibble of each byte of w. */
fn nibbles(w: u32) -> vec4<u32> {
  return vec4<u32>(w & 0xFu, (w >> 8u) & 0xFu, (w >> 16u) & 0xFu, (w >> 24u) & 0xFu);
}

/** The four bytes of w, low byte first. */
fn bytes4(w: u32) -> vec4<u32> {
  return vec4<u32>(w & 0xFFu, (w >> 8u) & 0xFFu, (w >> 16u) & 0xFFu, w >> 24u);
}

/** The four signed bytes of w as floats (the low three biased by 128 to unsigned, the bias then taken off). */
fn i8x4(w: u32) -> vec4<f32> {
  let v = bitcast<i32>(w ^ 0x80808080u);
  return vec4<f32>(f32(v & 0xFF) - 128.0, f32(v & 0xFF00) * 0x1p-8 - 128.0, f32(v & 0xFF0000) * 0x1p-16 - 128.0, f32(bitcast<i32>(w) >> 24u));
}

/** Elements 32u .. 32u+31 of the row at byte row_base, into d. */
fn deq32(row_base: u32, u: u32, d: ptr<function, array<f32, 32>>) {
  let h = unit_head(row_base, u);
  for (var k = 0u; k < 4u; k++) {
    let o = unit_oct(h, k);
    let a = 4u * quad_a(k);
    let b = 4u * quad_b(k);
    for (var i = 0u; i < 4u; i++) {
      (*d)[a + i] = o.a[i];
      (*d)[b + i] = o.b[i];
    }
  }
}
