// The Qwen hybrid decoder (llama.cpp models/qwen3next.cpp, qwen35moe.cpp): Gated DeltaNet layers
// interleaved with gated full attention (per-head Q/K norm, NEOX RoPE, sigmoid output gate), each
// followed by post_attention_norm and routed experts (softmax, top-k renormalised) plus a
// sigmoid-gated shared expert. Trailing NextN blocks are full-attention layers (model/nextn.ts).

import { optNumber } from '../gguf/metadata.ts';
import type { GgufFile } from '../gguf/types.ts';
import { commonConfig } from './config.ts';
import type { ModelConfig } from './config.ts';
import { deltaNetConfig, missingDeltaNetTensor } from './deltaNet.ts';
import type { DeltaNetConfig } from './deltaNet.ts';
import { ModelError } from './errors.ts';
import type { Blocks } from './graph.ts';
import { nextnBlock, nextnLayers } from './nextn.ts';
import { globalTensors, layerTensorName as w } from './tensorNames.ts';

export function qwenHybridConfig(file: GgufFile, arch: string, keyHeads: DeltaNetConfig['keyHeads']): ModelConfig {
  const base = commonConfig(file, arch, 'neox');
  const { nLayer, nNextn } = nextnLayers(file, arch, base.nLayer);
  if (base.headDimK !== base.headDimV) throw new ModelError('bad_hparams', `${arch}: key and value heads must have one width (${base.headDimK}, ${base.headDimV})`);
  const deltaNet = deltaNetConfig(file, arch, nLayer, keyHeads);
  const missing = missingDeltaNetTensor(file, deltaNet);
  if (missing) throw new ModelError('missing_tensor', `${arch}: tensor ${missing} of a DeltaNet layer is missing from the model file`);
  return { ...base, nLayer, nNextn, kqScale: optNumber(file, `${arch}.attention.scale`) || base.kqScale, deltaNet };
}

export function qwenHybridForward<A>(b: Blocks<A>, cfg: ModelConfig): A {
  let x = b.embed();
  for (let il = 0; il < cfg.nLayer; il++) x = layer(b, cfg, x, il);
  return b.output(b.rmsNorm(x, globalTensors.outputNorm));
}

export function qwenHybridMtp<A>(b: Blocks<A>, cfg: ModelConfig, h: A): A {
  return nextnBlock(b, cfg.nLayer, h, (x, il) => layer(b, cfg, x, il));
}

function layer<A>(b: Blocks<A>, cfg: ModelConfig, x: A, il: number): A {
  const n = b.rmsNorm(x, w(il, 'attnNorm'));
  // NextN blocks (il ≥ nLayer) are full attention.
  const attn = cfg.deltaNet?.recurrent[il] ? b.deltaNet(n, il) : b.attention(n, il, { qkNorm: 'per_head', qkvBias: false, outputGate: true });
  const h = b.add(x, attn, 1);
  const ffn = b.moe(b.rmsNorm(h, w(il, 'postAttentionNorm')), il, {
    gating: 'softmax',
    normWeights: true,
    weightsScale: 1,
    sharedExpert: b.has(w(il, 'ffnUpShexp')) ? 'sigmoid_gated' : 'none',
  });
  return b.add(h, ffn, 1);
}
