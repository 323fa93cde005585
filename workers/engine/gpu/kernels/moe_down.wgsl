// Expert down projection for a batch: Y[p, r] = Wd_e[r] · H[p] (+ BD[e, r] with F_BIAS) for
// every pair p routed to expert e, in tiles of TILE members (as moe_up.wgsl); experts nobody
// chose return at once.
// Entry `main`, workgroup 64 = ROWS rows × LANES lanes; dispatch (ceil(n_embd / ROWS), n_expert).
// Needs common/members.wgsl and common/oct_dot.wgsl.

const F_BIAS: u32 = 1u;

override TILE: u32 = 8u;

struct Params {
  n_embd: u32, n_ff: u32, row_bytes: u32, expert_bytes: u32,
  n_pairs: u32, dense: u32, ids_off: u32, flags: u32,
}

@group(0) @binding(0) var<storage, read> W: array<u32>;         // down [E][n_embd][row_bytes]
@group(0) @binding(1) var<storage, read> X: array<vec4<f32>>;   // [n_pairs, n_ff] expert hidden states
@group(0) @binding(2) var<storage, read> IDS: array<u32>;       // [n_pairs] expert of each pair, from ids_off
@group(0) @binding(3) var<storage, read_write> Y: array<f32>;   // [n_pairs, n_embd]
@group(0) @binding(4) var<storage, read> BD: array<f32>;        // [E][n_embd] down bias (F_BIAS)
@group(0) @binding(5) var<uniform> p: Params;

/** Σ_c Wd_e[r, c] · H[m_t, c] for each member m_t of the tile (slots past tile.n repeat the last). */
fn down_tile(base: u32, units: u32, lane: u32, tile: Tile) -> array<f32, TT> {
  let w = p.n_ff / 4u;
  let nt = tile.n;
  let x0 = tile.m[0] * w; let x1 = tile.m[1] * w; let x2 = tile.m[2] * w; let x3 = tile.m[3] * w;
  let x4 = tile.m[4] * w; let x5 = tile.m[5] * w; let x6 = tile.m[6] * w; let x7 = tile.m[7] * w;
  var a0 = 0.0; var a1 = 0.0; var a2 = 0.0; var a3 = 0.0; var a4 = 0.0; var a5 = 0.0; var a6 = 0.0; var a7 = 0.0;
  for (var u = lane; u < units; u += LANES) {
    let h = unit_head(base, u);
    for (var k = 0u; k < 4u; k++) {
      let o = unit_oct(h, k);
      let qa = 8u * u + quad_a(k);
      let qb = 8u * u + quad_b(k);
      // TILE bounds the tile at compile time; nt (uniform) skips the members it lacks.
      a0 += oct_dot(o, x0, qa, qb);
      if (TILE > 1u && nt > 1u) { a1 += oct_dot(o, x1, qa, qb); }
      if (TILE > 2u && nt > 2u) { a2 += oct_dot(o, x2, qa, qb); }
      if (TILE > 2u && nt > 3u) { a3 += oct_dot(o, x3, qa, qb); }
      if (TILE > 4u && nt > 4u) { a4 += oct_dot(o, x4, qa, qb); }
      if (TILE > 4u && nt > 5u) { a5 += oct_dot(o, x5, qa, qb); }
      if (TILE > 4u && nt > 6u) { a6 += oct_dot(o, x6, qa, qb); }
      if (TILE > 4u && nt > 7u) { a7 += oct_dot(o, x7, qa, qb); }
    }
  }
  return array<f32, TT>(a0, a1, a2, a3, a4, a5, a6, a7);
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let r = wg.x * ROWS + lid / LANES;
  let lane = lid % LANES;
  let e = wg.y;
  let dense = p.dense != 0u;
  let base = e * p.expert_bytes + r * p.row_bytes;
  let units = select(0u, p.n_ff / 32u, r < p.n_embd);
  let b = select(0.0, BD[e * p.n_embd + min(r, p.n_embd - 1u)], (p.flags & F_BIAS) != 0u);

  if (LANES == 1u) {
    // CPU adapters: no barrier anywhere (common/members.wgsl).
    var q = next_member(e, 0u, p.n_pairs, p.ids_off, dense);
    while (q < p.n_pairs) {
      let tile = walk_tile(e, &q, TILE, p.n_pairs, p.ids_off, dense);
      let acc = down_tile(base, units, 0u, tile);
      for (var t = 0u; t < tile.n && r < p.n_embd; t++) { Y[tile.m[t] * p.n_embd + r] = acc[t] + b; }
    }
    return;
  }

  let n = find_members(lid, e, p.n_pairs, p.ids_off, dense);
  if (n == 0u) { return; }
  for (var m0 = 0u; m0 < n; m0 += TILE) {
    let tile = list_tile(m0, min(TILE, n - m0));
    var acc = down_tile(base, units, lane, tile);
    let tot = reduce_lanes(lid, &acc);
    for (var t = lane; t < tile.n && r < p.n_embd; t += LANES) { Y[tile.m[t] * p.n_embd + r] = tot[t] + b; }
  }
}
