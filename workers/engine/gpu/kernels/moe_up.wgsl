// Expert gate + up + SiLU for a batch: H[p, r] = silu(Wg_e[r] · XN[t]) · (Wu_e[r] · XN[t]) for
// every pair p = (t, slot) routed to expert e; with F_BIAS the gate and up get their expert's
// biases first, and with F_OAI the activation is gpt-oss's clamped SwiGLU instead. W holds the gate tensor then the up tensor (same
// type), so both are read through one binding. Each chosen expert's rows are read once per tile
// of TT member tokens; experts nobody chose return at once.
// Entry `main`, workgroup 64 = ROWS rows × LANES lanes; dispatch (ceil(n_ff / ROWS), n_expert).
// Needs common/members.wgsl.

const F_BIAS: u32 = 1u;
const F_OAI: u32 = 2u;

struct Params {
  n_embd: u32, n_ff: u32, row_bytes: u32, expert_bytes: u32,
  up_off: u32, k: u32, n_pairs: u32, dense: u32,
  ids_off: u32, flags: u32, _pad1: u32, _pad2: u32,
}

@group(0) @binding(0) var<storage, read> W: array<u32>;         // gate [E][n_ff][row_bytes] then up at byte up_off
@group(0) @binding(1) var<storage, read> XN: array<f32>;        // [n_tok, n_embd] normalised input
@group(0) @binding(2) var<storage, read> IDS: array<u32>;       // [n_pairs] expert of each pair, from ids_off
@group(0) @binding(3) var<storage, read_write> H: array<f32>;   // [n_pairs, n_ff]
@group(0) @binding(4) var<storage, read> BG: array<f32>;        // [E][n_ff] gate bias (F_BIAS)
@group(0) @binding(5) var<storage, read> BU: array<f32>;        // [E][n_ff] up bias (F_BIAS)
@group(0) @binding(6) var<uniform> p: Params;

/** ggml swiglu_oai (α 1.702, limit 7): gate clamped above, up clamped both ways and shifted by 1. */
fn swiglu_oai(g: f32, u: f32) -> f32 {
  let x = min(g, 7.0);
  let y = clamp(u, -7.0, 7.0);
  return x / (1.0 + exp(-1.702 * x)) * (y + 1.0);
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let r = wg.x * ROWS + lid / LANES;
  let lane = lid % LANES;
  let e = wg.y;
  let n = find_members(lid, e, p.n_pairs, p.ids_off, p.dense != 0u);
  if (n == 0u) { return; }
  let gate_base = e * p.expert_bytes + r * p.row_bytes;
  let up_base = p.up_off + gate_base;
  let units = select(0u, p.n_embd / 32u, r < p.n_ff);

  var wg_: array<f32, 32>;
  var wu: array<f32, 32>;
  for (var m0 = 0u; m0 < n; m0 += TT) {
    let nt = min(TT, n - m0);
    var ag = array<f32, TT>();
    var au = array<f32, TT>();
    for (var u = lane; u < units; u += LANES) {
      deq32(gate_base, u, &wg_);
      deq32(up_base, u, &wu);
      for (var t = 0u; t < nt; t++) {
        let xo = (members[m0 + t] / p.k) * p.n_embd + u * 32u;
        var sg = 0.0;
        var su = 0.0;
        for (var i = 0u; i < 32u; i++) {
          let x = XN[xo + i];
          sg += wg_[i] * x;
          su += wu[i] * x;
        }
        ag[t] += sg;
        au[t] += su;
      }
    }
    let tg = reduce_lanes(lid, &ag);
    let tu = reduce_lanes(lid, &au);
    let has_bias = (p.flags & F_BIAS) != 0u;
    for (var t = lane; t < nt && r < p.n_ff; t += LANES) {
      let gv = tg[t] + select(0.0, BG[e * p.n_ff + r], has_bias);
      let uv = tu[t] + select(0.0, BU[e * p.n_ff + r], has_bias);
      H[members[m0 + t] * p.n_ff + r] = select(gv / (1.0 + exp(-gv)) * uv, swiglu_oai(gv, uv), (p.flags & F_OAI) != 0u);
    }
  }
}
