// Fixed-order tree reduction over the workgroup (WG invocations). The order never depends on how
// many tokens a dispatch carries, which keeps every kernel batch-invariant.

// 64, or 1 for the per-token and per-head kernels on CPU adapters (shaders.ts): SwiftShader runs a
// workgroup of several invocations that meets a barrier as fibers, ~75 µs a workgroup; with one
// invocation the reductions are serial loops and cost almost nothing.
override WG: u32 = 64u;
const TT: u32 = 8u; // tokens per workgroup tile

// Items (tokens, heads) per workgroup of the per-item kernels that can take several: 1, with
// WG invocations cooperating on it; or, on CPU adapters, WG = ITEMS independent items, one
// invocation each with no barrier between them, so that SwiftShader's SIMD lanes each run an item.
override ITEMS: u32 = 1u;

/** The invocation's item within the workgroup (0 when the workgroup has one). */
fn item_slot(lid: u32) -> u32 { return select(0u, lid, ITEMS > 1u); }
/** Where an item's strided loops start (lid, or 0 when each invocation has its own item) and their stride. */
fn item_lane(lid: u32) -> u32 { return select(lid, 0u, ITEMS > 1u); }
fn item_stride() -> u32 { return select(WG, 1u, ITEMS > 1u); }
/** reduce_sum over the item's invocations (its own value when it has one). */
fn item_sum(lid: u32, v: f32) -> f32 {
  if (ITEMS > 1u) { return v; }
  return reduce_sum(lid, v);
}

var<workgroup> red1: array<f32, WG>;

fn reduce_sum(lid: u32, v: f32) -> f32 {
  red1[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    if (lid < s) { red1[lid] = red1[lid] + red1[lid + s]; }
    workgroupBarrier();
  }
  let out = red1[0];
  workgroupBarrier();
  return out;
}

fn reduce_max(lid: u32, v: f32) -> f32 {
  red1[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    if (lid < s) { red1[lid] = max(red1[lid], red1[lid + s]); }
    workgroupBarrier();
  }
  let out = red1[0];
  workgroupBarrier();
  return out;
}

// Rows-per-workgroup layout of the projection kernels: ROWS rows of LANES lanes. GPUs use 8
// lanes per row (coalesced reads); CPU adapters (SwiftShader) use 1, where barriers are costly.
override LANES: u32 = 8u;
override ROWS: u32 = WG / LANES;
// Rows per invocation of the projection kernels (matmul, moe_up, moe_down): 4 on CPU adapters,
// where one invocation streaming four rows side by side runs ~25% faster than four; else 1.
override RPI: u32 = 1u;

var<workgroup> red: array<array<f32, TT>, WG>;

/** Sums `v[t]` over the lanes of each row; every lane of the row gets the sums. */
fn reduce_lanes(lid: u32, v: ptr<function, array<f32, TT>>) -> array<f32, TT> {
  if (LANES == 1u) { return *v; }
  for (var t = 0u; t < TT; t++) { red[lid][t] = (*v)[t]; }
  workgroupBarrier();
  let lane = lid % LANES;
  for (var s = LANES / 2u; s > 0u; s = s >> 1u) {
    if (lane < s) {
      for (var t = 0u; t < TT; t++) { red[lid][t] = red[lid][t] + red[lid + s][t]; }
    }
    workgroupBarrier();
  }
  let out = red[lid - lane];
  workgroupBarrier();
  return out;
}
