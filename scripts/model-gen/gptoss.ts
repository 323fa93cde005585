// What a gpt-oss test model has beyond the common tensors and keys (llama.cpp
// llama-model.cpp, LLM_ARCH_OPENAI_MOE): the output, router and expert biases, the pre-FFN norm
// named post_attention_norm, the sliding window, and YaRN.

import type { GgufKv } from '../../workers/engine/gguf/types.ts';
import { kv } from '../../reference/gguf/writer.ts';
import { layerTensorName } from '../../workers/engine/model/tensorNames.ts';
import type { GgmlTypeName } from '../../workers/engine/quant/types.ts';
import type { ModelSpec } from './generate.ts';
import type { Rng } from './random.ts';

type Add = (name: string, dims: number[], values: Float32Array, type: GgmlTypeName) => void;

/** A window short enough that 6-token prompts and 32-token runs cross it. */
export const gptOssDefaultWindow = 4;

/** YaRN as gpt-oss declares it, scaled down to test contexts (gpt-oss-20b: factor 32 over 4096). */
export const gptOssYarn = { type: 'yarn', factor: 8, originalContext: 64 } as const;

export function gptOssLayerExtras(il: number, s: ModelSpec, add: Add, norm: (name: string, n: number) => void, rng: Rng): void {
  const t = (name: Parameters<typeof layerTensorName>[1]): string => layerTensorName(il, name);
  add(t('attnOutputBias'), [s.nEmbd], rng.gaussian(s.nEmbd, 0.2), 'F32');
  norm(t('postAttentionNorm'), s.nEmbd);
  add(t('ffnGateInpBias'), [s.nExpert], rng.gaussian(s.nExpert, 0.5), 'F32');
  add(t('ffnGateExpsBias'), [s.nFf, s.nExpert], rng.gaussian(s.nFf * s.nExpert, 0.5), 'F32');
  add(t('ffnUpExpsBias'), [s.nFf, s.nExpert], rng.gaussian(s.nFf * s.nExpert, 0.5), 'F32');
  add(t('ffnDownExpsBias'), [s.nEmbd, s.nExpert], rng.gaussian(s.nEmbd * s.nExpert, 0.2), 'F32');
}

export function gptOssHparams(s: ModelSpec, headDim: number): GgufKv[] {
  const k = (key: string): string => `gpt-oss.${key}`;
  return [
    kv.u32(k('expert_feed_forward_length'), s.nFf),
    kv.u32(k('feed_forward_length'), s.nFf),
    kv.u32(k('attention.key_length'), headDim),
    kv.u32(k('attention.value_length'), headDim),
    kv.u32(k('attention.sliding_window'), s.slidingWindow ?? gptOssDefaultWindow),
  ];
}
