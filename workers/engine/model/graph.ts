// The shared blocks an architecture is built from. Each backend (the CPU reference, the
// WebGPU runtime) implements `Blocks` over its own activation handle `A` ([n_tokens, width]).

export type QkNorm = 'none' | 'per_head' | 'full_width';

export interface AttentionOpts {
  /** RMSNorm of Q and K: per head over head_dim (Qwen3), or over the whole projection (OLMoE). */
  readonly qkNorm: QkNorm;
  /** Q, K and V projections carry biases (Qwen2-MoE). */
  readonly qkvBias: boolean;
  /** Per-head sink logits (attn_sinks) that take probability mass but add no value (gpt-oss). */
  readonly sinks?: boolean;
  /** Keys at distance ≥ this from the query are masked (sliding-window layers); absent = none. */
  readonly slidingWindow?: number;
  /** The output projection carries a bias (gpt-oss). */
  readonly outputBias?: boolean;
  /**
   * attn_q carries a gate after each head's query ([q_h; gate_h]); the attention output is
   * multiplied by sigmoid(gate) before the output projection (qwen3next, qwen35moe).
   */
  readonly outputGate?: boolean;
}

/** softmax_weight (gpt-oss): top-k on the raw logits, then softmax over the k chosen. */
export type Gating = 'softmax' | 'sigmoid' | 'softmax_weight';

/** silu: silu(g)·u. swiglu_oai (gpt-oss): g' = min(g, 7), u' = clamp(u, ±7), g'·σ(1.702·g')·(u' + 1). */
export type ExpertActivation = 'silu' | 'swiglu_oai';

export interface MoeOpts {
  readonly gating: Gating;
  /** Renormalise the k selected weights to sum to 1. */
  readonly normWeights: boolean;
  /** Multiply the selected weights by this (DeepSeek); 1 for none. */
  readonly weightsScale: number;
  /** A shared expert on every token: none, ungated, or scaled by sigmoid(w·x) (Qwen2-MoE). */
  readonly sharedExpert: 'none' | 'ungated' | 'sigmoid_gated';
  /** Router and routed experts carry biases (gpt-oss); absent = none. */
  readonly biases?: boolean;
  /** The routed experts' gated activation; absent = silu. */
  readonly activation?: ExpertActivation;
  /** Add exp_probs_b to the probabilities for choosing experts only (DeepSeek-V3). */
  readonly selectionBias?: boolean;
  /** Grouped top-k (DeepSeek-V3): keep the `used` best of `count` expert groups, each scored by its top-2 sum. */
  readonly groups?: { readonly count: number; readonly used: number };
}

/** The routing half of MoeOpts, as an architecture reads it from metadata. */
export type MoeRouting = Omit<MoeOpts, 'sharedExpert'>;

export interface Blocks<A> {
  /** Embeddings of the batch's tokens (from `table`, default token_embd). */
  embed(table?: string): A;
  /** y = x / rms(x) · w, over the last axis. */
  rmsNorm(x: A, weight: string): A;
  /** Self-attention of layer `il` on normalised input x, through the output projection. */
  attention(x: A, il: number, opts: AttentionOpts): A;
  /** Routed experts (plus shared expert) of layer `il` on normalised input x. */
  moe(x: A, il: number, opts: MoeOpts): A;
  /** a + b·bScale. */
  add(a: A, b: A, bScale: number): A;
  /** x·s. */
  scale(x: A, s: number): A;
  /** Logits over the vocabulary (`head`, default output.weight, or token_embd when tied) of the normalised final state x. */
  output(x: A, head?: string): A;
  /** Whether the model file has tensor `name` (optional tensors). */
  has(name: string): boolean;
  /** W·[a; b]: the projection of two normalised activations side by side (NextN's eh_proj). */
  join(a: A, b: A, weight: string): A;
  /** Multi-head latent attention of layer `il` (deepseek2; cfg.mla) on normalised input x, through the output projection. */
  mla(x: A, il: number): A;
  /** Dense SiLU-gated FFN of layer `il` (ffn_gate, ffn_up, ffn_down) on normalised input x. */
  denseFfn(x: A, il: number): A;
  /** Gated DeltaNet linear attention of layer `il` (cfg.deltaNet) on normalised input x, through ssm_out. */
  deltaNet(x: A, il: number): A;
}
