// Speculative decoding against plain decoding on one model, greedy, in one run: for each drafter
// (n-gram lookup, self-drafting with one expert per token and with half the layers too, the
// model's own MTP block when it has one, a draft model, auto) the tokens per verifying forward pass, the acceptance rate, the mean draft length,
// and the wall-clock decode speedup over plain decoding of the same prompt (median of interleaved
// repeats). Prompts: one that copies its input, one that edits it, and free generation. For a
// random-weight model they are token sequences (the input twice, cut short; the copy with every
// fifth token changed; random); such a model continues no text, so n-gram drafts mostly pay off
// once greedy decoding falls into a cycle. A trained chat model (Pakar Demo) gets chat prompts
// instead (chatPrompts.ts) and answers to its end of turn.

import { decodeLoop, type DecodeStats } from '../../workers/engine/decode/decodeLoop.ts';
import { Speculator } from '../../workers/engine/decode/speculator.ts';
import { NgramDrafter } from '../../workers/engine/decode/drafter.ts';
import type { Drafter } from '../../workers/engine/decode/drafter.ts';
import { DraftPlanner } from '../../workers/engine/decode/draftPlanner.ts';
import { ModelDrafter } from '../../workers/engine/decode/modelDrafter.ts';
import { MtpDrafter } from '../../workers/engine/decode/mtpDrafter.ts';
import { greedyParams } from '../../workers/engine/decode/sampler.ts';
import type { GgufFile } from '../../workers/engine/gguf/types.ts';
import type { GpuModel } from '../../workers/engine/gpu/model.ts';
import { Rng } from '../model-gen/random.ts';
import { median, round } from './stats.ts';

export interface SpeculativeBenchOptions {
  readonly tokens: number;
  readonly draftMax: number;
  readonly promptLength: number;
  /** Runs of each mode, interleaved (plain, each drafter, auto; again, rotated); the median speed counts. */
  readonly repeats: number;
  /** A trained chat model's own prompts instead of random tokens; generation stops at `isEog`. */
  readonly chatPrompts?: readonly BenchPrompt[];
  readonly isEog?: (id: number) => boolean;
}

export interface BenchPrompt {
  readonly prompt: 'copy' | 'edit' | 'free';
  readonly tokens: number[];
  /** The chat message, for a chat model. */
  readonly text?: string;
}

export interface ModeResult {
  readonly mode: string;
  /** Median over the repeats. */
  readonly decodeTokPerS: number;
  /** Every repeat's decode tokens per second, in run order. */
  readonly runs: number[];
  readonly tokens: number;
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
  readonly prompt: BenchPrompt['prompt'];
  readonly text?: string;
  readonly promptTokens: number;
  readonly modes: ModeResult[];
}

/** Prompts of `n` tokens drawn from the vocabulary (its last, end-of-text id excepted). */
function randomPrompts(nVocab: number, n: number): BenchPrompt[] {
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

type RunStats = DecodeStats;

async function runMode(
  model: GpuModel,
  prompt: number[],
  o: SpeculativeBenchOptions,
  mode: string,
  drafters: Drafter[],
  planner: DraftPlanner,
  tokens = o.tokens,
): Promise<{ tokens: number[]; stats: RunStats }> {
  model.truncate(0);
  const out: number[] = [];
  const speculation = mode === 'off' ? undefined : { speculator: new Speculator(model, drafters, planner), settings: { mode, draftMax: o.draftMax, adaptive: false } };
  for await (const ev of decodeLoop(model, { prompt, cache: [], sampler: greedyParams, maxTokens: tokens, isEog: o.isEog ?? (() => false), speculation })) {
    if (ev.type === 'token') out.push(ev.token);
    else if (ev.type === 'done') return { tokens: out, stats: ev.stats };
  }
  throw new Error('generation ended without its done event');
}

export async function benchSpeculative(
  model: GpuModel,
  file: GgufFile,
  draft: { model: GpuModel; file: GgufFile } | undefined,
  o: SpeculativeBenchOptions,
  log: (s: string) => void,
): Promise<PromptResult[]> {
  // Self-drafting twice: one expert per token; and also only the first half of the layers (early exit).
  const half = Math.ceil(model.cfg.nLayer / 2);
  const drafters: Drafter[] = [new NgramDrafter(), ModelDrafter.self(model)];
  if (half < model.cfg.nLayer) drafters.push(ModelDrafter.self(model, { layers: half }, `self-${half}L`));
  const mtp = MtpDrafter.of(model);
  if (mtp instanceof MtpDrafter) drafters.push(mtp);
  if (draft) drafters.push(ModelDrafter.separate(draft.model, draft.file, model, file));
  const modes = ['off', ...drafters.map((d) => d.name), 'auto'];
  const prompts = o.chatPrompts ?? randomPrompts(model.cfg.nVocab, o.promptLength);
  const results: PromptResult[] = [];
  // One planner for the model, as a chat session keeps one: its calibration (the verify cost
  // per draft length) and acceptance carry over. The warm-up compiles every pipeline the modes
  // use (each drafter's pass, T-token verification) and calibrates.
  const planner = new DraftPlanner();
  for (const mode of [...modes.slice(1, -1), 'auto']) await runMode(model, prompts[0].tokens, o, mode, drafters, planner, Math.min(3, o.tokens));
  for (const p of prompts) {
    const runs = new Map<string, { tokens: number[]; stats: RunStats }[]>(modes.map((m) => [m, []]));
    // Each repeat starts one mode later, so that no mode always runs right after the same one.
    for (let rep = 0; rep < o.repeats; rep++) {
      for (let i = 0; i < modes.length; i++) {
        const mode = modes[(i + rep) % modes.length];
        runs.get(mode)?.push(await runMode(model, p.tokens, o, mode, drafters, planner));
      }
    }
    const plainRuns = runs.get('off') ?? [];
    const plainTps = median(plainRuns.map((r) => r.stats.decodeTokensPerSecond));
    const plainTokens = plainRuns[0]?.tokens ?? [];
    const rows = modes.map((mode): ModeResult => {
      const rs = runs.get(mode) ?? [];
      const tps = median(rs.map((r) => r.stats.decodeTokensPerSecond));
      const last = rs[rs.length - 1].stats;
      log(`  ${p.prompt} / ${mode}: ${tps.toFixed(2)} tok/s (median of ${rs.length}), ${last.tokensPerStep.toFixed(2)} tokens/pass, acceptance ${last.acceptanceRate.toFixed(2)}`);
      return {
        mode,
        decodeTokPerS: round(tps, 3),
        runs: rs.map((r) => round(r.stats.decodeTokensPerSecond, 3)),
        tokens: rs[0]?.tokens.length ?? 0,
        tokensPerPass: round(last.tokensPerStep, 3),
        acceptanceRate: round(last.acceptanceRate, 3),
        meanDraftLength: round(last.draftLength, 2),
        speedup: round(plainTps > 0 ? tps / plainTps : 0, 3),
        identical: rs.every((r) => r.tokens.length === plainTokens.length && r.tokens.every((t, i) => t === plainTokens[i])),
      };
    });
    results.push({ prompt: p.prompt, ...(p.text === undefined ? {} : { text: p.text }), promptTokens: p.tokens.length, modes: rows });
  }
  return results;
}
