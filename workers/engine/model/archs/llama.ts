// Llama with experts (Mixtral; llama.cpp models/llama.cpp): NORM RoPE, softmax top-k
// renormalised. Its feed_forward_length is the per-expert width.

import { commonConfig } from '../config.ts';
import { ModelError } from '../errors.ts';
import { globalTensors, layerTensorName as w } from '../tensorNames.ts';
import type { ArchDef } from './arch.ts';

export const llama: ArchDef = {
  name: 'llama',
  config(file) {
    const cfg = commonConfig(file, 'llama', 'norm');
    if (cfg.nExpert === 0) throw new ModelError('unknown_arch', 'this llama model has no experts; Pakar runs Mixture-of-Experts models only');
    return cfg;
  },
  forward(b, cfg) {
    let x = b.embed();
    for (let il = 0; il < cfg.nLayer; il++) {
      const attn = b.attention(b.rmsNorm(x, w(il, 'attnNorm')), il, { qkNorm: 'none', qkvBias: false });
      const h = b.add(x, attn, 1);
      const ffn = b.moe(b.rmsNorm(h, w(il, 'ffnNorm')), il, { gating: 'softmax', normWeights: true, weightsScale: 1, sharedExpert: 'none' });
      x = b.add(h, ffn, 1);
    }
    return b.output(b.rmsNorm(x, globalTensors.outputNorm));
  },
};
