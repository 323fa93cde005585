// The projection kernels' loops on CPU adapters (LANES 1, RPI 4): one invocation takes four
// weight rows side by side, unit by unit, so that each activation load serves four rows
// (SwiftShader pays per load instruction, not per byte). Rows r0 .. r0 + 3 of the matrix at byte
// `base` with n_rows rows of row_bytes; rows past the end re-read the last (the caller does not
// store them). Every token's sum is unit_dot's, unit after unit in order: the same sums as any
// other tile or lane layout, so the kernels stay batch-invariant.
// Needs unit_dot / unit_dot4 (the type's) and the including kernel's TILE override.

fn row4_base(base: u32, r: u32, n_rows: u32, row_bytes: u32) -> u32 {
  return base + min(r, n_rows - 1u) * row_bytes;
}

/** The four rows' sums against one token's activations at vec4 index x. */
fn rows4_dot(base: u32, r0: u32, n_rows: u32, row_bytes: u32, units: u32, x: u32) -> vec4<f32> {
  let b0 = row4_base(base, r0, n_rows, row_bytes); let b1 = row4_base(base, r0 + 1u, n_rows, row_bytes);
  let b2 = row4_base(base, r0 + 2u, n_rows, row_bytes); let b3 = row4_base(base, r0 + 3u, n_rows, row_bytes);
  var s0 = 0.0; var s1 = 0.0; var s2 = 0.0; var s3 = 0.0;
  for (var u = 0u; u < units; u++) {
    let q = x + 8u * u;
    s0 += unit_dot(b0, u, q); s1 += unit_dot(b1, u, q);
    s2 += unit_dot(b2, u, q); s3 += unit_dot(b3, u, q);
  }
  return vec4<f32>(s0, s1, s2, s3);
}

/**
 * The four rows' sums against a tile of n ≤ TILE (2, 4 or 8) tokens at vec4 indices x0 .. x7
 * (slots past n repeat the last): sums[row][token / 4][token % 4], those past n unset when n ≤ 4.
 * Each unit is read once per four tokens (unit_dot4), each token quad once per unit for all four
 * rows; a tile of one token takes rows4_dot. The branches on n are uniform, which SwiftShader
 * skips when not taken.
 */
fn rows4_dot_tile(base: u32, r0: u32, n_rows: u32, row_bytes: u32, units: u32, n: u32, x0: u32, x1: u32, x2: u32, x3: u32, x4: u32, x5: u32, x6: u32, x7: u32) -> array<mat2x4<f32>, 4> {
  let b0 = row4_base(base, r0, n_rows, row_bytes); let b1 = row4_base(base, r0 + 1u, n_rows, row_bytes);
  let b2 = row4_base(base, r0 + 2u, n_rows, row_bytes); let b3 = row4_base(base, r0 + 3u, n_rows, row_bytes);
  var a0 = vec4<f32>(0.0); var a1 = vec4<f32>(0.0); var a2 = vec4<f32>(0.0); var a3 = vec4<f32>(0.0);
  var c0 = vec4<f32>(0.0); var c1 = vec4<f32>(0.0); var c2 = vec4<f32>(0.0); var c3 = vec4<f32>(0.0);
  if (n == 1u) {
    // One token (an expert that one member of the batch chose): unit_dot's sums, without the
    // three more a quad would compute and drop.
    let s = rows4_dot(base, r0, n_rows, row_bytes, units, x0);
    return array<mat2x4<f32>, 4>(mat2x4<f32>(vec4<f32>(s.x), c0), mat2x4<f32>(vec4<f32>(s.y), c1),
      mat2x4<f32>(vec4<f32>(s.z), c2), mat2x4<f32>(vec4<f32>(s.w), c3));
  }
  for (var u = 0u; u < units; u++) {
    let q = 8u * u;
    a0 += unit_dot4(b0, u, x0 + q, x1 + q, x2 + q, x3 + q); a1 += unit_dot4(b1, u, x0 + q, x1 + q, x2 + q, x3 + q);
    a2 += unit_dot4(b2, u, x0 + q, x1 + q, x2 + q, x3 + q); a3 += unit_dot4(b3, u, x0 + q, x1 + q, x2 + q, x3 + q);
    if (TILE > 4u && n > 4u) {
      c0 += unit_dot4(b0, u, x4 + q, x5 + q, x6 + q, x7 + q); c1 += unit_dot4(b1, u, x4 + q, x5 + q, x6 + q, x7 + q);
      c2 += unit_dot4(b2, u, x4 + q, x5 + q, x6 + q, x7 + q); c3 += unit_dot4(b3, u, x4 + q, x5 + q, x6 + q, x7 + q);
    }
  }
  return array<mat2x4<f32>, 4>(mat2x4<f32>(a0, c0), mat2x4<f32>(a1, c1), mat2x4<f32>(a2, c2), mat2x4<f32>(a3, c3));
}
