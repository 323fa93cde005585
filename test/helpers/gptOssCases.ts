// gpt-oss oracle cases, shared by its CPU and WebGPU acceptance tests: F32, Q8_0 and Q4_K like
// every architecture, plus the layout of the published files (MXFP4 experts, the rest F32).

import type { GgmlTypeName } from '../../workers/engine/quant/types.ts';
import { oracleCase } from './oracleSpecs.ts';
import type { OracleCase } from './oracleSpecs.ts';

export type GptOssQuant = GgmlTypeName | 'MXFP4 experts';
export const gptOssQuants: GptOssQuant[] = ['F32', 'Q8_0', 'Q4_K', 'MXFP4 experts'];

export function gptOssCase(q: GptOssQuant): OracleCase {
  if (q !== 'MXFP4 experts') {
    const c = oracleCase('gpt-oss', q);
    return { ...c, spec: { ...c.spec, nExpertUsed: 3 } };
  }
  const c = oracleCase('gpt-oss', 'F32');
  return {
    // llama.cpp quantizes the activations of MXFP4 matmuls (Q8), as for every quantized type.
    spec: { ...c.spec, nExpertUsed: 3, types: { embd: 'F32', attn: 'F32', router: 'F32', experts: 'MXFP4', shexp: 'F32', output: 'F32' } },
    minGap: 0.04,
    tolerance: 1e-2,
  };
}
