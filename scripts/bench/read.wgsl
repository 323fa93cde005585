// Streaming-read probe for the benchmark: each invocation sums RUN consecutive vec4<f32>.
// CONTIGUOUS = true: invocation i reads [i·RUN, (i+1)·RUN) (PERFORMANCE.md's kernel);
// false: step j of every invocation reads element j·N + i, so neighbouring invocations read
// neighbouring words (coalesced). Entry `main`, workgroup 256; dispatch (n_groups).

override CONTIGUOUS: bool = true;

struct Params { run: u32, n_inv: u32, _pad0: u32, _pad1: u32 }

@group(0) @binding(0) var<storage, read> SRC: array<vec4<f32>>;  // [n_inv · run]
@group(0) @binding(1) var<storage, read_write> OUT: array<f32>;  // [n_inv] per-invocation sums
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  var s = vec4<f32>(0.0);
  for (var j = 0u; j < p.run; j++) {
    s += SRC[select(j * p.n_inv + i, i * p.run + j, CONTIGUOUS)];
  }
  OUT[i] = s.x + s.y + s.z + s.w;
}
