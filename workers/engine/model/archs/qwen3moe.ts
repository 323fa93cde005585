// Qwen3-MoE (llama.cpp models/qwen3moe.cpp): per-head QK-norm before NEOX RoPE;
// softmax routing, top-k renormalised; no shared expert.

import { commonConfig } from '../config.ts';
import { globalTensors, layerTensorName as w } from '../tensorNames.ts';
import type { ArchDef } from './arch.ts';

export const qwen3moe: ArchDef = {
  name: 'qwen3moe',
  config: (file) => commonConfig(file, 'qwen3moe', 'neox'),
  forward(b, cfg) {
    let x = b.embed();
    for (let il = 0; il < cfg.nLayer; il++) {
      const attn = b.attention(b.rmsNorm(x, w(il, 'attnNorm')), il, { qkNorm: 'per_head', qkvBias: false });
      const h = b.add(x, attn, 1);
      const ffn = b.moe(b.rmsNorm(h, w(il, 'ffnNorm')), il, { gating: 'softmax', normWeights: true, weightsScale: 1, sharedExpert: 'none' });
      x = b.add(h, ffn, 1);
    }
    return b.output(b.rmsNorm(x, globalTensors.outputNorm));
  },
};
