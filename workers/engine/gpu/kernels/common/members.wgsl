// The (token, slot) pairs routed to one expert, found by the expert kernels themselves (no
// separate grouping pass), always in pair order, so that every expert's member list has the same
// order for any batch — batch-invariant. On GPUs invocation 0 scans the batch's expert ids into
// workgroup memory (find_members); on CPU adapters (LANES 1) every invocation walks them itself
// (next_member), because a barrier costs SwiftShader ~75 µs a workgroup (reduce.wgsl).
// Pair p = t·k + slot; IDS[ids_off + p] is its expert. A dense expert (the shared one) takes every token.

const MAX_PAIRS: u32 = 512u;
/** An empty slot of the expert kernels' slot table. */
const NO_EXPERT: u32 = 0xFFFFFFFFu;

var<workgroup> members: array<u32, MAX_PAIRS>;
var<workgroup> n_members: u32;

/** Fills `members` with the pairs routed to expert `e` (all n_tok tokens when dense); returns their count. */
fn find_members(lid: u32, e: u32, n_pairs: u32, ids_off: u32, dense: bool) -> u32 {
  if (lid == 0u) {
    var n = 0u;
    for (var p = 0u; p < n_pairs; p++) {
      if (dense || IDS[ids_off + p] == e) {
        members[n] = p;
        n += 1u;
      }
    }
    n_members = n;
  }
  return workgroupUniformLoad(&n_members);
}

/** The first pair ≥ start routed to expert e (every pair when dense), or n_pairs. */
fn next_member(e: u32, start: u32, n_pairs: u32, ids_off: u32, dense: bool) -> u32 {
  var q = start;
  while (!dense && q < n_pairs && IDS[ids_off + q] != e) { q++; }
  return min(q, n_pairs);
}

/** One tile of an expert's members: n pairs, the slots from n on repeating the last. */
struct Tile { n: u32, m: array<u32, 8> }

/** The tile of up to TILE members from pair q on (next_member order); q moves past them. */
fn walk_tile(e: u32, q: ptr<function, u32>, tile_size: u32, n_pairs: u32, ids_off: u32, dense: bool) -> Tile {
  var t: Tile;
  t.n = 0u;
  for (var j = 0u; j < 8u; j++) {
    if (j < tile_size && *q < n_pairs) {
      t.m[j] = *q;
      t.n = j + 1u;
      *q = next_member(e, *q + 1u, n_pairs, ids_off, dense);
    } else {
      t.m[j] = t.m[max(j, 1u) - 1u];
    }
  }
  return t;
}

/** The tile of members m0 .. m0 + nt − 1 of the workgroup's list. */
fn list_tile(m0: u32, nt: u32) -> Tile {
  var t: Tile;
  t.n = nt;
  for (var j = 0u; j < 8u; j++) { t.m[j] = members[m0 + min(j, nt - 1u)]; }
  return t;
}
