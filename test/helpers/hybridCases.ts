// The Qwen hybrid (qwen3next, qwen35moe) oracle cases shared by the CPU and WebGPU tests.

import type { QwenHybridSpec } from '../../scripts/model-gen/qwenHybrid.ts';
import type { GgmlTypeName } from '../../workers/engine/quant/types.ts';
import { oracleCase } from './oracleSpecs.ts';
import type { Spec } from './testModels.ts';

export type HybridArch = 'qwen3next' | 'qwen35moe';

export interface HybridCase {
  readonly spec: Spec;
  readonly promptLength: number;
  readonly minGap: number;
  readonly minRoutingGap: number;
  readonly tolerance: number;
}

export function hybridCase(arch: HybridArch, q: GgmlTypeName, hybrid: Partial<QwenHybridSpec>): HybridCase {
  const base = oracleCase(arch, q);
  const kQuant = q.endsWith('_K');
  return {
    // Three trunk layers: DeltaNet, attention, DeltaNet (interval 2), then the NextN block.
    spec: { ...base.spec, nLayer: 3, hybrid: { ...(kQuant ? { headDim: 64, attnHeadDim: 64 } : {}), ...hybrid } },
    // F32 prompts are longer than one 64-token chunk of llama.cpp's chunked delta rule; quantized
    // ones short, as a long run with clear margins is rare under quantization noise.
    promptLength: q === 'F32' ? 70 : 8,
    minGap: base.minGap,
    // The routers stay F32 (llama.cpp never quantizes them): a smaller routing gap suffices.
    minRoutingGap: q === 'F32' ? 1e-3 : 0.01,
    // llama.cpp rounds the activations of K-quant products to Q8_K; through the decay exp(softplus(·)·a)
    // and the state that carries it, a step now and then moves by up to 0.02 (seen: 0.0175 once in 32).
    tolerance: kQuant ? 2e-2 : base.tolerance,
  };
}
