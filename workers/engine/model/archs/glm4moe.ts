// GLM-4.5 / 4.5-Air / 4.6 (llama.cpp models/glm4-moe.cpp): GQA attention with q/k/v biases,
// optional per-head Q/K RMSNorm, NEOX RoPE over part of each head (rope.dimension_count), the
// FFN norm under post_attention_norm; dense leading layers, then sigmoid routing with the
// exp_probs_b selection bias (and grouped top-k when the file has groups), renormalised and
// scaled weights, plus ungated shared experts. The trailing nextn_predict_layers blocks are the
// model's multi-token-prediction head (model/nextn.ts): the trunk never runs them.

import { metaNumber, optNumber, optNumberPerLayer } from '../../gguf/metadata.ts';
import type { ModelConfig } from '../config.ts';
import { commonConfig } from '../config.ts';
import { ModelError } from '../errors.ts';
import type { Blocks } from '../graph.ts';
import { routingFromMetadata } from '../routing.ts';
import { nextnBlock, nextnLayers } from '../nextn.ts';
import { globalTensors, layerTensorName as w } from '../tensorNames.ts';
import type { ArchDef } from './arch.ts';

/** One decoder block: attention, then the dense FFN or the experts, each with its residual. */
function layer<A>(b: Blocks<A>, cfg: ModelConfig, x: A, il: number): A {
  const routing = cfg.moeRouting;
  if (!routing) throw new ModelError('bad_hparams', 'glm4moe: routing missing from the config');
  const attn = b.attention(b.rmsNorm(x, w(il, 'attnNorm')), il, { qkNorm: cfg.qkNorm ?? 'none', qkvBias: true });
  const h = b.add(x, attn, 1);
  const n = b.rmsNorm(h, w(il, 'postAttentionNorm'));
  const ffn = il < (cfg.nLayerDenseLead ?? 0) ? b.denseFfn(n, il) : b.moe(n, il, { ...routing, sharedExpert: cfg.nFfShexp > 0 ? 'ungated' : 'none' });
  return b.add(h, ffn, 1);
}

export const glm4moe: ArchDef = {
  name: 'glm4moe',
  config(file) {
    const k = (s: string): string => `glm4moe.${s}`;
    const base = commonConfig(file, 'glm4moe', 'neox');
    const { nLayer, nNextn } = nextnLayers(file, 'glm4moe', base.nLayer);
    const nFfExp = metaNumber(file, k('expert_feed_forward_length'));
    return {
      ...base,
      nLayer,
      nNextn,
      // GLM-4.5 (355B) normalises Q and K per head; 4.5-Air does not.
      qkNorm: file.tensorByName.has(w(0, 'attnQNorm')) ? 'per_head' : 'none',
      nFfExp,
      nFfShexp: nFfExp * (optNumber(file, k('expert_shared_count')) ?? 0),
      nLayerDenseLead: optNumber(file, k('leading_dense_block_count')) ?? 0,
      nFfDense: optNumberPerLayer(file, k('feed_forward_length'), 0) ?? 0,
      moeRouting: routingFromMetadata(file, 'glm4moe', { nExpert: base.nExpert, lastLayer: nLayer - 1, defaultGating: 'sigmoid' }),
    };
  },
  forward(b, cfg) {
    let x = b.embed();
    for (let il = 0; il < cfg.nLayer; il++) x = layer(b, cfg, x, il);
    return b.output(b.rmsNorm(x, globalTensors.outputNorm));
  },
  mtp: (b, cfg, h) => nextnBlock(b, cfg.nLayer, h, (x, il) => layer(b, cfg, x, il)),
};
