// Shared by argmax.wgsl, topk_partial.wgsl and topk_merge.wgsl: a workgroup argmax (ties →
// lowest id) and the list of ids already taken.

const N_PART: u32 = 64u;
const MAX_K: u32 = 64u;
const NEG: f32 = -3.4e38;

var<workgroup> best_v: array<f32, WG>;
var<workgroup> best_i: array<u32, WG>;
var<workgroup> taken: array<u32, MAX_K>;

/** Workgroup argmax of (v, i) pairs, ties → lowest i; every invocation gets the winner. */
fn arg_best(lid: u32, v: f32, i: u32) -> vec2<u32> {
  best_v[lid] = v;
  best_i[lid] = i;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    if (lid < s) {
      let ov = best_v[lid + s];
      let oi = best_i[lid + s];
      if (ov > best_v[lid] || (ov == best_v[lid] && oi < best_i[lid])) { best_v[lid] = ov; best_i[lid] = oi; }
    }
    workgroupBarrier();
  }
  let out = vec2<u32>(best_i[0], bitcast<u32>(best_v[0]));
  workgroupBarrier();
  return out;
}

fn is_taken(i: u32, n: u32) -> bool {
  for (var j = 0u; j < n; j++) { if (taken[j] == i) { return true; } }
  return false;
}

