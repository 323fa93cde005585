// Prepares attention inputs for a batch: per-head or full-width RMSNorm of Q and K, RoPE from a
// precomputed cos/sin table, then Q → QO and K, V → the layer's KV cache at their positions.
// Entry `main`, workgroup WG (common/reduce.wgsl); dispatch (n_head + n_head_kv, n_tok). Workgroup h < n_head
// handles query head h; the others handle KV head h − n_head (its K and V).
// With F_QGATE (qwen3next, qwen35moe) each query head is followed by its output gate in QKV
// ([q_0; g_0; q_1; g_1; …], attn_gate.wgsl applies it), so Q spans 2·n_head·dk.
// The cache holds u32 words: an f32 each, or (KV_F16) two f16 halves (pack2x16float, core WGSL, so
// no shader-f16 needed); offsets are in elements, and dk, dv and the offsets are even in f16 mode.

override KV_F16: bool = false;

const F_NORM_HEAD: u32 = 1u;
const F_NORM_FULL: u32 = 2u;
const F_NEOX: u32 = 4u;
const F_QGATE: u32 = 8u;

struct Params {
  n_head: u32, n_head_kv: u32, dk: u32, dv: u32,
  n_rot: u32, pos0: u32, flags: u32, qkv_stride: u32,
  eps: f32, k_cache_off: u32, v_cache_off: u32, n_tok: u32,
}

@group(0) @binding(0) var<storage, read> QKV: array<f32>;        // [n_tok, qkv_stride]: Q (with gates) | K | V
@group(0) @binding(1) var<storage, read> QN: array<f32>;         // [dk] or [n_head·dk] Q norm weight
@group(0) @binding(2) var<storage, read> KN: array<f32>;         // [dk] or [n_head_kv·dk] K norm weight
@group(0) @binding(3) var<storage, read> ROPE: array<vec2<f32>>; // [n_ctx, n_rot/2] (cos θ, sin θ)
@group(0) @binding(4) var<storage, read_write> QO: array<f32>;   // [n_tok, n_head·dk]
@group(0) @binding(5) var<storage, read_write> KC: array<u32>;   // [.., n_ctx, n_head_kv·dk] from k_cache_off
@group(0) @binding(6) var<storage, read_write> VC: array<u32>;   // [.., n_ctx, n_head_kv·dv] from v_cache_off
@group(0) @binding(7) var<uniform> p: Params;

var<workgroup> hv: array<f32, 512>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let t = wg.y;
  let pos = p.pos0 + t;
  let is_q = wg.x < p.n_head;
  let head = select(wg.x - p.n_head, wg.x, is_q);
  let n_vec_heads = select(p.n_head_kv, p.n_head, is_q);
  let q_head_stride = select(p.dk, 2u * p.dk, (p.flags & F_QGATE) != 0u);
  let vec_off = t * p.qkv_stride + select(p.n_head * q_head_stride, 0u, is_q);
  let src = vec_off + head * select(p.dk, q_head_stride, is_q);

  // Inverse RMS over the head, or over the whole Q (or K) projection.
  var inv = 1.0;
  if ((p.flags & F_NORM_HEAD) != 0u) {
    var ss = 0.0;
    for (var i = lid; i < p.dk; i += WG) { let x = QKV[src + i]; ss += x * x; }
    inv = 1.0 / sqrt(reduce_sum(lid, ss) / f32(p.dk) + p.eps);
  } else if ((p.flags & F_NORM_FULL) != 0u) {
    let n = n_vec_heads * p.dk;
    var ss = 0.0;
    for (var i = lid; i < n; i += WG) { let x = QKV[vec_off + i]; ss += x * x; }
    inv = 1.0 / sqrt(reduce_sum(lid, ss) / f32(n) + p.eps);
  }
  for (var i = lid; i < p.dk; i += WG) {
    var x = QKV[src + i];
    if ((p.flags & F_NORM_HEAD) != 0u) {
      x = x * inv * select(KN[i], QN[i], is_q);
    } else if ((p.flags & F_NORM_FULL) != 0u) {
      x = x * inv * select(KN[head * p.dk + i], QN[head * p.dk + i], is_q);
    }
    hv[i] = x;
  }
  workgroupBarrier();

  let dst = select(p.k_cache_off + pos * p.n_head_kv * p.dk + head * p.dk, t * p.n_head * p.dk + head * p.dk, is_q);
  if (is_q) {
    for (var i = lid; i < p.dk; i += WG) { QO[dst + i] = rotated(i, pos); }
    return;
  }
  let vsrc = t * p.qkv_stride + p.n_head * q_head_stride + p.n_head_kv * p.dk + head * p.dv;
  let vdst = p.v_cache_off + pos * p.n_head_kv * p.dv + head * p.dv;
  if (KV_F16) {
    for (var i = 2u * lid; i < p.dk; i += 2u * WG) { KC[(dst + i) / 2u] = pack2x16float(vec2(rotated(i, pos), rotated(i + 1u, pos))); }
    for (var i = 2u * lid; i < p.dv; i += 2u * WG) { VC[(vdst + i) / 2u] = pack2x16float(vec2(QKV[vsrc + i], QKV[vsrc + i + 1u])); }
  } else {
    for (var i = lid; i < p.dk; i += WG) { KC[dst + i] = bitcast<u32>(rotated(i, pos)); }
    for (var i = lid; i < p.dv; i += WG) { VC[vdst + i] = bitcast<u32>(QKV[vsrc + i]); }
  }
}

// Element i of the normalised head in hv after RoPE at `pos`: NORM pairs (2k, 2k+1), NEOX pairs
// (k, k + n_rot/2); elements past n_rot pass through.
fn rotated(i: u32, pos: u32) -> f32 {
  let y = hv[i];
  if (i >= p.n_rot) { return y; }
  let half = p.n_rot / 2u;
  let neox = (p.flags & F_NEOX) != 0u;
  let k = select(i / 2u, i % half, neox);
  let first = select((i & 1u) == 0u, i < half, neox);
  let partner = select(select(i - 1u, i + 1u, first), select(i - half, i + half, first), neox);
  let cs = ROPE[pos * half + k];
  let other = hv[partner];
  return select(other * cs.y + y * cs.x, y * cs.x - other * cs.y, first);
}
