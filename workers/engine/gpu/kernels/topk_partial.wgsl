// Sampling candidates, stage 1 of 2: workgroup b takes a slice of one token's logits and
// writes its K best (id, logit) (ties → lowest id) and (max, Σ exp(x − max)) to PART.
// Entry `main`, workgroup WG (common/reduce.wgsl); dispatch (N_PART). Needs common/select.wgsl.

struct Params { n_vocab: u32, k: u32, l_off: u32, _pad: u32 }

@group(0) @binding(0) var<storage, read> L: array<f32>;            // logits; the token's row at l_off
@group(0) @binding(1) var<storage, read_write> PART: array<u32>;   // [N_PART][2 + 2·MAX_K]
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let chunk = (p.n_vocab + N_PART - 1u) / N_PART;
  let lo = min(p.n_vocab, wg.x * chunk);
  let hi = min(p.n_vocab, lo + chunk);
  let out = wg.x * (2u + 2u * MAX_K);
  var m = NEG;
  for (var v = lo + lid; v < hi; v += WG) { m = max(m, L[p.l_off + v]); }
  m = reduce_max(lid, m);
  var z = 0.0;
  for (var v = lo + lid; v < hi; v += WG) { z += exp(L[p.l_off + v] - m); }
  z = reduce_sum(lid, z);
  if (lid == 0u) {
    PART[out] = bitcast<u32>(m);
    PART[out + 1u] = bitcast<u32>(z);
  }
  for (var k = 0u; k < p.k; k++) {
    var bv = NEG;
    var bi = 0xffffffffu;
    for (var v = lo + lid; v < hi; v += WG) {
      let x = L[p.l_off + v];
      if ((x > bv || (x == bv && v < bi)) && !is_taken(v, k)) { bv = x; bi = v; }
    }
    let b = arg_best(lid, bv, bi);
    if (lid == 0u) {
      taken[k] = b.x;
      PART[out + 2u + 2u * k] = b.x;
      PART[out + 3u + 2u * k] = b.y;
    }
    workgroupBarrier();
  }
}

