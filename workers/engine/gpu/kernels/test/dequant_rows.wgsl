// Test kernel: dequantise whole rows with the deq32 snippet of one ggml type (quantShaders.ts
// appends bytes.wgsl + the type's snippet). Entry point `main`, workgroup size 64, dispatch
// ceil(n_rows·n_units / 64) workgroups in x. Invocation t decodes unit t % n_units of row
// t / n_units into Y[32t .. 32t+31].

struct Params {
  base: u32,      // byte offset of row 0 in W (any value for the unaligned types)
  row_bytes: u32, // bytes per row (= n_units·32 / blockSize · typeSize)
  n_units: u32,   // 32-element units per row
  n_rows: u32,
}

@group(0) @binding(0) var<storage, read> W: array<u32>;       // raw GGUF bytes, padded to 4
@group(0) @binding(1) var<uniform> P: Params;                  // one per dispatch
@group(0) @binding(2) var<storage, read_write> Y: array<f32>; // [n_rows, n_units·32]

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let t = gid.x;
  if (t >= P.n_rows * P.n_units) {
    return;
  }
  var d: array<f32, 32>;
  deq32(P.base + (t / P.n_units) * P.row_bytes, t % P.n_units, &d);
  for (var k = 0u; k < 32u; k++) {
    Y[32u * t + k] = d[k];
  }
}
