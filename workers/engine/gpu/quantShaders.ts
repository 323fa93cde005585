// WGSL dequantisation snippets per ggml type (kernels/quant/README.md): quantSnippet(type)
// returns bytes.wgsl + the type's `fn deq32(row_base, u, d)`, to append to a kernel that
// declares `W: array<u32>`.

import { QuantError } from '../quant/dequant.ts';
import type { GgmlTypeInfo, GgmlTypeName } from '../quant/types.ts';
import bytes from './kernels/common/bytes.wgsl?raw';
import unit from './kernels/common/unit.wgsl?raw';
import unitDot from './kernels/common/unit_dot.wgsl?raw';
import bf16 from './kernels/quant/bf16.wgsl?raw';
import f16 from './kernels/quant/f16.wgsl?raw';
import f32 from './kernels/quant/f32.wgsl?raw';
import iq4nl from './kernels/quant/iq4_nl.wgsl?raw';
import iq4xs from './kernels/quant/iq4_xs.wgsl?raw';
import kScaleMin from './kernels/quant/k_scale_min.wgsl?raw';
import mxfp4 from './kernels/quant/mxfp4.wgsl?raw';
import q4_0 from './kernels/quant/q4_0.wgsl?raw';
import q4_1 from './kernels/quant/q4_1.wgsl?raw';
import q4k from './kernels/quant/q4_k.wgsl?raw';
import q4kDot from './kernels/quant/q4_k_dot.wgsl?raw';
import q5kDot from './kernels/quant/q5_k_dot.wgsl?raw';
import q5_0 from './kernels/quant/q5_0.wgsl?raw';
import q5_1 from './kernels/quant/q5_1.wgsl?raw';
import q5k from './kernels/quant/q5_k.wgsl?raw';
import q6k from './kernels/quant/q6_k.wgsl?raw';
import q6kDot from './kernels/quant/q6_k_dot.wgsl?raw';
import q8_0 from './kernels/quant/q8_0.wgsl?raw';
import q8_0Dot from './kernels/quant/q8_0_dot.wgsl?raw';

const snippets: Partial<Record<GgmlTypeName, string>> = {
  F32: f32,
  F16: f16,
  BF16: bf16,
  Q4_0: q4_0,
  Q4_1: q4_1,
  Q5_0: q5_0,
  Q5_1: q5_1,
  Q8_0: q8_0,
  Q4_K: `${kScaleMin}\n${q4k}`,
  Q5_K: `${kScaleMin}\n${q5k}`,
  Q6_K: q6k,
  IQ4_NL: iq4nl,
  IQ4_XS: iq4xs,
  MXFP4: mxfp4,
};

/**
 * Fused unit_dot per type (quant/README.md): its loads shared and its arithmetic inline, which
 * SwiftShader runs about twice as fast as the header and octet structs of common/unit_dot.wgsl.
 */
const fusedDots: Partial<Record<GgmlTypeName, string>> = {
  Q8_0: q8_0Dot,
  Q4_K: q4kDot,
  Q5_K: q5kDot,
  Q6_K: q6kDot,
};

/**
 * bytes.wgsl + the unit snippet of `type` (+ its unit_dot for kernels that project, `withDot`,
 * which read activations from `X: array<vec4<f32>>`); QuantError 'unsupported_type' when there is
 * none.
 */
export function quantSnippet(type: GgmlTypeInfo, withDot = false): string {
  const snippet = snippets[type.name];
  if (!snippet) {
    throw new QuantError('unsupported_type', `no WebGPU dequantiser for ggml type ${type.name} (id ${type.id}); choose a GGUF quantised as Q4_K_M, Q5_K_M, Q6_K, Q8_0 or MXFP4`);
  }
  const dot = withDot ? `\n${fusedDots[type.name] ?? unitDot}` : '';
  return `${bytes}\n${snippet}\n${unit}${dot}`;
}
