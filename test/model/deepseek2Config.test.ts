// deepseek2 hyper-parameters from metadata: both layouts' head sizes, the YaRN attention scale,
// V3 routing; and files that cannot run get a typed ModelError with the reason.

import { describe, expect, it } from 'vitest';
import { parseGguf } from '../../workers/engine/gguf/reader.ts';
import type { GgufFile, GgufValue } from '../../workers/engine/gguf/types.ts';
import { deepseek2 } from '../../workers/engine/model/archs/deepseek2.ts';
import { ModelError } from '../../workers/engine/model/errors.ts';
import { testModel } from '../helpers/testModels.ts';
import type { Spec } from '../helpers/testModels.ts';

const file = (ds: Spec['deepseek2'], ropeScaling?: Spec['ropeScaling']): GgufFile => parseGguf(testModel({ arch: 'deepseek2', seed: 1, nLayer: 3, deepseek2: ds, ropeScaling }).bytes);

function withMeta(f: GgufFile, key: string, value: GgufValue): GgufFile {
  const kv = f.metadata.get(key);
  if (!kv) throw new Error(`no ${key} in the test file`);
  return { ...f, metadata: new Map([...f.metadata, [key, { ...kv, value }]]) };
}

describe('deepseek2 config', () => {
  it('reads the per-head sizes of both layouts alike', () => {
    for (const splitKvB of [true, false]) {
      const cfg = deepseek2.config(file({ splitKvB }));
      expect(cfg.mla).toEqual({ qLoraRank: 0, kvLoraRank: 64, nopeDim: 32, ropeDim: 16, vDim: 32, splitKvB });
      expect([cfg.headDimK, cfg.headDimV, cfg.nRot, cfg.nHeadKv, cfg.nLayerDenseLead, cfg.nFfDense, cfg.nFfShexp]).toEqual([48, 32, 16, 0, 1, 96, 64]);
    }
  });

  it('puts YaRN mscale² (1 + 0.1·mscale_all_dim·ln factor)² into the attention scale, not into RoPE', () => {
    const cfg = deepseek2.config(file({ yarnLogMul: 0.0707 }, { type: 'yarn', factor: 4, originalContext: 16 }));
    const m = 1 + 0.707 * 0.1 * Math.log(4);
    expect(cfg.kqScale).toBeCloseTo((m * m) / Math.sqrt(48), 6);
    expect(cfg.ropeScaling.attnFactor).toBeCloseTo(1 / (1 + 0.1 * Math.log(4)), 6);
  });

  it('reads V3 routing', () => {
    expect(deepseek2.config(file({ v3Routing: true })).moeRouting).toEqual({ gating: 'sigmoid', normWeights: true, weightsScale: 2.5, selectionBias: true, groups: { count: 4, used: 2 } });
  });

  it.each([
    ['an unknown gating function', 'deepseek2.expert_gating_func', 3, /expert_gating_func 3/],
    ['groups that do not divide the experts', 'deepseek2.expert_group_count', 3, /cannot form 3 groups/],
    ['a key no wider than its RoPE part', 'deepseek2.attention.key_length_mla', 16, /must exceed the RoPE dimension/],
  ])('refuses %s with a ModelError', (_, key, value, message) => {
    const f = withMeta(file({ v3Routing: true }), key, value);
    expect(() => deepseek2.config(f)).toThrow(ModelError);
    expect(() => deepseek2.config(f)).toThrow(message);
  });
});
