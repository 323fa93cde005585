// Q8_0: 32 elements in 34 B { f16 d; i8 qs[32] }; y = qs·d. As the GPU keeps it (gpu/layout.ts):
// a row in runs of 8 blocks, [8 × f16 d][8 × 32 i8] = 272 B, so block u's scale is at
// run + 2·(u % 8) and its quants start on a word at run + 16 + 32·(u % 8). row_base % 4 == 0.

const QUAD_SPLIT = false;

struct Unit { w: u32, d: f32 }

/** Block u's scale and the word index of its quants. */
fn unit_head(row_base: u32, u: u32) -> Unit {
  let run = row_base + 272u * (u >> 3u);
  let k = u & 7u;
  let d = unpack2x16float(W[(run >> 2u) + (k >> 1u)] >> (16u * (k & 1u))).x;
  return Unit(((run + 16u) >> 2u) + 8u * k, d);
}

fn unit_oct(h: Unit, k: u32) -> Oct {
  let j = h.w + 2u * k;
  return Oct(i8x4(W[j]) * h.d, i8x4(W[j + 1u]) * h.d);
}
