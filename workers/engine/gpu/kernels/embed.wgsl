// Embedding lookup of quantized rows: X[t, :] = scale · dequant(W[TOK[t] − first_row]) for the
// tokens whose row lies in this part of the table [first_row, first_row + n_rows) (a table
// larger than one binding is split into parts, one dispatch each).
// Entry `main`, workgroup 64; dispatch (ceil(n_embd / 32 / 64), n_tok); one invocation per 32 elements.

struct Params { n_embd: u32, row_bytes: u32, scale: f32, n_tok: u32, first_row: u32, n_rows: u32, _pad0: u32, _pad1: u32 }

@group(0) @binding(0) var<storage, read> W: array<u32>;        // [n_vocab][row_bytes] token_embd
@group(0) @binding(1) var<storage, read> TOK: array<u32>;      // [n_tok] token ids
@group(0) @binding(2) var<storage, read_write> X: array<f32>;  // [n_tok, n_embd]
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let u = gid.x;
  let t = gid.y;
  if (u >= p.n_embd / 32u || t >= p.n_tok) { return; }
  let row = TOK[t] - p.first_row;
  if (TOK[t] < p.first_row || row >= p.n_rows) { return; }
  var w: array<f32, 32>;
  deq32(row * p.row_bytes, u, &w);
  for (var i = 0u; i < 32u; i++) { X[t * p.n_embd + u * 32u + i] = w[i] * p.scale; }
}
