// Weighted sum of a token's experts, plus the shared expert, into the residual stream:
// XO[t, r] = X[t, r] + alpha · (Σ_slot WTS[t, slot] · Y[t·k + slot, r] + SHG[t] · YS[t, r]).
// Entry `main`, workgroup 64; dispatch (ceil(n_embd / 64), n_tok).

const F_SHEXP: u32 = 1u;
const F_SHEXP_GATE: u32 = 2u;

struct Params { n_embd: u32, k: u32, flags: u32, alpha: f32, n_tok: u32, _pad0: u32, _pad1: u32, _pad2: u32 }

@group(0) @binding(0) var<storage, read> X: array<f32>;         // [n_tok, n_embd] residual in
@group(0) @binding(1) var<storage, read> Y: array<f32>;         // [n_tok·k, n_embd] expert outputs
@group(0) @binding(2) var<storage, read> WTS: array<f32>;       // [n_tok, k]
@group(0) @binding(3) var<storage, read> YS: array<f32>;        // [n_tok, n_embd] shared expert (F_SHEXP)
@group(0) @binding(4) var<storage, read> SHG: array<f32>;       // [n_tok] its gate (F_SHEXP_GATE)
@group(0) @binding(5) var<storage, read_write> XO: array<f32>;  // [n_tok, n_embd] residual out
@group(0) @binding(6) var<uniform> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let r = gid.x;
  let t = gid.y;
  if (r >= p.n_embd || t >= p.n_tok) { return; }
  var y = 0.0;
  for (var s = 0u; s < p.k; s++) { y += WTS[t * p.k + s] * Y[(t * p.k + s) * p.n_embd + r]; }
  if ((p.flags & F_SHEXP) != 0u) {
    let gate = select(1.0, SHG[t], (p.flags & F_SHEXP_GATE) != 0u);
    y += gate * YS[t * p.n_embd + r];
  }
  XO[t * p.n_embd + r] = X[t * p.n_embd + r] + y * p.alpha;
}
