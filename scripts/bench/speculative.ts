// Speculative decoding against plain decoding on one model, greedy, in one run: for each drafter
// (n-gram lookup, self-drafting with one expert per token and with half the layers too, a draft
// model, auto) the tokens per
// verifying forward pass, the acceptance rate, the mean draft length, and the wall-clock decode
// speedup over plain decoding of the same prompt. Prompts: one that copies its input (the input
// twice, the copy cut short), one that edits it (a copy with some tokens changed), and free
// generation (a random prompt). Random-weight models continue no text on purpose, so n-gram
// drafts mostly pay off once greedy decoding falls into a cycle; the numbers say so as they are.

import { generateOnGpu } from '../cli/gpuGenerate.ts';
import type { GpuGenerateEvent } from '../cli/gpuGenerate.ts';
import { NgramDrafter } from '../../workers/engine/decode/drafter.ts';
import type { Drafter } from '../../workers/engine/decode/drafter.ts';
import { DraftPlanner } from '../../workers/engine/decode/draftPlanner.ts';
import { ModelDrafter } from '../../workers/engine/decode/modelDrafter.ts';
import { greedyParams } from '../../workers/engine/decode/sampler.ts';
import type { GgufFile } from '../../workers/engine/gguf/types.ts';
import type { GpuModel } from '../../workers/engine/gpu/model.ts';
import { Rng } from '../model-gen/random.ts';
import { round } from './stats.ts';

export interface SpeculativeBenchOptions {
  readonly tokens: number;
  readonly draftMax: number;
  readonly promptLength: number;
}

export interface ModeResult {
  readonly mode: string;
  readonly decodeTokPerS: number;
  /** Generated tokens per verifying forward pass of the model (drafters' own passes not counted). */
  readonly tokensPerPass: number;
  readonly acceptanceRate: number;
  readonly meanDraftLength: number;
  /** decodeTokPerS ÷ plain decoding's decodeTokPerS on the same prompt. */
  readonly speedup: number;
  /** Whether the tokens equal plain decoding's (they must). */
  readonly identical: boolean;
}

export interface PromptResult {
  readonly prompt: 'copy' | 'edit' | 'free';
  readonly promptTokens: number;
  readonly modes: ModeResult[];
}

/** Prompts of `n` tokens drawn from the vocabulary (its last, end-of-text id excepted). */
function prompts(nVocab: number, n: number): { prompt: PromptResult['prompt']; tokens: number[] }[] {
  const rng = new Rng(7);
  const draw = (k: number): number[] => Array.from({ length: k }, () => rng.int(nVocab - 1));
  const half = Math.max(2, Math.floor(n / 2));
  const input = draw(half);
  const edited = input.map((t, i) => (i % 5 === 2 ? rng.int(nVocab - 1) : t));
  return [
    { prompt: 'copy', tokens: [...input, ...input.slice(0, Math.max(1, n - half))] },
    { prompt: 'edit', tokens: [...input, ...edited.slice(0, Math.max(1, n - half))] },
    { prompt: 'free', tokens: draw(n) },
  ];
}

async function runMode(model: GpuModel, prompt: number[], tokens: number, mode: string, drafters: Drafter[], draftMax: number, planner: DraftPlanner): Promise<{ tokens: number[]; stats: Extract<GpuGenerateEvent, { type: 'done' }>['stats'] }> {
  model.truncate(0);
  const out: number[] = [];
  const speculation = mode === 'off' ? undefined : { settings: { mode, draftMax, adaptive: false }, drafters, planner };
  for await (const ev of generateOnGpu(model, prompt, { sampler: greedyParams, maxTokens: tokens, speculation })) {
    if (ev.type === 'token') out.push(ev.token);
    else return { tokens: out, stats: ev.stats };
  }
  throw new Error('generation ended without its done event');
}

export async function benchSpeculative(model: GpuModel, file: GgufFile, draft: { model: GpuModel; file: GgufFile } | undefined, o: SpeculativeBenchOptions, log: (s: string) => void): Promise<PromptResult[]> {
  // Self-drafting twice: one expert per token; and also only the first half of the layers (early exit).
  const half = Math.ceil(model.cfg.nLayer / 2);
  const drafters: Drafter[] = [new NgramDrafter(), ModelDrafter.self(model)];
  if (half < model.cfg.nLayer) drafters.push(ModelDrafter.self(model, { layers: half }, `self-${half}L`));
  if (draft) drafters.push(ModelDrafter.separate(draft.model, draft.file, model, file));
  const modes = ['off', ...drafters.map((d) => d.name), 'auto'];
  const results: PromptResult[] = [];
  // One planner for the model, as a chat session keeps one: its calibration (the verify cost
  // per draft length) and acceptance carry over. The warm-up compiles every pipeline the modes
  // use (the self pass, T-token verification) and calibrates.
  const planner = new DraftPlanner();
  await runMode(model, prompts(model.cfg.nVocab, o.promptLength)[0].tokens, Math.min(3, o.tokens), 'self', drafters, o.draftMax, planner);
  await runMode(model, prompts(model.cfg.nVocab, o.promptLength)[0].tokens, Math.min(3, o.tokens), 'auto', drafters, o.draftMax, planner);
  for (const p of prompts(model.cfg.nVocab, o.promptLength)) {
    const rows: ModeResult[] = [];
    let plain: { tokens: number[]; tps: number } | undefined;
    for (const mode of modes) {
      const r = await runMode(model, p.tokens, o.tokens, mode, drafters, o.draftMax, planner);
      const tps = r.stats.decodeTokensPerSecond;
      plain ??= { tokens: r.tokens, tps };
      rows.push({
        mode,
        decodeTokPerS: round(tps, 3),
        tokensPerPass: round(r.stats.tokensPerStep, 3),
        acceptanceRate: round(r.stats.acceptanceRate, 3),
        meanDraftLength: round(r.stats.draftLength, 2),
        speedup: round(plain.tps > 0 ? tps / plain.tps : 0, 3),
        identical: r.tokens.length === plain.tokens.length && r.tokens.every((t, i) => t === plain?.tokens[i]),
      });
      log(`  ${p.prompt} / ${mode}: ${tps.toFixed(2)} tok/s, ${r.stats.tokensPerStep.toFixed(2)} tokens/pass, acceptance ${r.stats.acceptanceRate.toFixed(2)}`);
    }
    results.push({ prompt: p.prompt, promptTokens: p.tokens.length, modes: rows });
  }
  return results;
}
