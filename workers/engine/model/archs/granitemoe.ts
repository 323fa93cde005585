// Granite 3.x MoE (llama.cpp models/granite.cpp): NORM RoPE and four scales — embeddings
// ×embedding_scale, each sublayer output ×residual_scale, attention logits ×attention.scale,
// logits ÷logit_scale. Softmax top-k renormalised; optional ungated shared expert.

import { metaNumber } from '../../gguf/metadata.ts';
import { commonConfig } from '../config.ts';
import { globalTensors, layerTensorName as w } from '../tensorNames.ts';
import type { ArchDef } from './arch.ts';

export const granitemoe: ArchDef = {
  name: 'granitemoe',
  config(file) {
    const base = commonConfig(file, 'granitemoe', 'norm');
    return {
      ...base,
      kqScale: metaNumber(file, 'granitemoe.attention.scale'),
      embeddingScale: metaNumber(file, 'granitemoe.embedding_scale'),
      residualScale: metaNumber(file, 'granitemoe.residual_scale'),
      logitScale: metaNumber(file, 'granitemoe.logit_scale'),
    };
  },
  forward(b, cfg) {
    let x = b.scale(b.embed(), cfg.embeddingScale);
    for (let il = 0; il < cfg.nLayer; il++) {
      const attn = b.attention(b.rmsNorm(x, w(il, 'attnNorm')), il, { qkNorm: 'none', qkvBias: false });
      const h = b.add(x, attn, cfg.residualScale);
      const ffn = b.moe(b.rmsNorm(h, w(il, 'ffnNorm')), il, {
        gating: 'softmax',
        normWeights: true,
        weightsScale: 1,
        sharedExpert: cfg.nFfShexp > 0 ? 'ungated' : 'none',
      });
      x = b.add(h, ffn, cfg.residualScale);
    }
    return b.scale(b.output(b.rmsNorm(x, globalTensors.outputNorm)), 1 / cfg.logitScale);
  },
};
