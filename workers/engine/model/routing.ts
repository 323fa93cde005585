// DeepSeek-style routing read from metadata (llama.cpp build_moe_ffn), shared by the
// architectures that use it: the gating function, weight renormalisation and scale, the
// selection bias (exp_probs_b) and grouped top-k.

import { optBool, optNumber } from '../gguf/metadata.ts';
import type { GgufFile } from '../gguf/types.ts';
import { ModelError } from './errors.ts';
import type { Gating, MoeRouting } from './graph.ts';
import { layerTensorName as w } from './tensorNames.ts';

/** `expert_gating_func`: 1 softmax, 2 sigmoid; 0 (none) is the architecture's default. */
const gatingFuncs: Record<number, Gating> = { 1: 'softmax', 2: 'sigmoid' };

export function routingFromMetadata(file: GgufFile, arch: string, o: { readonly nExpert: number; readonly lastLayer: number; readonly defaultGating: Gating }): MoeRouting {
  const k = (s: string): string => `${arch}.${s}`;
  const gatingFunc = optNumber(file, k('expert_gating_func')) ?? 0;
  const gating = gatingFunc === 0 ? o.defaultGating : gatingFuncs[gatingFunc];
  if (!gating) throw new ModelError('bad_hparams', `${arch}: expert_gating_func ${gatingFunc} is not supported (1 softmax, 2 sigmoid)`);
  const groupCount = optNumber(file, k('expert_group_count')) ?? 0;
  const groupUsed = optNumber(file, k('expert_group_used_count')) ?? 0;
  if (groupCount > 1 && (o.nExpert % groupCount !== 0 || groupUsed < 1 || groupUsed > groupCount)) {
    throw new ModelError('bad_hparams', `${arch}: ${o.nExpert} experts cannot form ${groupCount} groups with ${groupUsed} used`);
  }
  const weightsScale = optNumber(file, k('expert_weights_scale')) ?? 0;
  return {
    gating,
    normWeights: optBool(file, k('expert_weights_norm')) ?? false,
    // llama.cpp scales only by a value other than 0 and 1.
    weightsScale: weightsScale === 0 ? 1 : weightsScale,
    selectionBias: file.tensorByName.has(w(o.lastLayer, 'expProbsB')),
    groups: groupCount > 1 ? { count: groupCount, used: groupUsed } : undefined,
  };
}
