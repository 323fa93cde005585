// Gated DeltaNet's causal convolution + SiLU (model/deltaNet.ts), one invocation per channel over
// the batch's tokens in order, so a channel's sums never depend on how the tokens were batched.
// The layer's state holds each channel's last `kernel − 1` inputs: read from CS_IN, written to
// CS_OUT (the other state buffer), so the state before the pass stays for a rollback.
// Entry `main`, workgroup 64; dispatch (ceil(ch / 64)).
// Inputs are rows of P (the layer's projections): [q; k; v] in order, or (F_SSM_IN) the legacy
// ssm_in of qwen3next, each key head's [q; k; v (r heads); z (r heads)] together, r = n_v / n_k.

const F_SSM_IN: u32 = 1u;

struct Params {
  ch: u32, n_tok: u32, p_stride: u32, p_off: u32,
  flags: u32, n_k: u32, n_v: u32, hd: u32,
  kernel: u32, cs_in_off: u32, cs_out_off: u32, _pad: u32,
}

@group(0) @binding(0) var<storage, read> P: array<f32>;            // projections, rows of p_stride from p_off
@group(0) @binding(1) var<storage, read> KER: array<f32>;          // [ch, kernel] conv weights
@group(0) @binding(2) var<storage, read> CS_IN: array<f32>;        // [kernel − 1, ch] from cs_in_off
@group(0) @binding(3) var<storage, read_write> CS_OUT: array<f32>; // [kernel − 1, ch] from cs_out_off
@group(0) @binding(4) var<storage, read_write> OUT: array<f32>;    // [n_tok, ch]
@group(0) @binding(5) var<uniform> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  if (c >= p.ch) { return; }
  var col = c;
  if ((p.flags & F_SSM_IN) != 0u) {
    let r = p.n_v / p.n_k;
    let group = (2u + 2u * r) * p.hd;
    let qk = p.n_k * p.hd;
    if (c < qk) {
      col = (c / p.hd) * group + c % p.hd;
    } else if (c < 2u * qk) {
      col = ((c - qk) / p.hd) * group + p.hd + (c - qk) % p.hd;
    } else {
      col = ((c - 2u * qk) / (r * p.hd)) * group + 2u * p.hd + (c - 2u * qk) % (r * p.hd);
    }
  }
  let past = p.kernel - 1u;
  var win: array<f32, 8>; // the last `past` inputs, oldest first
  for (var j = 0u; j < past; j++) { win[j] = CS_IN[p.cs_in_off + j * p.ch + c]; }
  for (var t = 0u; t < p.n_tok; t++) {
    let x = P[p.p_off + t * p.p_stride + col];
    var acc = 0.0;
    for (var j = 0u; j < past; j++) { acc += win[j] * KER[c * p.kernel + j]; }
    acc += x * KER[c * p.kernel + past];
    OUT[t * p.ch + c] = acc / (1.0 + exp(-acc));
    for (var j = 0u; j + 1u < past; j++) { win[j] = win[j + 1u]; }
    if (past > 0u) { win[past - 1u] = x; }
  }
  for (var j = 0u; j < past; j++) { CS_OUT[p.cs_out_off + j * p.ch + c] = win[j]; }
}
