// get_scale_min_k4 of Q4_K / Q5_K: the 6-bit (scale, min) of sub-block j (0..7) from the 12
// packed bytes scales[0..11], passed as three little-endian words s0 = bytes 0..3, s1 = 4..7,
// s2 = 8..11. j < 4: sc = s[j] & 63, m = s[j+4] & 63. j >= 4: the low 4 bits come from the
// nibbles of s[j+4] (sc low, m high), bits 4..5 from the top 2 bits of s[j-4] (sc) and s[j] (m).

fn k_scale_min(s0: u32, s1: u32, s2: u32, j: u32) -> vec2<u32> {
  let sh = 8u * (j & 3u);
  let a = s0 >> sh;
  let b = s1 >> sh;
  if (j < 4u) {
    return vec2<u32>(a & 63u, b & 63u);
  }
  let c = s2 >> sh;
  return vec2<u32>((c & 0xFu) | (((a >> 6u) & 3u) << 4u), ((c >> 4u) & 0xFu) | (((b >> 6u) & 3u) << 4u));
}
