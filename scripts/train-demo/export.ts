// Turns a training export (scripts/train-demo/train.py → OUT/export/) into the GGUF that Pakar
// ships: glm4moe hyper-parameters (one NextN block after the trunk, as llama.cpp lays GLM-4.5's
// out), the learned byte-level BPE with ChatML control tokens and
// template, weights in F32 or Q8_0 (norms and the router stay F32, as llama.cpp's quantizer
// leaves them). Refuses to write when our tokenizer does not reproduce the ids the model was
// trained on.
//
//   npx tsx scripts/train-demo/export.ts --in .cache/train-demo/export --type Q8_0 --out public/models/pakar-demo-q8_0.gguf

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseGguf } from '../../workers/engine/gguf/reader.ts';
import { kv, writeGguf } from '../../reference/gguf/writer.ts';
import type { TensorToWrite } from '../../reference/gguf/writer.ts';
import type { GgufKv } from '../../workers/engine/gguf/types.ts';
import { quantize } from '../../reference/quant/quantize.ts';
import { ggmlTypeByName } from '../../workers/engine/quant/types.ts';
import { tokenizerFromGguf } from '../../workers/engine/tokenizer/index.ts';

/** ChatML; one user turn renders exactly as train-demo/data.py's render_chat. */
export const DEMO_CHAT_TEMPLATE =
  "{%- for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{%- endfor %}" +
  "{%- if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{%- endif %}";

interface ExportConfig {
  n_vocab: number;
  n_embd: number;
  n_layer: number;
  n_head: number;
  n_head_kv: number;
  head_dim: number;
  n_expert: number;
  n_expert_used: number;
  n_ff: number;
  n_ctx: number;
  rope_base: number;
  rms_eps: number;
}
interface TensorsJson {
  config: ExportConfig;
  tensors: { name: string; dims: number[]; offset: number }[];
}
interface TokenizerJson {
  tokens: string[];
  merges: string[];
  specials: string[];
  checks: { text: string; ids: number[] }[];
}

export class DemoExportError extends Error {
  constructor(
    readonly code: 'bad_export' | 'tokenizer_mismatch',
    message: string,
  ) {
    super(message);
    this.name = 'DemoExportError';
  }
}

function hparams(c: ExportConfig): GgufKv[] {
  const k = (s: string): string => `glm4moe.${s}`;
  return [
    kv.string('general.architecture', 'glm4moe'),
    kv.string('general.name', 'Pakar Demo'),
    kv.string(
      'general.description',
      'A tiny Mixture-of-Experts model with a multi-token-prediction block, trained by scripts/train-demo on generated chat turns: small sums, counting, spelling and reversing words, repeating and editing a sentence, facts about Pakar.',
    ),
    kv.string('general.license', 'MIT'),
    kv.u32('general.alignment', 32),
    kv.u32(k('vocab_size'), c.n_vocab),
    kv.u32(k('context_length'), c.n_ctx),
    kv.u32(k('embedding_length'), c.n_embd),
    // The trunk's layers and the NextN (MTP) block after them.
    kv.u32(k('block_count'), c.n_layer + 1),
    kv.u32(k('nextn_predict_layers'), 1),
    kv.u32(k('attention.head_count'), c.n_head),
    kv.u32(k('attention.head_count_kv'), c.n_head_kv),
    kv.u32(k('attention.key_length'), c.head_dim),
    kv.u32(k('attention.value_length'), c.head_dim),
    kv.u32(k('rope.dimension_count'), c.head_dim),
    kv.f32(k('rope.freq_base'), c.rope_base),
    kv.f32(k('attention.layer_norm_rms_epsilon'), c.rms_eps),
    kv.u32(k('expert_count'), c.n_expert),
    kv.u32(k('expert_used_count'), c.n_expert_used),
    kv.u32(k('feed_forward_length'), c.n_ff),
    kv.u32(k('expert_feed_forward_length'), c.n_ff),
    kv.u32(k('leading_dense_block_count'), 0),
    kv.u32(k('expert_shared_count'), 1),
    // Sigmoid scores, the chosen renormalised to sum 1, unscaled (model.py).
    kv.u32(k('expert_gating_func'), 2),
    kv.bool(k('expert_weights_norm'), true),
    kv.f32(k('expert_weights_scale'), 1),
  ];
}

function tokenizerMetadata(t: TokenizerJson): GgufKv[] {
  const id = (s: string): number => {
    const i = t.tokens.indexOf(s);
    if (i < 0) throw new DemoExportError('bad_export', `tokenizer.json lacks ${s}`);
    return i;
  };
  const control = new Set(t.specials.map(id));
  return [
    kv.string('tokenizer.ggml.model', 'gpt2'),
    kv.string('tokenizer.ggml.pre', 'qwen2'),
    kv.strings('tokenizer.ggml.tokens', t.tokens),
    kv.i32s(
      'tokenizer.ggml.token_type',
      t.tokens.map((_, i) => (control.has(i) ? 3 : 1)),
    ),
    kv.strings('tokenizer.ggml.merges', t.merges),
    kv.u32('tokenizer.ggml.bos_token_id', id('<|endoftext|>')),
    kv.u32('tokenizer.ggml.eos_token_id', id('<|im_end|>')),
    kv.u32('tokenizer.ggml.padding_token_id', id('<|endoftext|>')),
    kv.bool('tokenizer.ggml.add_bos_token', false),
    kv.string('tokenizer.chat_template', DEMO_CHAT_TEMPLATE),
  ];
}

/** F32 for vectors (norms, biases) and the router; `type` for every other matrix. */
function tensorType(name: string, dims: readonly number[], type: 'F32' | 'Q8_0'): 'F32' | 'Q8_0' {
  if (dims.length < 2 || name.endsWith('ffn_gate_inp.weight')) return 'F32';
  return type;
}

export function buildDemoGguf(dir: string, type: 'F32' | 'Q8_0'): Uint8Array {
  const meta = JSON.parse(readFileSync(join(dir, 'tensors.json'), 'utf8')) as TensorsJson;
  const tok = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')) as TokenizerJson;
  const bin = readFileSync(join(dir, 'tensors.bin'));
  const tensors: TensorToWrite[] = meta.tensors.map((t) => {
    const n = t.dims.reduce((a, b) => a * b, 1);
    if (t.offset + n * 4 > bin.length) throw new DemoExportError('bad_export', `${t.name}: tensors.bin is truncated`);
    const values = new Float32Array(bin.buffer.slice(bin.byteOffset + t.offset, bin.byteOffset + t.offset + n * 4));
    const info = ggmlTypeByName(tensorType(t.name, t.dims, type));
    return { name: t.name, dims: t.dims, type: info, data: quantize(info, values) };
  });
  const bytes = writeGguf({ metadata: [...hparams(meta.config), ...tokenizerMetadata(tok)], tensors });

  const tokenizer = tokenizerFromGguf(parseGguf(bytes));
  for (const c of tok.checks) {
    const ours = tokenizer.encode(c.text, { addSpecial: true, parseSpecial: true });
    if (ours.join(',') !== c.ids.join(',')) {
      throw new DemoExportError('tokenizer_mismatch', `our tokenizer gives ${ours.join(',')} for ${JSON.stringify(c.text)}; the model trained on ${c.ids.join(',')}`);
    }
  }
  return bytes;
}

const isMain = process.argv[1]?.endsWith('export.ts');
if (isMain) {
  const { values: v } = parseArgs({ options: { in: { type: 'string' }, out: { type: 'string' }, type: { type: 'string' } }, strict: true });
  const type = v.type ?? 'Q8_0';
  if (!v.in || !v.out || (type !== 'F32' && type !== 'Q8_0')) {
    console.error('usage: export.ts --in OUT/export --out FILE.gguf [--type Q8_0|F32]');
    process.exit(1);
  }
  const bytes = buildDemoGguf(v.in, type);
  writeFileSync(v.out, bytes);
  console.log(JSON.stringify({ out: v.out, bytes: bytes.length, type }));
}
