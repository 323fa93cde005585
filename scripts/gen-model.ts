// Writes a test model: npm run -s gen-model -- --arch qwen3moe --seed 1 --type Q4_K --out m.gguf
// Routers stay F32, as llama.cpp's quantizer leaves them.

import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { defaultSpec, generateModel, generatorArchs } from './model-gen/generate.ts';
import { defaultDeepseek2 } from './model-gen/deepseek2.ts';
import type { GeneratorArch } from './model-gen/generate.ts';
import { GgmlType } from '../workers/engine/quant/types.ts';
import type { GgmlTypeName } from '../workers/engine/quant/types.ts';

const usage = `usage: gen-model --arch ${generatorArchs.join('|')} --out FILE [--seed N] [--type ${Object.keys(GgmlType).join('|')}]
  [--layers N] [--embd N] [--heads N] [--kv-heads N] [--experts N] [--used N] [--ff N] [--ff-shexp N]
  [--vocab-size N | --vocab FIXTURE (qwen2, refact, llama-spm, ...)] [--ctx N] [--tied]
  [--chat harmony|think] (a chat vocabulary and template, gpt-oss's or Qwen3's, with a scripted reasoning + answer)
  deepseek2: [--q-lora N (0 = lite)] [--kv-lora N] [--kv-b split|joined] [--dense-lead N] [--v3]`;

const { values: v } = parseArgs({
  options: {
    arch: { type: 'string' },
    out: { type: 'string' },
    seed: { type: 'string' },
    type: { type: 'string' },
    layers: { type: 'string' },
    embd: { type: 'string' },
    heads: { type: 'string' },
    'kv-heads': { type: 'string' },
    experts: { type: 'string' },
    used: { type: 'string' },
    ff: { type: 'string' },
    'ff-shexp': { type: 'string' },
    'vocab-size': { type: 'string' },
    vocab: { type: 'string' },
    ctx: { type: 'string' },
    tied: { type: 'boolean' },
    chat: { type: 'string' },
    'q-lora': { type: 'string' },
    'kv-lora': { type: 'string' },
    'kv-b': { type: 'string' },
    'dense-lead': { type: 'string' },
    v3: { type: 'boolean' },
    help: { type: 'boolean' },
  },
  strict: true,
});

const arch = v.arch as GeneratorArch | undefined;
if (v.help || !arch || !generatorArchs.includes(arch) || !v.out) {
  console.error(usage);
  process.exit(v.help ? 0 : 1);
}
const type = (v.type ?? 'F32') as GgmlTypeName;
if (v.chat !== undefined && v.chat !== 'harmony' && v.chat !== 'think') {
  console.error(`unknown chat vocabulary ${v.chat}\n${usage}`);
  process.exit(1);
}
if (!(type in GgmlType)) {
  console.error(`unknown type ${type}\n${usage}`);
  process.exit(1);
}
const int = (s: string | undefined, d: number): number => (s === undefined ? d : Number.parseInt(s, 10));
const bytes = generateModel({
  arch,
  seed: int(v.seed, defaultSpec.seed),
  nLayer: int(v.layers, defaultSpec.nLayer),
  nEmbd: int(v.embd, defaultSpec.nEmbd),
  nHead: int(v.heads, defaultSpec.nHead),
  nHeadKv: int(v['kv-heads'], arch === 'olmoe' ? int(v.heads, defaultSpec.nHead) : defaultSpec.nHeadKv),
  nExpert: int(v.experts, defaultSpec.nExpert),
  nExpertUsed: int(v.used, defaultSpec.nExpertUsed),
  nFf: int(v.ff, defaultSpec.nFf),
  nFfShexp: int(v['ff-shexp'], defaultSpec.nFfShexp),
  nVocab: int(v['vocab-size'], defaultSpec.nVocab),
  vocab: v.vocab,
  nCtx: int(v.ctx, defaultSpec.nCtx),
  tied: v.tied ?? false,
  ...(v.chat === 'harmony' || v.chat === 'think' ? { chat: v.chat } : {}),
  deepseek2: {
    qLoraRank: int(v['q-lora'], defaultDeepseek2.qLoraRank),
    kvLoraRank: int(v['kv-lora'], defaultDeepseek2.kvLoraRank),
    splitKvB: (v['kv-b'] ?? 'split') === 'split',
    denseLead: int(v['dense-lead'], defaultDeepseek2.denseLead),
    v3Routing: v.v3 ?? false,
  },
  types: { embd: type, attn: type, router: 'F32', experts: type, shexp: type, output: type },
});
writeFileSync(v.out, bytes);
console.log(JSON.stringify({ out: v.out, bytes: bytes.length }));
