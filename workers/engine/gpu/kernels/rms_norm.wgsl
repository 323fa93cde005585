// RMSNorm of each token's row: Y[y_off + t·y_stride + c] = X[x_off + t·x_stride + c] · inv_t · N[c], with
// inv_t = 1 / sqrt(mean(X[t]²) + eps), in the CPU reference's order (x·inv, then ·N).
// Entry `main`, workgroup WG (common/reduce.wgsl); dispatch (n_tok). The projections read its output, so that no
// projection workgroup recomputes a norm.

struct Params { cols: u32, x_stride: u32, x_off: u32, eps: f32, y_stride: u32, y_off: u32 }

@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read> N: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;  // [n_tok, y_stride]
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let t = wg.x;
  let xo = p.x_off + t * p.x_stride;
  var ss = 0.0;
  for (var c = lid; c < p.cols; c += WG) {
    let x = X[xo + c];
    ss += x * x;
  }
  let inv = 1.0 / sqrt(reduce_sum(lid, ss) / f32(p.cols) + p.eps);
  for (var c = lid; c < p.cols; c += WG) {
    Y[p.y_off + t * p.y_stride + c] = X[xo + c] * inv * N[c];
  }
}
