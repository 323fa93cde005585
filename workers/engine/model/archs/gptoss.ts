// gpt-oss (llama.cpp models/openai-moe-iswa.cpp): Q/K/V and output biases, per-head attention
// sinks, sliding-window attention on even layers (full attention on odd ones), NEOX RoPE with
// YaRN; the pre-FFN norm is named post_attention_norm. Routing: top-k on the raw router logits
// (+ bias), softmax over the k chosen; experts with biases and the clamped SwiGLU.

import { metaNumber } from '../../gguf/metadata.ts';
import { commonConfig } from '../config.ts';
import { ModelError } from '../errors.ts';
import { globalTensors, layerTensorName as w } from '../tensorNames.ts';
import type { ArchDef } from './arch.ts';

export const gptOss: ArchDef = {
  name: 'gpt-oss',
  config(file) {
    const base = commonConfig(file, 'gpt-oss', 'neox');
    const nSwa = metaNumber(file, 'gpt-oss.attention.sliding_window');
    if (nSwa <= 0) throw new ModelError('bad_hparams', `gpt-oss: attention.sliding_window must be positive (got ${nSwa})`);
    // llama.cpp shapes the heads by n_rot and scales the logits by 1/√n_rot.
    return { ...base, nSwa, kqScale: 1 / Math.sqrt(base.nRot) };
  },
  forward(b, cfg) {
    let x = b.embed();
    for (let il = 0; il < cfg.nLayer; il++) {
      // set_swa_pattern(2): layer il slides iff il % 2 == 0.
      const slidingWindow = il % 2 === 0 ? cfg.nSwa : undefined;
      const attn = b.attention(b.rmsNorm(x, w(il, 'attnNorm')), il, { qkNorm: 'none', qkvBias: true, outputBias: true, sinks: true, slidingWindow });
      const h = b.add(x, attn, 1);
      const ffn = b.moe(b.rmsNorm(h, w(il, 'postAttentionNorm')), il, {
        gating: 'softmax_weight',
        normWeights: false,
        weightsScale: 1,
        sharedExpert: 'none',
        biases: true,
        activation: 'swiglu_oai',
      });
      x = b.add(h, ffn, 1);
    }
    return b.output(b.rmsNorm(x, globalTensors.outputNorm));
  },
};
