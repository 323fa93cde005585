// Byte-addressed reads from the including kernel's module-scope weight binding
//   W: array<u32>   // raw little-endian bytes, 4 per word (the buffer padded to a multiple of 4)
// WGSL has no u8 or unaligned loads: a value at byte offset b lives in word b/4 at bit 8·(b%4),
// and one that straddles two words is joined from both. Reads past the end of W are clamped by
// WebGPU's robust buffer access; their bits are always shifted out here.

/** Word at a 4-aligned byte offset (the fast path: one load). */
fn load_u32(byte: u32) -> u32 {
  return W[byte >> 2u];
}

/** The 32 bits s (0, 8, 16 or 24) bits into the 64 of hi:lo (no branch; s = 0 drops hi). */
fn funnel(lo: u32, hi: u32, s: u32) -> u32 {
  return (lo >> s) | ((hi << 1u) << (31u - s));
}

/** 32 bits at any byte offset: two words and a funnel shift. */
fn load_u32_at(byte: u32) -> u32 {
  let i = byte >> 2u;
  return funnel(W[i], W[i + 1u], (byte & 3u) * 8u);
}

fn load_u8(byte: u32) -> u32 {
  return (W[byte >> 2u] >> ((byte & 3u) * 8u)) & 0xFFu;
}

fn load_i8(byte: u32) -> i32 {
  return bitcast<i32>(W[byte >> 2u] << (24u - (byte & 3u) * 8u)) >> 24u;
}

/** u16 at any byte offset; at b % 4 == 3 it straddles two words. */
fn load_u16(byte: u32) -> u32 {
  return load_u32_at(byte) & 0xFFFFu;
}

/** IEEE binary16 at any byte offset, widened to f32 (exact, subnormals included). */
fn load_f16(byte: u32) -> f32 {
  return unpack2x16float(load_u16(byte)).x;
}

/** Signed byte k (0..3) of word w. */
fn byte_i8(w: u32, k: u32) -> i32 {
  return bitcast<i32>(w << (24u - 8u * k)) >> 24u;
}
