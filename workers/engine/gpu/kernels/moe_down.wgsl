// Expert down projection for a batch: Y[p, r] = Wd_e[r] · H[p] (+ BD[e, r] with F_BIAS) for
// every pair p routed to expert e; experts nobody chose return at once.
// Entry `main`, workgroup 64 = ROWS rows × LANES lanes; dispatch (ceil(n_embd / ROWS), n_expert).
// Needs common/members.wgsl.

const F_BIAS: u32 = 1u;

struct Params {
  n_embd: u32, n_ff: u32, row_bytes: u32, expert_bytes: u32,
  n_pairs: u32, dense: u32, ids_off: u32, flags: u32,
}

@group(0) @binding(0) var<storage, read> W: array<u32>;         // down [E][n_embd][row_bytes]
@group(0) @binding(1) var<storage, read> H: array<f32>;         // [n_pairs, n_ff]
@group(0) @binding(2) var<storage, read> IDS: array<u32>;       // [n_pairs] expert of each pair, from ids_off
@group(0) @binding(3) var<storage, read_write> Y: array<f32>;   // [n_pairs, n_embd]
@group(0) @binding(4) var<storage, read> BD: array<f32>;        // [E][n_embd] down bias (F_BIAS)
@group(0) @binding(5) var<uniform> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let r = wg.x * ROWS + lid / LANES;
  let lane = lid % LANES;
  let e = wg.y;
  let n = find_members(lid, e, p.n_pairs, p.ids_off, p.dense != 0u);
  if (n == 0u) { return; }
  let base = e * p.expert_bytes + r * p.row_bytes;
  let units = select(0u, p.n_ff / 32u, r < p.n_embd);

  var w: array<f32, 32>;
  for (var m0 = 0u; m0 < n; m0 += TT) {
    let nt = min(TT, n - m0);
    var acc = array<f32, TT>();
    for (var u = lane; u < units; u += LANES) {
      deq32(base, u, &w);
      for (var t = 0u; t < nt; t++) {
        let ho = members[m0 + t] * p.n_ff + u * 32u;
        var s = 0.0;
        for (var i = 0u; i < 32u; i++) { s += w[i] * H[ho + i]; }
        acc[t] += s;
      }
    }
    let tot = reduce_lanes(lid, &acc);
    let b = select(0.0, BD[e * p.n_embd + min(r, p.n_embd - 1u)], (p.flags & F_BIAS) != 0u);
    for (var t = lane; t < nt && r < p.n_embd; t += LANES) { Y[members[m0 + t] * p.n_embd + r] = tot[t] + b; }
  }
}
