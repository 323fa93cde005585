// Causal attention over the KV cache with GQA, one workgroup per (query head, token); on CPU
// adapters (ITEMS > 1) one invocation per (head, token), ITEMS heads a workgroup, so that
// SwiftShader's SIMD lanes each run a head instead of one lane running alone.
// Entry `main`, workgroup WG (common/reduce.wgsl: ITEMS; WG = ITEMS on CPU adapters); dispatch
// (ceil(n_head / ITEMS), n_tok).
// s_j = (q · k_j) · kq_scale for first ≤ j ≤ pos (first > 0 with a sliding window n_swa);
// p = softmax(s), with the head's sink logit (when F_SINKS) in the normaliser only;
// O = Σ_j p_j v_j. Scores go to a scratch row in S; every sum has a fixed order, independent of n_tok.

// The cache holds u32 words: an f32 each, or (KV_F16) two f16 halves; see qk_rope.wgsl.

const F_SINKS: u32 = 1u;
override KV_F16: bool = false;

struct Params {
  n_head: u32, n_head_kv: u32, dk: u32, dv: u32,
  pos0: u32, n_ctx: u32, k_cache_off: u32, v_cache_off: u32,
  kq_scale: f32, n_tok: u32, n_swa: u32, flags: u32,
}

@group(0) @binding(0) var<storage, read> Q: array<f32>;          // [n_tok, n_head·dk]
@group(0) @binding(1) var<storage, read> KC: array<u32>;         // [.., n_ctx, n_head_kv·dk] from k_cache_off
@group(0) @binding(2) var<storage, read> VC: array<u32>;         // [.., n_ctx, n_head_kv·dv] from v_cache_off
@group(0) @binding(3) var<storage, read_write> S: array<f32>;    // [n_tok, n_head, n_ctx] scratch
@group(0) @binding(4) var<storage, read_write> O: array<f32>;    // [n_tok, n_head·dv]
@group(0) @binding(5) var<storage, read> SINKS: array<f32>;      // [n_head] sink logits (F_SINKS)
@group(0) @binding(6) var<uniform> p: Params;

/** Head h of token t on one invocation: the sums of the WG = 1 path below, in the same order. */
fn head_alone(h: u32, t: u32) {
  let pos = p.pos0 + t;
  let kvh = h / (p.n_head / p.n_head_kv);
  let q_off = t * p.n_head * p.dk + h * p.dk;
  let s_off = (t * p.n_head + h) * p.n_ctx;
  let first = select(0u, pos + 1u - min(pos + 1u, p.n_swa), p.n_swa > 0u);
  let sinks = (p.flags & F_SINKS) != 0u;
  var m = -3.4e38;
  for (var j = first; j <= pos; j++) {
    let s = dot_key(q_off, p.k_cache_off + j * p.n_head_kv * p.dk + kvh * p.dk) * p.kq_scale;
    S[s_off + j] = s;
    m = max(m, s);
  }
  if (sinks) { m = max(m, SINKS[h]); }
  var z = 0.0;
  for (var j = first; j <= pos; j++) {
    let e = exp(S[s_off + j] - m);
    S[s_off + j] = e;
    z += e;
  }
  if (sinks) { z += exp(SINKS[h] - m); }
  // Four outputs at a time share each score's load (each output's sum is still over j in order).
  let o_off = t * p.n_head * p.dv + h * p.dv;
  var i = 0u;
  for (; i + 4u <= p.dv; i += 4u) {
    var acc = vec4<f32>(0.0);
    for (var j = first; j <= pos; j++) {
      let v = p.v_cache_off + j * p.n_head_kv * p.dv + kvh * p.dv + i;
      acc += S[s_off + j] * vec4<f32>(value_at(v), value_at(v + 1u), value_at(v + 2u), value_at(v + 3u));
    }
    O[o_off + i] = acc.x / z; O[o_off + i + 1u] = acc.y / z; O[o_off + i + 2u] = acc.z / z; O[o_off + i + 3u] = acc.w / z;
  }
  for (; i < p.dv; i++) {
    var acc = 0.0;
    for (var j = first; j <= pos; j++) {
      acc += S[s_off + j] * value_at(p.v_cache_off + j * p.n_head_kv * p.dv + kvh * p.dv + i);
    }
    O[o_off + i] = acc / z;
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  if (ITEMS > 1u) {
    let head = wg.x * ITEMS + lid;
    if (head < p.n_head) { head_alone(head, wg.y); }
    return;
  }
  let h = wg.x;
  let t = wg.y;
  let pos = p.pos0 + t;
  let kvh = h / (p.n_head / p.n_head_kv);
  let q_off = t * p.n_head * p.dk + h * p.dk;
  let s_off = (t * p.n_head + h) * p.n_ctx;

  let first = select(0u, pos + 1u - min(pos + 1u, p.n_swa), p.n_swa > 0u);
  let sinks = (p.flags & F_SINKS) != 0u;
  var m = -3.4e38;
  for (var j = first + lid; j <= pos; j += WG) {
    let k_off = p.k_cache_off + j * p.n_head_kv * p.dk + kvh * p.dk;
    let s = dot_key(q_off, k_off) * p.kq_scale;
    S[s_off + j] = s;
    m = max(m, s);
  }
  m = reduce_max(lid, m);
  if (sinks) { m = max(m, SINKS[h]); }

  var z = 0.0;
  for (var j = first + lid; j <= pos; j += WG) {
    let e = exp(S[s_off + j] - m);
    S[s_off + j] = e;
    z += e;
  }
  z = reduce_sum(lid, z);
  if (sinks) { z += exp(SINKS[h] - m); }
  storageBarrier();

  for (var i = lid; i < p.dv; i += WG) {
    var acc = 0.0;
    for (var j = first; j <= pos; j++) {
      acc += S[s_off + j] * value_at(p.v_cache_off + j * p.n_head_kv * p.dv + kvh * p.dv + i);
    }
    O[t * p.n_head * p.dv + h * p.dv + i] = acc / z;
  }
}

// q · k over dk elements, summed in index order in both cache formats.
fn dot_key(q_off: u32, k_off: u32) -> f32 {
  var s = 0.0;
  if (KV_F16) {
    for (var i = 0u; i < p.dk; i += 2u) {
      let k2 = unpack2x16float(KC[(k_off + i) / 2u]);
      s += Q[q_off + i] * k2.x;
      s += Q[q_off + i + 1u] * k2.y;
    }
  } else {
    for (var i = 0u; i < p.dk; i++) { s += Q[q_off + i] * bitcast<f32>(KC[k_off + i]); }
  }
  return s;
}

fn value_at(idx: u32) -> f32 {
  if (KV_F16) {
    let v2 = unpack2x16float(VC[idx / 2u]);
    return select(v2.x, v2.y, (idx & 1u) == 1u);
  }
  return bitcast<f32>(VC[idx]);
}
