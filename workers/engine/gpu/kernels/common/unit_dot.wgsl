// The projection kernels' inner product: unit u of the weight row at byte row_base against the
// activations at vec4 index x of the including kernel's
//   X: array<vec4<f32>>
// (the unit's quads at x .. x + 7), as Σ over its octets. This is the version for types without
// a fused one (quant/<type>_dot.wgsl, see quant/README.md); every kernel and every tile size
// calls the same function per token, so a token's sum is the same in any batch.

fn unit_dot(row_base: u32, u: u32, x: u32) -> f32 {
  let h = unit_head(row_base, u);
  var s = 0.0;
  for (var k = 0u; k < 4u; k++) {
    let o = unit_oct(h, k);
    s += dot(o.a, X[x + quad_a(k)]) + dot(o.b, X[x + quad_b(k)]);
  }
  return s;
}

/** unit_dot for four tokens (vec4 indices x0..x3) with the unit read once; each sum exactly unit_dot's. */
fn unit_dot4(row_base: u32, u: u32, x0: u32, x1: u32, x2: u32, x3: u32) -> vec4<f32> {
  let h = unit_head(row_base, u);
  var s = vec4<f32>(0.0);
  for (var k = 0u; k < 4u; k++) {
    let o = unit_oct(h, k);
    let qa = quad_a(k);
    let qb = quad_b(k);
    s.x += dot(o.a, X[x0 + qa]) + dot(o.b, X[x0 + qb]);
    s.y += dot(o.a, X[x1 + qa]) + dot(o.b, X[x1 + qb]);
    s.z += dot(o.a, X[x2 + qa]) + dot(o.b, X[x2 + qb]);
    s.w += dot(o.a, X[x3 + qa]) + dot(o.b, X[x3 + qb]);
  }
  return s;
}
