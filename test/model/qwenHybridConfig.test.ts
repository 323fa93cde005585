// qwen3next / qwen35moe hyper-parameters from metadata, as llama.cpp reads them: which layers are
// DeltaNet (full_attention_interval, or attention.recurrent_layers when present), each family's
// key-head map, the KV-cache layer of each attention layer; and files that cannot run get a
// typed ModelError with the reason (inconsistent DeltaNet sizes, a missing DeltaNet tensor).

import { describe, expect, it } from 'vitest';
import { parseGguf } from '../../workers/engine/gguf/reader.ts';
import type { GgufFile, GgufValue } from '../../workers/engine/gguf/types.ts';
import { GgufValueType } from '../../workers/engine/gguf/types.ts';
import { archOf } from '../../workers/engine/model/archs/index.ts';
import { kvLayerOf, recurrentSlotOf } from '../../workers/engine/model/deltaNet.ts';
import { ModelError } from '../../workers/engine/model/errors.ts';
import { testModel } from '../helpers/testModels.ts';

const file = (arch: 'qwen3next' | 'qwen35moe', nLayer = 4): GgufFile => parseGguf(testModel({ arch, seed: 1, nLayer, hybrid: { interval: 2 } }).bytes);

function withMeta(f: GgufFile, key: string, value: GgufValue, type = f.metadata.get(key)?.type): GgufFile {
  if (type === undefined) throw new Error(`no type for ${key}`);
  const kv = f.metadata.get(key) ?? { key, type, value };
  return { ...f, metadata: new Map([...f.metadata, [key, { ...kv, value }]]) };
}

describe('Qwen hybrid config', () => {
  it('reads the DeltaNet sizes, the layer pattern and each family’s key-head map', () => {
    for (const arch of ['qwen3next', 'qwen35moe'] as const) {
      const f = file(arch);
      const cfg = archOf(f).config(f);
      expect(cfg.deltaNet).toMatchObject({ convKernel: 4, headDim: 16, nKHeads: 2, nVHeads: 4, keyHeads: arch === 'qwen3next' ? 'grouped' : 'tiled', recurrent: [true, false, true, false] });
      // The NextN block after the four trunk layers is attention; only attention layers hold K and V.
      expect([0, 1, 2, 3, 4].map((il) => kvLayerOf(cfg.deltaNet, il))).toEqual([0, 0, 1, 1, 2]);
      expect([0, 1, 2, 3].map((il) => (cfg.deltaNet ? recurrentSlotOf(cfg.deltaNet, il) : NaN))).toEqual([0, -1, 1, -1]);
      expect([cfg.nLayer, cfg.nNextn, cfg.headDimK, cfg.ropeType]).toEqual([4, 1, 32, 'neox']);
    }
  });

  it('takes attention.recurrent_layers over the interval', () => {
    // The interval alone would make layers 0-2 DeltaNet; the list (the file's real pattern) wins.
    const f = withMeta(withMeta(file('qwen35moe'), 'qwen35moe.full_attention_interval', 4), 'qwen35moe.attention.recurrent_layers', [true, false, true, false, false], GgufValueType.ARRAY);
    expect(archOf(f).config(f).deltaNet?.recurrent).toEqual([true, false, true, false]);
    const byInterval = withMeta(file('qwen35moe'), 'qwen35moe.full_attention_interval', 4);
    expect(() => archOf(byInterval).config(byInterval)).toThrow(/blk\.1\.attn_qkv/);
  });

  it.each([
    ['an inner size that is not value heads × head width', 'qwen3next.ssm.inner_size', 48, /inconsistent/],
    ['value heads that are no multiple of the key heads', 'qwen3next.ssm.time_step_rank', 3, /inconsistent/],
  ])('refuses %s with a ModelError', (_, key, value, message) => {
    const f = withMeta(file('qwen3next'), key, value);
    expect(() => archOf(f).config(f)).toThrow(ModelError);
    expect(() => archOf(f).config(f)).toThrow(message);
  });

  it('refuses a file without one of a DeltaNet layer’s tensors', () => {
    const f = file('qwen35moe');
    const tensorByName = new Map(f.tensorByName);
    tensorByName.delete('blk.2.ssm_a');
    const broken = { ...f, tensorByName };
    expect(() => archOf(broken).config(broken)).toThrow(expect.objectContaining({ name: 'ModelError', code: 'missing_tensor', message: expect.stringMatching(/blk\.2\.ssm_a/) }));
  });
});
