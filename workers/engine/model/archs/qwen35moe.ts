// Qwen3.5 / Qwen3.6 MoE (llama.cpp models/qwen35moe.cpp): the Qwen hybrid decoder
// (model/qwenHybrid.ts) with value heads tiled over the key heads and separate attn_qkv, attn_gate,
// ssm_beta and ssm_alpha. Its interleaved M-RoPE gives a text token one position in every section,
// which is NEOX RoPE.

import { qwenHybridConfig, qwenHybridForward, qwenHybridMtp } from '../qwenHybrid.ts';
import type { ArchDef } from './arch.ts';

export const qwen35moe: ArchDef = {
  name: 'qwen35moe',
  config: (file) => qwenHybridConfig(file, 'qwen35moe', 'tiled'),
  forward: qwenHybridForward,
  mtp: qwenHybridMtp,
};
