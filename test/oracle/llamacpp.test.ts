// Whole-model acceptance: the CPU reference against llama.cpp on the same GGUF files, for
// every architecture at F32, Q8_0, Q4_K and Q6_K: greedy tokens equal, top-5 probabilities
// close (1e-3 at F32; 1e-2 quantized, where llama.cpp also quantizes the activations).

import { describe, it } from 'vitest';
import { ggmlTypeByName } from '../../workers/engine/quant/types.ts';
import type { GgmlTypeName } from '../../workers/engine/quant/types.ts';
import { expectCpuMatchesLlama } from '../helpers/oracleChecks.ts';
import { nTokens, oracleArchs, oracleCase, oracleQuants, promptLength } from '../helpers/oracleSpecs.ts';
import { clearMarginModel } from '../helpers/testModels.ts';

describe.each(oracleArchs)('%s matches llama.cpp', (arch) => {
  it.each(oracleQuants)('%s', async (q) => {
    const { spec, minGap, tolerance } = oracleCase(arch, q);
    await expectCpuMatchesLlama(clearMarginModel(spec, promptLength, nTokens, minGap), tolerance);
  });
});

// Every other quant type Pakar dequantizes, on one architecture, and a mixed-type file like
// llama.cpp's Q4_K_M (K-quant experts, Q6_K output, Q8_0 fallback for 96-wide rows).
const otherTypes: GgmlTypeName[] = ['F16', 'BF16', 'Q4_0', 'Q4_1', 'Q5_0', 'Q5_1', 'Q5_K', 'IQ4_NL', 'IQ4_XS', 'MXFP4'];

describe('every quant type matches llama.cpp (qwen2moe)', () => {
  it.each(otherTypes)('%s', async (q) => {
    const wide = ggmlTypeByName(q).blockSize === 256;
    const m = clearMarginModel(
      {
        arch: 'qwen2moe',
        seed: 1,
        nEmbd: wide ? 256 : 64,
        nFf: wide ? 256 : 64,
        nFfShexp: wide ? 256 : 96,
        nExpertUsed: 3,
        types: { embd: q, attn: q, router: 'F32', experts: q, shexp: q, output: q },
      },
      promptLength,
      nTokens,
      0.04,
    );
    await expectCpuMatchesLlama(m, 1e-2);
  });

  it('mixed types (Q4_K_M-like)', async () => {
    const m = clearMarginModel(
      {
        arch: 'qwen2moe',
        seed: 1,
        nEmbd: 256,
        nFf: 256,
        nFfShexp: 96,
        types: { embd: 'Q4_K', attn: 'Q5_K', router: 'F32', experts: 'Q4_K', shexp: 'Q6_K', output: 'Q6_K' },
      },
      promptLength,
      nTokens,
      0.04,
    );
    await expectCpuMatchesLlama(m, 1e-2);
  });
});

describe('RoPE scaling matches llama.cpp', () => {
  it.each(['yarn', 'linear'] as const)('%s (qwen3moe, F32)', async (type) => {
    const m = clearMarginModel({ arch: 'qwen3moe', seed: 1, nEmbd: 64, nFf: 64, nHead: 4, nHeadKv: 2, ropeScaling: { type, factor: 4, originalContext: 16 } }, promptLength, nTokens, 1e-3);
    await expectCpuMatchesLlama(m, 1e-3);
  });
});
