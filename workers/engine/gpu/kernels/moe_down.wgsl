// Expert down projection for a batch: Y[p, r] = Wd_e[r] · H[p] (+ BD[e, r] with F_BIAS) for
// every pair p routed to expert e, in tiles of TILE members (as moe_up.wgsl); experts nobody
// chose return at once. Workgroup column y is weight slot y (SLOTS, as moe_up.wgsl).
// Entry `main`, workgroup 64 = ROWS invocations of RPI rows × LANES lanes; dispatch
// (ceil(n_embd / (ROWS·RPI)), n_slots).
// Needs common/members.wgsl, common/rows4.wgsl and unit_dot (common/unit_dot.wgsl or the type's fused one).

const F_BIAS: u32 = 1u;

override TILE: u32 = 8u;

struct Params {
  n_embd: u32, n_ff: u32, row_bytes: u32, expert_bytes: u32,
  n_pairs: u32, dense: u32, ids_off: u32, flags: u32,
  slots_off: u32, _pad1: u32, _pad2: u32, _pad3: u32,
}

@group(0) @binding(0) var<storage, read> W: array<u32>;         // down [slots][n_embd][row_bytes]
@group(0) @binding(1) var<storage, read> X: array<vec4<f32>>;   // [n_pairs, n_ff] expert hidden states
@group(0) @binding(2) var<storage, read> IDS: array<u32>;       // [n_pairs] expert of each pair, from ids_off
@group(0) @binding(3) var<storage, read_write> Y: array<f32>;   // [n_pairs, n_embd]
@group(0) @binding(4) var<storage, read> BD: array<f32>;        // [E][n_embd] down bias (F_BIAS)
@group(0) @binding(5) var<storage, read> SLOTS: array<u32>;     // expert of each slot, from slots_off (not dense)
@group(0) @binding(6) var<uniform> p: Params;

/** GPUs (LANES lanes a row): Σ_c Wd_e[r, c] · H[m_t, c] for each member m_t of the tile (slots past tile.n repeat the last). */
fn down_tile(base: u32, units: u32, lane: u32, tile: Tile) -> array<f32, TT> {
  let w = p.n_ff / 4u;
  let x0 = tile.m[0] * w; let x1 = tile.m[1] * w; let x2 = tile.m[2] * w; let x3 = tile.m[3] * w;
  let x4 = tile.m[4] * w; let x5 = tile.m[5] * w; let x6 = tile.m[6] * w; let x7 = tile.m[7] * w;
  var a0 = 0.0; var a1 = 0.0; var a2 = 0.0; var a3 = 0.0; var a4 = 0.0; var a5 = 0.0; var a6 = 0.0; var a7 = 0.0;
  for (var u = lane; u < units; u += LANES) {
    let q = 8u * u;
    // Only TILE picks the path (as moe_up.wgsl).
    if (TILE <= 2u) {
      a0 += unit_dot(base, u, x0 + q);
      if (TILE == 2u) { a1 += unit_dot(base, u, x1 + q); }
    } else {
      let s = unit_dot4(base, u, x0 + q, x1 + q, x2 + q, x3 + q);
      a0 += s.x; a1 += s.y; a2 += s.z; a3 += s.w;
      if (TILE > 4u) {
        let s2 = unit_dot4(base, u, x4 + q, x5 + q, x6 + q, x7 + q);
        a4 += s2.x; a5 += s2.y; a6 += s2.z; a7 += s2.w;
      }
    }
  }
  return array<f32, TT>(a0, a1, a2, a3, a4, a5, a6, a7);
}

fn down_bias(e: u32, r: u32) -> f32 {
  return select(0.0, BD[e * p.n_embd + min(r, p.n_embd - 1u)], (p.flags & F_BIAS) != 0u);
}

/** One member m on a CPU adapter (TILE 1, RPI 4): rows r0 .. r0 + 3 (common/rows4.wgsl). */
fn down_rows4(e: u32, slot: u32, r0: u32, m: u32) {
  let s = rows4_dot(slot * p.expert_bytes, r0, p.n_embd, p.row_bytes, p.n_ff / 32u, m * (p.n_ff / 4u));
  for (var j = 0u; j < 4u && r0 + j < p.n_embd; j++) { Y[m * p.n_embd + r0 + j] = s[j] + down_bias(e, r0 + j); }
}

/** A tile of members on a CPU adapter (RPI 4): rows r0 .. r0 + 3 (common/rows4.wgsl). */
fn down_rows4_tile(e: u32, slot: u32, r0: u32, tile: Tile) {
  let w = p.n_ff / 4u;
  let s = rows4_dot_tile(slot * p.expert_bytes, r0, p.n_embd, p.row_bytes, p.n_ff / 32u, tile.n,
    tile.m[0] * w, tile.m[1] * w, tile.m[2] * w, tile.m[3] * w, tile.m[4] * w, tile.m[5] * w, tile.m[6] * w, tile.m[7] * w);
  for (var j = 0u; j < 4u && r0 + j < p.n_embd; j++) {
    let b = down_bias(e, r0 + j);
    for (var t = 0u; t < tile.n; t++) { Y[tile.m[t] * p.n_embd + r0 + j] = s[j][t / 4u][t % 4u] + b; }
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
      if (TILE == 1u) { down_rows4(e, slot, r0, tile.m[0]); } else { down_rows4_tile(e, slot, r0, tile); }
    }
    return;
  }

  // GPUs: RPI 1.
  let r = r0;
  let base = slot * p.expert_bytes + r * p.row_bytes;
  let units = select(0u, p.n_ff / 32u, r < p.n_embd);
  let b = down_bias(e, r);
  let n = find_members(lid, e, p.n_pairs, p.ids_off, dense);
  if (n == 0u) { return; }
  for (var m0 = 0u; m0 < n; m0 += TILE) {
    let tile = list_tile(m0, min(TILE, n - m0));
    var acc = down_tile(base, units, lane, tile);
    let tot = reduce_lanes(lid, &acc);
    for (var t = lane; t < tile.n && r < p.n_embd; t += LANES) { Y[tile.m[t] * p.n_embd + r] = tot[t] + b; }
  }
}
