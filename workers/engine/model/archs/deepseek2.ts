// DeepSeek-V2/V3 (llama.cpp models/deepseek2.cpp): multi-head latent attention with NORM RoPE
// (YaRN's mscale enters the attention scale), dense leading layers, then routed experts plus
// ungated shared experts. Routing from metadata: softmax or sigmoid, optional weight
// renormalisation, a scale, and V3's selection bias and grouped top-k. Trailing
// nextn_predict_layers blocks are DeepSeek-V3's multi-token-prediction module (model/nextn.ts).

import { optNumber, optNumberPerLayer, metaNumber } from '../../gguf/metadata.ts';
import { commonConfig } from '../config.ts';
import type { ModelConfig } from '../config.ts';
import type { Blocks } from '../graph.ts';
import { nextnBlock, nextnLayers } from '../nextn.ts';
import { ModelError } from '../errors.ts';
import { routingFromMetadata } from '../routing.ts';
import { globalTensors, layerTensorName as w } from '../tensorNames.ts';
import type { ArchDef } from './arch.ts';

export const deepseek2: ArchDef = {
  name: 'deepseek2',
  config(file) {
    const k = (s: string): string => `deepseek2.${s}`;
    const base = commonConfig(file, 'deepseek2', 'norm');
    const ropeDim = base.nRot;
    // New files state the per-head sizes in *_mla keys (key_length is then r + dr of the MQA view).
    const kMla = optNumber(file, k('attention.key_length_mla')) ?? 0;
    const vMla = optNumber(file, k('attention.value_length_mla')) ?? 0;
    const splitKvB = kMla > 0 && vMla > 0;
    const headK = splitKvB ? kMla : base.headDimK;
    const headV = splitKvB ? vMla : base.headDimV;
    if (headK <= ropeDim) throw new ModelError('bad_hparams', `deepseek2: key length ${headK} must exceed the RoPE dimension ${ropeDim}`);

    const nFfExp = metaNumber(file, k('expert_feed_forward_length'));
    const { nLayer, nNextn } = nextnLayers(file, 'deepseek2', base.nLayer);

    // YaRN (llama-context.cpp; TAG_DEEPSEEK2_YARN_LOG_MUL_FIX): with a log multiplier the RoPE
    // rotation keeps unit magnitude and mscale² = (1 + 0.1·mscale_all_dim·ln factor)² scales the scores.
    let ropeScaling = base.ropeScaling;
    let mscale = 1;
    if (ropeScaling.type === 'yarn') {
      const logMul = (optNumber(file, k('rope.scaling.yarn_log_multiplier')) ?? 0) / 0.1;
      const lnF = Math.log(ropeScaling.factor);
      const attnFactor = logMul !== 0 ? 1 / (1 + 0.1 * lnF) : 1;
      ropeScaling = { ...ropeScaling, attnFactor };
      mscale = attnFactor * (1 + 0.1 * lnF) * (1 + 0.1 * logMul * lnF);
    }
    return {
      ...base,
      nLayer,
      nNextn,
      // No per-head K/V cache: the MLA cache holds the latent and the shared RoPE key.
      nHeadKv: 0,
      headDimK: headK,
      headDimV: headV,
      ropeScaling,
      kqScale: (mscale * mscale) / Math.sqrt(headK),
      nFfExp,
      nFfShexp: nFfExp * (optNumber(file, k('expert_shared_count')) ?? 0),
      mla: {
        qLoraRank: optNumber(file, k('attention.q_lora_rank')) ?? 0,
        kvLoraRank: metaNumber(file, k('attention.kv_lora_rank')),
        nopeDim: headK - ropeDim,
        ropeDim,
        vDim: headV,
        splitKvB,
      },
      nLayerDenseLead: optNumber(file, k('leading_dense_block_count')) ?? 0,
      nFfDense: optNumberPerLayer(file, k('feed_forward_length'), 0) ?? 0,
      moeRouting: routingFromMetadata(file, 'deepseek2', { nExpert: base.nExpert, lastLayer: nLayer - 1, defaultGating: 'softmax' }),
    };
  },
  forward(b, cfg) {
    let x = b.embed();
    for (let il = 0; il < cfg.nLayer; il++) x = layer(b, cfg, x, il);
    return b.output(b.rmsNorm(x, globalTensors.outputNorm));
  },
  mtp: (b, cfg, h) => nextnBlock(b, cfg.nLayer, h, (x, il) => layer(b, cfg, x, il)),
};

/** One decoder block: MLA, then the dense FFN or the experts, each with its residual. */
function layer<A>(b: Blocks<A>, cfg: ModelConfig, x: A, il: number): A {
  const routing = cfg.moeRouting;
  if (!routing) throw new ModelError('bad_hparams', 'deepseek2: routing missing from the config');
  const attn = b.mla(b.rmsNorm(x, w(il, 'attnNorm')), il);
  const h = b.add(x, attn, 1);
  const n = b.rmsNorm(h, w(il, 'ffnNorm'));
  const ffn = il < (cfg.nLayerDenseLead ?? 0) ? b.denseFfn(n, il) : b.moe(n, il, { ...routing, sharedExpert: cfg.nFfShexp > 0 ? 'ungated' : 'none' });
  return b.add(h, ffn, 1);
}
