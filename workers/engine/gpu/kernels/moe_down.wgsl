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

/** The hidden-state row (vec4 index) of member m0 + t of the tile; missing members repeat its last. */
fn member_row(m0: u32, t: u32, nt: u32) -> u32 {
  return members[m0 + min(t, nt - 1u)] * (p.n_ff / 4u);
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let r = wg.x * ROWS + lid / LANES;
  let lane = lid % LANES;
  let e = wg.y;
  let n = find_members(lid, e, p.n_pairs, p.ids_off, p.dense != 0u);
  if (n == 0u) { return; }
  let base = e * p.expert_bytes + r * p.row_bytes;
  let units = select(0u, p.n_ff / 32u, r < p.n_embd);

  for (var m0 = 0u; m0 < n; m0 += TILE) {
    let nt = min(TILE, n - m0);
    let x0 = member_row(m0, 0u, nt); let x1 = member_row(m0, 1u, nt);
    let x2 = member_row(m0, 2u, nt); let x3 = member_row(m0, 3u, nt);
    let x4 = member_row(m0, 4u, nt); let x5 = member_row(m0, 5u, nt);
    let x6 = member_row(m0, 6u, nt); let x7 = member_row(m0, 7u, nt);
    var a0 = 0.0; var a1 = 0.0; var a2 = 0.0; var a3 = 0.0; var a4 = 0.0; var a5 = 0.0; var a6 = 0.0; var a7 = 0.0;
    for (var u = lane; u < units; u += LANES) {
      let h = unit_head(base, u);
      for (var k = 0u; k < 4u; k++) {
        let o = unit_oct(h, k);
        let qa = 8u * u + quad_a(k);
        let qb = 8u * u + quad_b(k);
        a0 += oct_dot(o, x0, qa, qb);
        if (TILE > 1u) { a1 += oct_dot(o, x1, qa, qb); }
        if (TILE > 2u) { a2 += oct_dot(o, x2, qa, qb); a3 += oct_dot(o, x3, qa, qb); }
        if (TILE > 4u) {
          a4 += oct_dot(o, x4, qa, qb); a5 += oct_dot(o, x5, qa, qb);
          a6 += oct_dot(o, x6, qa, qb); a7 += oct_dot(o, x7, qa, qb);
        }
      }
    }
    var acc = array<f32, TT>(a0, a1, a2, a3, a4, a5, a6, a7);
    let tot = reduce_lanes(lid, &acc);
    let b = select(0.0, BD[e * p.n_embd + min(r, p.n_embd - 1u)], (p.flags & F_BIAS) != 0u);
    for (var t = lane; t < nt && r < p.n_embd; t += LANES) { Y[members[m0 + t] * p.n_embd + r] = tot[t] + b; }
  }
}
