// The (token, slot) pairs routed to one expert, found by the expert kernels themselves (no
// separate grouping pass): invocation 0 scans the batch's expert ids in pair order, so every
// expert's member list has the same order for any batch — batch-invariant.
// Pair p = t·k + slot; IDS[ids_off + p] is its expert. A dense expert (the shared one) takes every token.

const MAX_PAIRS: u32 = 512u;

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
