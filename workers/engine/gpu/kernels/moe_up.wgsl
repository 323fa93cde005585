// Expert gate + up + SiLU for a batch: H[p, r] = silu(Wg_e[r] · XN[t]) · (Wu_e[r] · XN[t]) for
// every pair p = (t, slot) routed to expert e; with F_BIAS the gate and up get their expert's
// biases first, and with F_OAI the activation is gpt-oss's clamped SwiGLU instead. W holds the gate tensor then the up tensor (same
// type), so both are read through one binding. Each chosen expert's rows are read once per tile
// of TILE member tokens (an override: 1, 2, 4 or 8, about the members an expert gets, so that a
// decode step's one token runs a tile of one; shaders.ts matmulTile; the accumulators are
// scalars, see matmul.wgsl); experts nobody chose return at once. Workgroup column y is weight slot y, which holds expert
// SLOTS[slots_off + y] (NO_EXPERT: empty), so that W may hold only some experts (the expert
// cache, gpu/expertSlots.ts); a dense expert is slot 0 and ignores SLOTS.
// Entry `main`, workgroup 64 = ROWS invocations of RPI rows × LANES lanes; dispatch
// (ceil(n_ff / (ROWS·RPI)), n_slots).
// Needs common/members.wgsl, common/rows4.wgsl and unit_dot (common/unit_dot.wgsl or the type's fused one).

const F_BIAS: u32 = 1u;
const F_OAI: u32 = 2u;

override TILE: u32 = 8u;

struct Params {
  n_embd: u32, n_ff: u32, row_bytes: u32, expert_bytes: u32,
  up_off: u32, k: u32, n_pairs: u32, dense: u32,
  ids_off: u32, flags: u32, slots_off: u32, _pad: u32,
}

@group(0) @binding(0) var<storage, read> W: array<u32>;         // gate [slots][n_ff][row_bytes] then up at byte up_off
@group(0) @binding(1) var<storage, read> X: array<vec4<f32>>;   // [n_tok, n_embd] normalised input
@group(0) @binding(2) var<storage, read> IDS: array<u32>;       // [n_pairs] expert of each pair, from ids_off
@group(0) @binding(3) var<storage, read_write> H: array<f32>;   // [n_pairs, n_ff]
@group(0) @binding(4) var<storage, read> BG: array<f32>;        // [E][n_ff] gate bias (F_BIAS)
@group(0) @binding(5) var<storage, read> BU: array<f32>;        // [E][n_ff] up bias (F_BIAS)
@group(0) @binding(6) var<storage, read> SLOTS: array<u32>;     // expert of each slot, from slots_off (not dense)
@group(0) @binding(7) var<uniform> p: Params;

/** ggml swiglu_oai (α 1.702, limit 7): gate clamped above, up clamped both ways and shifted by 1. */
fn swiglu_oai(g: f32, u: f32) -> f32 {
  let x = min(g, 7.0);
  let y = clamp(u, -7.0, 7.0);
  return x / (1.0 + exp(-1.702 * x)) * (y + 1.0);
}

/** GPUs (LANES lanes a row): gate and up sums of row r for each member of the tile (slots past tile.n repeat the last). */
struct GateUp { g: array<f32, TT>, u: array<f32, TT> }

fn up_tile(gate_base: u32, up_base: u32, units: u32, lane: u32, tile: Tile) -> GateUp {
  let w = p.n_embd / 4u;
  let x0 = (tile.m[0] / p.k) * w; let x1 = (tile.m[1] / p.k) * w; let x2 = (tile.m[2] / p.k) * w; let x3 = (tile.m[3] / p.k) * w;
  let x4 = (tile.m[4] / p.k) * w; let x5 = (tile.m[5] / p.k) * w; let x6 = (tile.m[6] / p.k) * w; let x7 = (tile.m[7] / p.k) * w;
  var g0 = 0.0; var g1 = 0.0; var g2 = 0.0; var g3 = 0.0; var g4 = 0.0; var g5 = 0.0; var g6 = 0.0; var g7 = 0.0;
  var u0 = 0.0; var u1 = 0.0; var u2 = 0.0; var u3 = 0.0; var u4 = 0.0; var u5 = 0.0; var u6 = 0.0; var u7 = 0.0;
  for (var u = lane; u < units; u += LANES) {
    let q = 8u * u;
    // Only TILE (an override) picks the path: every slot of the tile is computed (those past
    // tile.n repeat the last), so the accumulators stay scalars.
    if (TILE <= 2u) {
      g0 += unit_dot(gate_base, u, x0 + q); u0 += unit_dot(up_base, u, x0 + q);
      if (TILE == 2u) { g1 += unit_dot(gate_base, u, x1 + q); u1 += unit_dot(up_base, u, x1 + q); }
    } else {
      // Each unit read once per four members, the same sums as unit_dot's.
      let g = unit_dot4(gate_base, u, x0 + q, x1 + q, x2 + q, x3 + q);
      let v = unit_dot4(up_base, u, x0 + q, x1 + q, x2 + q, x3 + q);
      g0 += g.x; g1 += g.y; g2 += g.z; g3 += g.w;
      u0 += v.x; u1 += v.y; u2 += v.z; u3 += v.w;
      if (TILE > 4u) {
        let gh = unit_dot4(gate_base, u, x4 + q, x5 + q, x6 + q, x7 + q);
        let vh = unit_dot4(up_base, u, x4 + q, x5 + q, x6 + q, x7 + q);
        g4 += gh.x; g5 += gh.y; g6 += gh.z; g7 += gh.w;
        u4 += vh.x; u5 += vh.y; u6 += vh.z; u7 += vh.w;
      }
    }
  }
  return GateUp(array<f32, TT>(g0, g1, g2, g3, g4, g5, g6, g7), array<f32, TT>(u0, u1, u2, u3, u4, u5, u6, u7));
}

/** H[m, r] from the gate and up sums of member m: biases, then SiLU(gate)·up or SwiGLU-OAI. */
fn store_h(e: u32, r: u32, m: u32, g: f32, u: f32) {
  let has_bias = (p.flags & F_BIAS) != 0u;
  let gv = g + select(0.0, BG[e * p.n_ff + r], has_bias);
  let uv = u + select(0.0, BU[e * p.n_ff + r], has_bias);
  H[m * p.n_ff + r] = select(gv / (1.0 + exp(-gv)) * uv, swiglu_oai(gv, uv), (p.flags & F_OAI) != 0u);
}

/** One member m on a CPU adapter (TILE 1, RPI 4): gate and up of rows r0 .. r0 + 3 (common/rows4.wgsl). */
fn up_rows4(e: u32, slot: u32, r0: u32, m: u32) {
  let base = slot * p.expert_bytes;
  let units = p.n_embd / 32u;
  let x = (m / p.k) * (p.n_embd / 4u);
  let g = rows4_dot(base, r0, p.n_ff, p.row_bytes, units, x);
  let u = rows4_dot(p.up_off + base, r0, p.n_ff, p.row_bytes, units, x);
  for (var j = 0u; j < 4u && r0 + j < p.n_ff; j++) { store_h(e, r0 + j, m, g[j], u[j]); }
}

/** A tile of members on a CPU adapter (RPI 4): gate and up of rows r0 .. r0 + 3 (common/rows4.wgsl). */
fn up_rows4_tile(e: u32, slot: u32, r0: u32, tile: Tile) {
  let base = slot * p.expert_bytes;
  let units = p.n_embd / 32u;
  let w = p.n_embd / 4u;
  let x0 = (tile.m[0] / p.k) * w; let x1 = (tile.m[1] / p.k) * w; let x2 = (tile.m[2] / p.k) * w; let x3 = (tile.m[3] / p.k) * w;
  let x4 = (tile.m[4] / p.k) * w; let x5 = (tile.m[5] / p.k) * w; let x6 = (tile.m[6] / p.k) * w; let x7 = (tile.m[7] / p.k) * w;
  // Gate, then up, in a loop rather than two inlined copies: the tile loop is large, and
  // SwiftShader's compile time grows with the code (this kernel compiled 3× slower inlined).
  var s: array<array<mat2x4<f32>, 4>, 2>;
  for (var i = 0u; i < 2u; i++) {
    s[i] = rows4_dot_tile(select(base, p.up_off + base, i == 1u), r0, p.n_ff, p.row_bytes, units, tile.n, x0, x1, x2, x3, x4, x5, x6, x7);
  }
  for (var j = 0u; j < 4u && r0 + j < p.n_ff; j++) {
    for (var t = 0u; t < tile.n; t++) { store_h(e, r0 + j, tile.m[t], s[0][j][t / 4u][t % 4u], s[1][j][t / 4u][t % 4u]); }
  }
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let r0 = (wg.x * ROWS + lid / LANES) * RPI;
  let lane = lid % LANES;
  let slot = wg.y;
  let dense = p.dense != 0u;
  let e = select(SLOTS[p.slots_off + slot], 0u, dense);
  if (e == NO_EXPERT) { return; }

  if (LANES == 1u) {
    // CPU adapters (RPI 4): no barrier anywhere (common/members.wgsl).
    var q = next_member(e, 0u, p.n_pairs, p.ids_off, dense);
    while (q < p.n_pairs) {
      let tile = walk_tile(e, &q, TILE, p.n_pairs, p.ids_off, dense);
      if (TILE == 1u) { up_rows4(e, slot, r0, tile.m[0]); } else { up_rows4_tile(e, slot, r0, tile); }
    }
    return;
  }

  // GPUs: RPI 1.
  let r = r0;
  let gate_base = slot * p.expert_bytes + r * p.row_bytes;
  let up_base = p.up_off + gate_base;
  let units = select(0u, p.n_embd / 32u, r < p.n_ff);
  let n = find_members(lid, e, p.n_pairs, p.ids_off, dense);
  if (n == 0u) { return; }
  for (var m0 = 0u; m0 < n; m0 += TILE) {
    let tile = list_tile(m0, min(TILE, n - m0));
    var s = up_tile(gate_base, up_base, units, lane, tile);
    let tg = reduce_lanes(lid, &s.g);
    let tu = reduce_lanes(lid, &s.u);
    for (var t = lane; t < tile.n && r < p.n_ff; t += LANES) { store_h(e, r, tile.m[t], tg[t], tu[t]); }
  }
}
