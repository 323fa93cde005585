// The projection kernels' inner product: octet o of a weight unit (common/unit.wgsl) against
// the activation row starting at vec4 index x of the including kernel's
//   X: array<vec4<f32>>
// at the unit's quads qa and qb.

fn oct_dot(o: Oct, x: u32, qa: u32, qb: u32) -> f32 {
  return dot(o.a, X[x + qa]) + dot(o.b, X[x + qb]);
}
