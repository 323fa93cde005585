// Expert down projection for a grouped batch: Y[p, r] = Wd_e[r] · H[p] for every pair p routed
// to expert e. Entry `main`, workgroup 64; dispatch (ceil(n_embd / 8), max_active); 8 rows × 8 lanes per workgroup.

struct Params { n_embd: u32, n_ff: u32, row_bytes: u32, expert_bytes: u32 }

@group(0) @binding(0) var<storage, read> W: array<u32>;         // down [E][n_embd][row_bytes]
@group(0) @binding(1) var<storage, read> H: array<f32>;         // [n_pairs, n_ff]
@group(0) @binding(2) var<storage, read> META: array<u32>;      // see moe_group.wgsl
@group(0) @binding(3) var<storage, read> MEMBERS: array<u32>;
@group(0) @binding(4) var<storage, read_write> Y: array<f32>;   // [n_pairs, n_embd]
@group(0) @binding(5) var<uniform> p: Params;

var<workgroup> group_info: vec4<u32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let r = wg.x * ROWS + lid / LANES;
  let lane = lid % LANES;
  let a = wg.y;
  if (lid == 0u) {
    let n_active = META[0];
    group_info = select(vec4<u32>(0u), vec4<u32>(1u, META[1u + 3u * a], META[2u + 3u * a], META[3u + 3u * a]), a < n_active);
  }
  let g = workgroupUniformLoad(&group_info);
  if (g.x == 0u) { return; }
  let base = g.y * p.expert_bytes + r * p.row_bytes;
  let units = select(0u, p.n_ff / 32u, r < p.n_embd);

  var w: array<f32, 32>;
  for (var m0 = 0u; m0 < g.w; m0 += TT) {
    let nt = min(TT, g.w - m0);
    var acc = array<f32, TT>();
    for (var u = lane; u < units; u += LANES) {
      deq32(base, u, &w);
      for (var t = 0u; t < nt; t++) {
        let ho = MEMBERS[g.z + m0 + t] * p.n_ff + u * 32u;
        var s = 0.0;
        for (var i = 0u; i < 32u; i++) { s += w[i] * H[ho + i]; }
        acc[t] += s;
      }
    }
    let tot = reduce_lanes(lid, &acc);
    for (var t = lane; t < nt && r < p.n_embd; t += LANES) { Y[MEMBERS[g.z + m0 + t] * p.n_embd + r] = tot[t]; }
  }
}
