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

// Small integers to f32 without an int-to-float conversion: 0x4B000000 | b is the float 2^23 + b
// for any b < 2^23, so subtracting 2^23 gives b exactly. SwiftShader runs a conversion, and a
// shift whose count is a vector, several times slower than these scalar shifts and bit
// operations (on the Q8_0 output head, 1.6× the unpacking speed of unpack4xI8); the values, and
// so every sum, are the same.
const TWO23: u32 = 0x4B000000u;

/** Bits [s, s + 8) of w (s a constant) as the float 2^23 + that byte. */
fn byte_f(w: u32, s: u32) -> f32 {
  return bitcast<f32>(((w >> s) & 0xFFu) | TWO23);
}

/** The four bytes of w, low byte first. */
fn bytes4(w: u32) -> vec4<u32> {
  return vec4<u32>(w & 0xFFu, (w >> 8u) & 0xFFu, (w >> 16u) & 0xFFu, w >> 24u);
}

/** The low nibble of each byte of w. */
fn nibbles(w: u32) -> vec4<u32> {
  return vec4<u32>(w & 0xFu, (w >> 8u) & 0xFu, (w >> 16u) & 0xFu, (w >> 24u) & 0xFu);
}

/** The low nibbles of w's bytes as floats. */
fn nib4(w: u32) -> vec4<f32> {
  let v = w & 0x0F0F0F0Fu;
  return vec4<f32>(byte_f(v, 0u), byte_f(v, 8u), byte_f(v, 16u), byte_f(v, 24u)) - 8388608.0;
}

/** The four unsigned bytes of w as floats. */
fn u8x4(w: u32) -> vec4<f32> {
  return vec4<f32>(byte_f(w, 0u), byte_f(w, 8u), byte_f(w, 16u), byte_f(w, 24u)) - 8388608.0;
}

/** The four signed bytes of w as floats (each biased by 128 to unsigned, the bias then taken off). */
fn i8x4(w: u32) -> vec4<f32> {
  let v = w ^ 0x80808080u;
  return vec4<f32>(byte_f(v, 0u), byte_f(v, 8u), byte_f(v, 16u), byte_f(v, 24u)) - 8388736.0;
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
