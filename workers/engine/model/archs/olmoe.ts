// OLMoE (llama.cpp models/olmoe.cpp): RMSNorm over the whole Q and K projections before the
// head split, NEOX RoPE; softmax top-k without renormalisation. Its feed_forward_length is
// the per-expert width.

import { commonConfig } from '../config.ts';
import { globalTensors, layerTensorName as w } from '../tensorNames.ts';
import type { ArchDef } from './arch.ts';

export const olmoe: ArchDef = {
  name: 'olmoe',
  config: (file) => commonConfig(file, 'olmoe', 'neox'),
  forward(b, cfg) {
    let x = b.embed();
    for (let il = 0; il < cfg.nLayer; il++) {
      const attn = b.attention(b.rmsNorm(x, w(il, 'attnNorm')), il, { qkNorm: 'full_width', qkvBias: false });
      const h = b.add(x, attn, 1);
      const ffn = b.moe(b.rmsNorm(h, w(il, 'ffnNorm')), il, { gating: 'softmax', normWeights: false, weightsScale: 1, sharedExpert: 'none' });
      x = b.add(h, ffn, 1);
    }
    return b.output(b.rmsNorm(x, globalTensors.outputNorm));
  },
};
