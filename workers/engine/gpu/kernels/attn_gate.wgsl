// The output gate of gated attention (qwen3next, qwen35moe), in place: O[t, h·dk + i] ·=
// sigmoid(gate), the gate being the dk values after query head h in QKV (qk_rope.wgsl's F_QGATE).
// Entry `main`, workgroup 64; dispatch (ceil(n_head·dk / 64), n_tok).

struct Params { n_head: u32, dk: u32, qkv_stride: u32, _pad: u32 }

@group(0) @binding(0) var<storage, read> QKV: array<f32>;      // [n_tok, qkv_stride]: [q_0; g_0; q_1; g_1; …] | K | V
@group(0) @binding(1) var<storage, read_write> O: array<f32>;  // [n_tok, n_head·dk] attention output
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= p.n_head * p.dk) { return; }
  let t = gid.y;
  let h = i / p.dk;
  let g = QKV[t * p.qkv_stride + (2u * h + 1u) * p.dk + i % p.dk];
  O[t * p.n_head * p.dk + i] *= 1.0 / (1.0 + exp(-g));
}
