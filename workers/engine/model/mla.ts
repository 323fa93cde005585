// Multi-head latent attention (DeepSeek-V2/V3; llama.cpp models/deepseek2.cpp): shapes, and
// where each head's up-projections live in the two GGUF layouts.
//
// Per token: c = rms(W_kv_a·x)[0..r) (the latent), k_pe = rope(W_kv_a·x)[r..r+dr), shared by
// all heads. Per head h, with q = [q_nope (dn) | q_pe (dr)]:
//   score_j = (q_nope·K_h·c_j + q_pe·k_pe_j) · kq_scale,   out_h = V_h · Σ_j p_j c_j
// K_h is dn×r and V_h is dv×r. Only c and k_pe are cached: r + dr values per token per layer.

export interface MlaConfig {
  /** Rank of the query compression; 0 = plain attn_q ("lite"). */
  readonly qLoraRank: number;
  /** Rank r of the KV latent. */
  readonly kvLoraRank: number;
  /** dn: per-head query/key channels without RoPE. */
  readonly nopeDim: number;
  /** dr: RoPE channels, per query head and of the one shared key. */
  readonly ropeDim: number;
  /** dv: per-head value width. */
  readonly vDim: number;
  /** New files split the up-projection per head (attn_k_b, attn_v_b); old ones have one attn_kv_b. */
  readonly splitKvB: boolean;
}

/** Cached values per token per layer. */
export const mlaCacheWidth = (m: MlaConfig): number => m.kvLoraRank + m.ropeDim;

/**
 * Element index of K_h[i][j] (i < dn, j < r) and V_h[d][j] (d < dv) in the dequantized tensor:
 * attn_k_b ne=[dn, r, H] holds K_h transposed (r rows of dn), attn_v_b ne=[r, dv, H] holds V_h;
 * attn_kv_b ne=[r, H·(dn+dv)] holds, per head, dn rows of K_h then dv rows of V_h.
 */
export function mlaIndex(m: MlaConfig): { k(h: number, i: number, j: number): number; v(h: number, d: number, j: number): number } {
  const { kvLoraRank: r, nopeDim: dn, vDim: dv } = m;
  if (m.splitKvB) return { k: (h, i, j) => (h * r + j) * dn + i, v: (h, d, j) => (h * dv + d) * r + j };
  return { k: (h, i, j) => (h * (dn + dv) + i) * r + j, v: (h, d, j) => (h * (dn + dv) + dn + d) * r + j };
}
