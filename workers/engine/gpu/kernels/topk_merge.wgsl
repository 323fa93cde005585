// Sampling candidates, stage 2 of 2: the K best of the N_PART·K partial candidates (ties →
// lowest id) and logZ = log Σ exp(logits) over the whole vocabulary, so probabilities are exact
// while only 4 + 8K bytes are read back. OUT = [logZ, id_0, logit_0, …] (ids as u32 bits).
// Entry `main`, workgroup WG (common/reduce.wgsl); dispatch (1). Needs common/select.wgsl.

struct Params { n_vocab: u32, k: u32, out_off: u32, _pad1: u32 }

@group(0) @binding(0) var<storage, read> PART: array<u32>;         // [N_PART][2 + 2·MAX_K]
@group(0) @binding(1) var<storage, read_write> OUT: array<u32>;    // [1 + 2k] from out_off (one block per position)
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  let stride = 2u + 2u * MAX_K;
  var m = NEG;
  for (var b = lid; b < N_PART; b += WG) { m = max(m, bitcast<f32>(PART[b * stride])); }
  m = reduce_max(lid, m);
  var z = 0.0;
  for (var b = lid; b < N_PART; b += WG) {
    let mb = bitcast<f32>(PART[b * stride]);
    if (mb > NEG) { z += bitcast<f32>(PART[b * stride + 1u]) * exp(mb - m); }
  }
  z = reduce_sum(lid, z);
  if (lid == 0u) { OUT[p.out_off] = bitcast<u32>(m + log(z)); }

  let n = N_PART * p.k;
  for (var k = 0u; k < p.k; k++) {
    var bv = NEG;
    var bi = 0xffffffffu;
    for (var c = lid; c < n; c += WG) {
      let b = c / p.k;
      let j = c % p.k;
      let id = PART[b * stride + 2u + 2u * j];
      let x = bitcast<f32>(PART[b * stride + 3u + 2u * j]);
      if (id < p.n_vocab && (x > bv || (x == bv && id < bi)) && !is_taken(id, k)) { bv = x; bi = id; }
    }
    let best = arg_best(lid, bv, bi);
    if (lid == 0u) {
      taken[k] = best.x;
      OUT[p.out_off + 1u + 2u * k] = best.x;
      OUT[p.out_off + 2u + 2u * k] = best.y;
    }
    workgroupBarrier();
  }
}
