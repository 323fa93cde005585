// Sampling candidates on the GPU: the K largest logits of one token (ties → lowest id) and the
// log of the softmax normaliser over the whole vocabulary, so that probabilities are exact
// while only 4 + 8K bytes are read back. Entry `main`, workgroup 64; dispatch (1).
// OUT = [logZ, id_0, logit_0, id_1, logit_1, …] (ids stored as u32 bits).

struct Params { n_vocab: u32, k: u32, l_off: u32, _pad: u32 }

@group(0) @binding(0) var<storage, read> L: array<f32>;            // logits; the token's row at l_off
@group(0) @binding(1) var<storage, read_write> WORK: array<f32>;   // [n_vocab] scratch copy
@group(0) @binding(2) var<storage, read_write> OUT: array<u32>;    // [1 + 2k]
@group(0) @binding(3) var<uniform> p: Params;

var<workgroup> best_v: array<f32, 64>;
var<workgroup> best_i: array<u32, 64>;

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) lid: u32) {
  var m = -3.4e38;
  for (var v = lid; v < p.n_vocab; v += WG) {
    let x = L[p.l_off + v];
    WORK[v] = x;
    m = max(m, x);
  }
  m = reduce_max(lid, m);
  var z = 0.0;
  for (var v = lid; v < p.n_vocab; v += WG) { z += exp(L[p.l_off + v] - m); }
  z = reduce_sum(lid, z);
  if (lid == 0u) { OUT[0] = bitcast<u32>(m + log(z)); }
  storageBarrier();

  for (var k = 0u; k < p.k; k++) {
    var bv = -3.4e38;
    var bi = 0xffffffffu;
    for (var v = lid; v < p.n_vocab; v += WG) {
      let x = WORK[v];
      if (x > bv) { bv = x; bi = v; }
    }
    best_v[lid] = bv;
    best_i[lid] = bi;
    workgroupBarrier();
    for (var s = 32u; s > 0u; s = s >> 1u) {
      if (lid < s) {
        let ov = best_v[lid + s];
        let oi = best_i[lid + s];
        if (ov > best_v[lid] || (ov == best_v[lid] && oi < best_i[lid])) { best_v[lid] = ov; best_i[lid] = oi; }
      }
      workgroupBarrier();
    }
    if (lid == 0u) {
      let id = best_i[0];
      OUT[1u + 2u * k] = id;
      OUT[2u + 2u * k] = bitcast<u32>(best_v[0]);
      if (id < p.n_vocab) { WORK[id] = -3.4e38; }
    }
    storageBarrier();
  }
}
