import { describe, expect, it } from 'vitest';
import { parseGguf } from '../../workers/engine/gguf/reader.ts';
import { summarizeGguf } from '../../workers/engine/gguf/summary.ts';
import { kv, writeGguf, type TensorToWrite } from '../../reference/gguf/writer.ts';
import { ggmlTypeByName, rowBytes, type GgmlTypeName } from '../../workers/engine/quant/types.ts';

function tensor(name: string, dims: number[], typeName: GgmlTypeName): TensorToWrite {
  const type = ggmlTypeByName(typeName);
  const rows = dims.slice(1).reduce((a, b) => a * b, 1);
  return { name, dims, type, data: new Uint8Array(rowBytes(type, dims[0]) * rows) };
}

describe('summarizeGguf', () => {
  const vocab = Array.from({ length: 40 }, (_, i) => `tok${i}`);
  const file = parseGguf(
    writeGguf({
      metadata: [
        kv.string('general.architecture', 'qwen3moe'),
        kv.string('general.name', 'Tiny MoE'),
        kv.f32('qwen3moe.rope.freq_base', 1e6),
        kv.f32('qwen3moe.attention.layer_norm_rms_epsilon', 1e-6),
        kv.i32s('qwen3moe.some_short_list', [1, 2, 3]),
        kv.string('tokenizer.ggml.model', 'gpt2'),
        kv.string('tokenizer.ggml.pre', 'qwen2'),
        kv.strings('tokenizer.ggml.tokens', vocab),
        kv.string('tokenizer.chat_template', 'x'.repeat(1000)),
      ],
      tensors: [
        tensor('token_embd.weight', [256, 200], 'Q4_K'),
        tensor('blk.0.ffn_gate_exps.weight', [256, 64, 4], 'Q4_K'),
        tensor('blk.0.ffn_down_exps.weight', [256, 64, 4], 'Q6_K'),
        tensor('blk.0.attn_norm.weight', [256], 'F32'),
      ],
    }),
  );
  const s = summarizeGguf(file);

  it('counts tensors, parameters and bytes', () => {
    expect(s.architecture).toBe('qwen3moe');
    expect(s.name).toBe('Tiny MoE');
    expect(s.tensorCount).toBe(4);
    expect(s.parameterCount).toBe(256 * 200 + 2 * 256 * 64 * 4 + 256);
    expect(s.tensorBytes).toBe(file.tensors.reduce((a, t) => a + t.byteLength, 0));
    expect(s.fileSize).toBe(file.fileSize);
  });

  it('groups tensors by quant type, largest share first', () => {
    expect(s.quantTypes.map((q) => [q.type, q.tensors, q.parameters])).toEqual([
      ['Q4_K', 2, 256 * 200 + 256 * 64 * 4],
      ['Q6_K', 1, 256 * 64 * 4],
      ['F32', 1, 256],
    ]);
  });

  it('summarises the tokenizer and the chat template', () => {
    expect(s.tokenizer).toEqual({ model: 'gpt2', pre: 'qwen2', tokenCount: 40 });
    expect(s.hasChatTemplate).toBe(true);
  });

  it('prints metadata values for people: long arrays and strings summarised, f32 as written', () => {
    const value = (key: string) => s.metadata.find((m) => m.key === key);
    expect(value('tokenizer.ggml.tokens')).toEqual({
      key: 'tokenizer.ggml.tokens',
      type: 'array<string>',
      value: 'array of 40 strings',
    });
    expect(value('qwen3moe.some_short_list')?.value).toBe('[1, 2, 3]');
    expect(value('qwen3moe.attention.layer_norm_rms_epsilon')?.value).toBe('0.000001');
    expect(value('qwen3moe.rope.freq_base')?.value).toBe('1000000');
    expect(value('tokenizer.chat_template')?.value).toMatch(/^x{240}… \(1000 characters\)$/);
    expect(s.metadata.map((m) => m.key)).toEqual([...file.metadata.keys()]);
  });

  it('is plain data that survives structured cloning', () => {
    expect(structuredClone(s)).toEqual(s);
  });
});
