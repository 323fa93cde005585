// Every drafter leaves greedy output unchanged, token for token, on every architecture and on
// several quant types: n-gram lookup, self-drafting (the model routed to one expert per token,
// or also cut to its first layer, sharing its KV cache) and a separate draft model (the same
// weights at another quant type, so it agrees often), and the model's own MTP block (deepseek2, glm4moe,
// qwen3next, qwen35moe), 4 prompts per model (2 for the hybrids), 36 in all. Also: a
// draft model with another vocabulary is refused with a clear error, and `auto` never changes
// the output either.

import { describe, expect, it } from 'vitest';
import { openNodeGpu } from '../../scripts/node-webgpu.ts';
import type { GeneratorArch } from '../../scripts/model-gen/generate.ts';
import { Rng } from '../../scripts/model-gen/random.ts';
import { ChatSession } from '../../workers/engine/chat/session.ts';
import { defaultGenerationParams } from '../../workers/engine/chat/types.ts';
import type { ChatEvent, ChatStats, GenerationParams } from '../../workers/engine/chat/types.ts';
import { DecodeError } from '../../workers/engine/decode/errors.ts';
import { parseGguf } from '../../workers/engine/gguf/reader.ts';
import { bytesSource } from '../../workers/engine/gguf/sources.ts';
import { weightsFromByteSource } from '../../workers/engine/model/weightSource.ts';
import type { GgmlTypeName } from '../../workers/engine/quant/types.ts';
import { deepseek2Cases } from '../helpers/deepseek2Cases.ts';
import { gptOssCase } from '../helpers/gptOssCases.ts';
import { testModel } from '../helpers/testModels.ts';
import type { Spec } from '../helpers/testModels.ts';

async function run(events: AsyncGenerator<ChatEvent>): Promise<{ tokens: number[]; stats: ChatStats }> {
  const tokens: number[] = [];
  for await (const e of events) {
    if (e.type === 'token') tokens.push(e.token);
    if (e.type === 'done') return { tokens, stats: e.stats };
  }
  throw new Error('no done event');
}

const source = (bytes: Uint8Array): ReturnType<typeof weightsFromByteSource> => weightsFromByteSource(parseGguf(bytes), bytesSource(bytes));

const spec = (arch: GeneratorArch, t: GgmlTypeName): Spec => ({
  arch,
  seed: 21,
  nHeadKv: arch === 'olmoe' ? 4 : 2,
  nExpertUsed: arch === 'qwen2moe' ? 3 : 2,
  types: { embd: t, attn: t, router: 'F32', experts: t, shexp: t, output: t },
});

const hasMtp = (s: Spec): boolean => s.arch === 'glm4moe' || s.arch === 'qwen3next' || s.arch === 'qwen35moe' || (s.deepseek2?.nextn ?? 0) > 0;

/** Target and draft model: the same seed (the same weights before quantization), another quant type. */
const cases: { name: string; target: Spec; draft: Spec; prompts?: number }[] = [
  ...(
    [
      ['qwen3moe', 'F32', 'Q4_0'],
      ['qwen2moe', 'Q8_0', 'Q4_1'],
      ['olmoe', 'Q4_0', 'Q8_0'],
      ['granitemoe', 'Q5_0', 'Q8_0'],
      ['llama', 'IQ4_NL', 'Q5_1'],
    ] as const
  ).map(([arch, t, d]) => ({ name: `${arch} ${t} (draft model ${d})`, target: spec(arch, t), draft: spec(arch, d) })),
  // MLA with q-LoRA, V3 routing and an MTP block (K-quants' 256-wide shapes cost 4× the time
  // here; their batch invariance is checked in test/gpu); gpt-oss as published (MXFP4 experts).
  { name: 'deepseek2 Q8_0 (draft model Q4_0)', target: deepseek2Cases[4].spec, draft: { ...deepseek2Cases[4].spec, types: spec('deepseek2', 'Q4_0').types } },
  { name: 'gpt-oss MXFP4 experts (draft model Q8_0)', target: gptOssCase('MXFP4 experts').spec, draft: { ...gptOssCase('MXFP4 experts').spec, types: spec('gpt-oss', 'Q8_0').types } },
  // With its NextN block: the `mtp` drafter too.
  { name: 'glm4moe Q8_0 (draft model Q4_0)', target: { ...spec('glm4moe', 'Q8_0'), nLayer: 2 }, draft: { ...spec('glm4moe', 'Q4_0'), nLayer: 2 } },
  // The hybrids: every rejected draft rolls the DeltaNet state back (a replay within the pass, a
  // drafter's savepoint, or a rerun); 2 prompts each keep the file's time in bounds.
  { name: 'qwen3next Q8_0 (draft model Q4_0)', target: { ...spec('qwen3next', 'Q8_0'), nLayer: 2 }, draft: { ...spec('qwen3next', 'Q4_0'), nLayer: 2 }, prompts: 2 },
  { name: 'qwen35moe F32 (draft model Q8_0)', target: { ...spec('qwen35moe', 'F32'), nLayer: 2 }, draft: { ...spec('qwen35moe', 'Q8_0'), nLayer: 2 }, prompts: 2 },
];

describe('every drafter equals plain greedy decoding', () => {
  for (const { name, target, draft, prompts = 4 } of cases) {
    it(name, async () => {
      const gpu = await openNodeGpu();
      const session = await ChatSession.load(gpu, source(testModel(target).bytes), { maxTokens: 8, nCtx: 128 });
      try {
        await session.loadDraftModel(gpu, source(testModel(draft).bytes));
        const rng = new Rng(name.length);
        const accepted: Record<string, number> = {};
        for (let i = 0; i < prompts; i++) {
          const words = Array.from({ length: 3 }, () => 'abcdefgh'.slice(rng.int(4), 4 + rng.int(4)));
          const msgs = [{ role: 'user' as const, content: `${words.join(' ')} ${words.join(' ')} ${words[0]}` }];
          const params: GenerationParams = { ...defaultGenerationParams, temperature: 0, maxTokens: 6 };
          const plain = await run(session.generate(msgs, params));
          // `self` twice: one expert per token, then also only the first layer (early exit).
          const modes: [GenerationParams['speculative'], Partial<GenerationParams>][] = [
            ['ngram', {}],
            ['self', {}],
            ['self', { selfDraft: { layers: 1 } }],
            ['draft', {}],
            ['auto', {}],
            ...(hasMtp(target) ? [['mtp', {}] satisfies [GenerationParams['speculative'], Partial<GenerationParams>]] : []),
          ];
          for (const [speculative, extra] of modes) {
            const r = await run(session.generate(msgs, { ...params, ...extra, speculative, draftMax: 3 }));
            expect(r.tokens, `prompt ${i}, ${speculative} ${JSON.stringify(extra)}`).toEqual(plain.tokens);
            for (const [name, rate] of Object.entries(r.stats.acceptanceByDrafter ?? {})) accepted[name] = (accepted[name] ?? 0) + rate;
          }
        }
        // The drafters did propose tokens, and some were right (a quantized twin agrees often).
        expect(accepted.self ?? 0).toBeGreaterThan(0);
        expect(accepted.draft ?? 0).toBeGreaterThan(0);
        if (hasMtp(target)) expect(accepted.mtp).toBeDefined();
      } finally {
        session.destroy();
      }
    });
  }

  it('refuses a draft model with another vocabulary, and `draft` without one', async () => {
    const gpu = await openNodeGpu();
    const session = await ChatSession.load(gpu, source(testModel(spec('qwen3moe', 'F32')).bytes), { maxTokens: 8, nCtx: 128 });
    try {
      const other = testModel({ ...spec('qwen3moe', 'F32'), vocab: 'qwen2' });
      await expect(session.loadDraftModel(gpu, source(other.bytes))).rejects.toMatchObject({ name: 'DecodeError', code: 'vocab_mismatch' });
      await expect(session.loadDraftModel(gpu, source(other.bytes))).rejects.toBeInstanceOf(DecodeError);
      expect(session.hasDraftModel).toBe(false);
      const msgs = [{ role: 'user' as const, content: 'hi' }];
      await expect(run(session.generate(msgs, { ...defaultGenerationParams, temperature: 0, maxTokens: 2, speculative: 'draft' }))).rejects.toMatchObject({ code: 'no_draft_model' });
    } finally {
      session.destroy();
    }
  });
});
