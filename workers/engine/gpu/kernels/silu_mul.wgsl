// Gated activation of a dense FFN, in place: G[i] = silu(G[i]) · U[i].
// Entry `main`, workgroup 64; dispatch (ceil(n / 64)).

struct Params { n: u32, _pad0: u32, _pad1: u32, _pad2: u32 }

@group(0) @binding(0) var<storage, read_write> G: array<f32>;  // [n] gate projection in, activation out
@group(0) @binding(1) var<storage, read> U: array<f32>;        // [n] up projection
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= p.n) { return; }
  let g = G[i];
  G[i] = g / (1.0 + exp(-g)) * U[i];
}
