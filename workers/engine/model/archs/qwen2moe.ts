// Qwen1.5/Qwen2-MoE (llama.cpp models/qwen2moe.cpp): QKV biases, NEOX RoPE; softmax top-k
// without renormalisation, plus a shared expert gated by sigmoid(w·x).

import { commonConfig } from '../config.ts';
import { globalTensors, layerTensorName as w } from '../tensorNames.ts';
import type { ArchDef } from './arch.ts';

export const qwen2moe: ArchDef = {
  name: 'qwen2moe',
  config: (file) => commonConfig(file, 'qwen2moe', 'neox'),
  forward(b, cfg) {
    let x = b.embed();
    for (let il = 0; il < cfg.nLayer; il++) {
      const attn = b.attention(b.rmsNorm(x, w(il, 'attnNorm')), il, { qkNorm: 'none', qkvBias: true });
      const h = b.add(x, attn, 1);
      const ffn = b.moe(b.rmsNorm(h, w(il, 'ffnNorm')), il, { gating: 'softmax', normWeights: false, weightsScale: 1, sharedExpert: 'sigmoid_gated' });
      x = b.add(h, ffn, 1);
    }
    return b.output(b.rmsNorm(x, globalTensors.outputNorm));
  },
};
