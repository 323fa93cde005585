// Groups the (token, slot) pairs of a batch by expert, so that the expert kernels read each
// chosen expert's weights once per batch. Pair p = t·k + slot; IDS[p] is its expert.
// META = [n_active, then per active expert a: expert id, first member, member count];
// MEMBERS lists pair ids grouped by expert, in pair order. Entry `main`; dispatch (1).

const MAX_EXPERTS: u32 = 256u;

struct Params { n_pairs: u32, n_expert: u32, _pad0: u32, _pad1: u32 }

@group(0) @binding(0) var<storage, read> IDS: array<u32>;           // [n_pairs]
@group(0) @binding(1) var<storage, read_write> META: array<u32>;    // [1 + 3·n_expert]
@group(0) @binding(2) var<storage, read_write> MEMBERS: array<u32>; // [n_pairs]
@group(0) @binding(3) var<uniform> p: Params;

var<workgroup> count: array<u32, MAX_EXPERTS>;
var<workgroup> slot: array<u32, MAX_EXPERTS>;

@compute @workgroup_size(1)
fn main() {
  for (var e = 0u; e < p.n_expert; e++) { count[e] = 0u; }
  for (var i = 0u; i < p.n_pairs; i++) { count[IDS[i]] += 1u; }
  var n_active = 0u;
  var first = 0u;
  for (var e = 0u; e < p.n_expert; e++) {
    if (count[e] > 0u) {
      META[1u + 3u * n_active] = e;
      META[2u + 3u * n_active] = first;
      META[3u + 3u * n_active] = 0u;
      slot[e] = n_active;
      first += count[e];
      n_active += 1u;
    }
  }
  META[0] = n_active;
  for (var i = 0u; i < p.n_pairs; i++) {
    let a = slot[IDS[i]];
    let n = META[3u + 3u * a];
    MEMBERS[META[2u + 3u * a] + n] = i;
    META[3u + 3u * a] = n + 1u;
  }
}
