// Greedy sampling on the GPU: OUT[t] = argmax_v L[t, v] (ties → lowest id), so a decode step
// reads back 4 bytes per token instead of the logits.
// Entry `main`, workgroup WG (common/reduce.wgsl); dispatch (n_tok). Needs common/select.wgsl.

struct Params { n_vocab: u32, n_tok: u32, l_stride: u32, out_off: u32 }

@group(0) @binding(0) var<storage, read> L: array<f32>;          // [n_tok, l_stride] logits
@group(0) @binding(1) var<storage, read_write> OUT: array<u32>;  // [out_off + n_tok] token ids
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let t = wg.x;
  var bv = NEG;
  var bi = 0xffffffffu;
  for (var v = lid; v < p.n_vocab; v += WG) {
    let x = L[t * p.l_stride + v];
    if (x > bv) { bv = x; bi = v; }
  }
  let best = arg_best(lid, bv, bi);
  if (lid == 0u) { OUT[p.out_off + t] = best.x; }
}
