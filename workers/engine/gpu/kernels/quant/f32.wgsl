// F32: 4 B per element, little-endian. Unit u = bytes [row_base + 128u, +128).
// Word-aligned: row_base % 4 == 0 (quantShaders.wordAlignedBlocks).

fn deq32(row_base: u32, u: u32, d: ptr<function, array<f32, 32>>) {
  let i = (row_base >> 2u) + 32u * u;
  for (var k = 0u; k < 32u; k++) {
    (*d)[k] = bitcast<f32>(W[i + k]);
  }
}
