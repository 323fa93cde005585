// The one table of GGUF tensor names (llama-arch.cpp). Architecture files and backends
// ask for tensors by these keys, never by spelling names themselves.

export const globalTensors = {
  tokenEmbd: 'token_embd.weight',
  outputNorm: 'output_norm.weight',
  output: 'output.weight',
} as const;

export const layerTensors = {
  attnNorm: 'attn_norm.weight',
  attnQ: 'attn_q.weight',
  attnK: 'attn_k.weight',
  attnV: 'attn_v.weight',
  attnQBias: 'attn_q.bias',
  attnKBias: 'attn_k.bias',
  attnVBias: 'attn_v.bias',
  attnOutput: 'attn_output.weight',
  attnQNorm: 'attn_q_norm.weight',
  attnKNorm: 'attn_k_norm.weight',
  attnSinks: 'attn_sinks.weight',
  ffnNorm: 'ffn_norm.weight',
  ffnGateInp: 'ffn_gate_inp.weight',
  ffnGateExps: 'ffn_gate_exps.weight',
  ffnUpExps: 'ffn_up_exps.weight',
  ffnDownExps: 'ffn_down_exps.weight',
  ffnGateInpShexp: 'ffn_gate_inp_shexp.weight',
  ffnGateShexp: 'ffn_gate_shexp.weight',
  ffnUpShexp: 'ffn_up_shexp.weight',
  ffnDownShexp: 'ffn_down_shexp.weight',
  // gpt-oss: output and router biases, per-expert biases ([n_ff or n_embd, n_expert]), and the
  // pre-FFN norm under its own name.
  attnOutputBias: 'attn_output.bias',
  postAttentionNorm: 'post_attention_norm.weight',
  ffnGateInpBias: 'ffn_gate_inp.bias',
  ffnGateExpsBias: 'ffn_gate_exps.bias',
  ffnUpExpsBias: 'ffn_up_exps.bias',
  ffnDownExpsBias: 'ffn_down_exps.bias',
  // Multi-head latent attention (deepseek2): q-LoRA or plain Q, the compressed KV, and its
  // up-projection, as one attn_kv_b (old files) or split per head into attn_k_b / attn_v_b.
  attnQA: 'attn_q_a.weight',
  attnQANorm: 'attn_q_a_norm.weight',
  attnQB: 'attn_q_b.weight',
  attnKvAMqa: 'attn_kv_a_mqa.weight',
  attnKvANorm: 'attn_kv_a_norm.weight',
  attnKvB: 'attn_kv_b.weight',
  attnKB: 'attn_k_b.weight',
  attnVB: 'attn_v_b.weight',
  // Dense FFN of the leading layers (deepseek2's leading_dense_block_count).
  ffnGate: 'ffn_gate.weight',
  ffnUp: 'ffn_up.weight',
  ffnDown: 'ffn_down.weight',
  /** DeepSeek-V3's expert-selection bias (e_score_correction_bias): selection only, not weights. */
  expProbsB: 'exp_probs_b.bias',
  // A NextN (multi-token prediction) block after the trunk (glm4moe): h and the next token's
  // embedding, each normalised, joined by eh_proj into the block's input.
  nextnEhProj: 'nextn.eh_proj.weight',
  nextnEnorm: 'nextn.enorm.weight',
  nextnHnorm: 'nextn.hnorm.weight',
  nextnSharedHeadNorm: 'nextn.shared_head_norm.weight',
  // Optional: the block's own embeddings and output head (absent: the trunk's).
  nextnEmbedTokens: 'nextn.embed_tokens.weight',
  nextnSharedHeadHead: 'nextn.shared_head_head.weight',
  // Gated DeltaNet linear attention (qwen3next, qwen35moe): the conv input [q; k; v] and the output
  // gate z, as one legacy ssm_in grouped per key head (qwen3next) or attn_qkv + attn_gate; beta and
  // alpha as one ssm_ba grouped per key head (qwen3next) or ssm_beta + ssm_alpha; the causal conv,
  // the decay's bias (ssm_dt) and −exp(A_log) (ssm_a), the gated norm and the output projection.
  ssmIn: 'ssm_in.weight',
  attnQkv: 'attn_qkv.weight',
  attnGate: 'attn_gate.weight',
  ssmBa: 'ssm_ba.weight',
  ssmBeta: 'ssm_beta.weight',
  ssmAlpha: 'ssm_alpha.weight',
  ssmConv1d: 'ssm_conv1d.weight',
  ssmDt: 'ssm_dt.bias',
  ssmA: 'ssm_a',
  ssmNorm: 'ssm_norm.weight',
  ssmOut: 'ssm_out.weight',
} as const;

export type LayerTensor = keyof typeof layerTensors;
export type GlobalTensor = keyof typeof globalTensors;

export function layerTensorName(layer: number, t: LayerTensor): string {
  return `blk.${layer}.${layerTensors[t]}`;
}
