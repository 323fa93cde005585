// The generation loop on the WebGPU model: the same events, stop conditions and stats as
// workers/engine/decode/generate.ts (whose LogitsModel is synchronous, so the GPU's async
// forward passes need this loop), plus the per-decode-step counters of ARCHITECTURE.md
// invariant 2. Each step reads back as little as the request allows:
//   greedy without `top`         → forwardGreedy: the token id (4 bytes)
//   top-k sampling, or `top`     → forwardTop: k candidates and the log-normaliser (4 + 8k bytes)
//   anything else (repetition penalty, top-k off or above the GPU's candidate limit)
//                                → forwardLogits: the full vocabulary, sampled on the CPU

import type { Drafter } from '../../workers/engine/decode/drafter.ts';
import type { DraftPlanner } from '../../workers/engine/decode/draftPlanner.ts';
import { DecodeError } from '../../workers/engine/decode/errors.ts';
import type { GenerationStats, StopReason, TextStream } from '../../workers/engine/decode/generate.ts';
import { seededRandom, type Random } from '../../workers/engine/decode/random.ts';
import { draw, drawFrom, minP, samplingDistribution, topP, topProbabilities, type SamplerParams, type TokenProb } from '../../workers/engine/decode/sampler.ts';
import type { GpuModel } from '../../workers/engine/gpu/model.ts';
import { MAX_CANDIDATES } from '../../workers/engine/gpu/scratch.ts';
import { Speculator } from '../../workers/engine/decode/speculator.ts';
import type { SpeculationSettings, TargetSampling } from '../../workers/engine/decode/speculator.ts';

export interface GpuGenerateOptions {
  readonly sampler: SamplerParams;
  readonly maxTokens: number;
  readonly isEog?: (id: number) => boolean;
  readonly detokenizer?: TextStream;
  /** Candidates reported per token; undefined = none (no `top` at all, the fastest path). */
  readonly nTop?: number;
  /** Speculative decoding (needs nTop undefined): drafters and how to use them. */
  readonly speculation?: { readonly settings: SpeculationSettings; readonly drafters: readonly Drafter[]; readonly planner?: DraftPlanner };
}

/** What speculation did; tokensPerStep 1 and acceptanceRate 0 without it. */
export interface SpeculationStats {
  /** Generated tokens per decode step. */
  tokensPerStep: number;
  /** Accepted ÷ proposed draft tokens. */
  acceptanceRate: number;
  acceptanceByDrafter: Record<string, number>;
  /** Mean draft tokens per decode step (the chosen k). */
  draftLength: number;
  /** Tokens per step × the measured one-token pass time ÷ the mean step time. */
  speedup: number;
}

/** Means over the decode steps (the prefill excluded); 0 when no decode step ran. */
export interface StepCounters {
  submitsPerStep: number;
  readbackBytesPerStep: number;
  dispatchesPerStep: number;
}

export type GpuGenerateEvent = { type: 'token'; token: number; text: string; top?: TokenProb[] } | { type: 'done'; text: string; stats: GenerationStats & StepCounters & SpeculationStats };

interface Choice {
  readonly token: number;
  readonly top: TokenProb[];
}

/** Runs `tokens` (appending them to the KV cache) and picks the next token. */
type Step = (tokens: readonly number[], history: readonly number[]) => Promise<Choice>;

/** The cheapest step that gives the sampler and the report what they need. */
function chooseStep(model: GpuModel, params: SamplerParams, nTop: number, random: Random): Step {
  const penalised = params.repetitionPenalty !== 1 && params.repetitionWindow !== 0;
  const stochastic = params.temperature > 0;
  const nVocab = model.cfg.nVocab;
  if (!penalised && !stochastic && nTop === 0) {
    return async (tokens) => ({ token: await model.forwardGreedyLast(tokens), top: [] });
  }
  const k = Math.min(Math.max(nTop, stochastic ? params.topK : 1), nVocab);
  if (!penalised && (!stochastic || params.topK > 0) && k <= MAX_CANDIDATES) {
    // GPU top-k: its candidates are exactly the sampler's top-k set, in the same order (logit
    // descending, ties to the lower id), so top-p, min-p and the draw give the CPU's token.
    return async (tokens) => {
      const c = await model.forwardTop(tokens, k);
      const top = c.ids.slice(0, nTop).map((id, i): TokenProb => [id, Math.exp(c.logits[i] - c.logZ)]);
      if (!stochastic) return { token: c.ids[0], top };
      const kept = { ids: c.ids.slice(0, params.topK), logits: c.logits.slice(0, params.topK) };
      return { token: draw(minP(topP(kept, params.topP), params.minP), params.temperature, random()), top };
    };
  }
  // The penalty needs every logit of the recent tokens; top-k off needs the whole vocabulary.
  // Sampler.sample's chain, drawing from the shared stream.
  return async (tokens, history) => {
    const logits = (await model.forwardLogits(tokens)).slice(-1)[0];
    const d = samplingDistribution(logits, history, params);
    return { token: params.temperature <= 0 ? d.ids[0] : drawFrom(d, random()), top: topProbabilities(logits, nTop) };
  };
}

/** Generates after `prompt`, appended to whatever the model's KV cache holds. */
export async function* generateOnGpu(model: GpuModel, prompt: readonly number[], options: GpuGenerateOptions): AsyncGenerator<GpuGenerateEvent, void> {
  const { maxTokens, isEog = () => false, detokenizer, nTop } = options;
  if (prompt.length === 0) throw new DecodeError('empty_prompt', 'the prompt has no tokens; generation needs at least one');
  const contextLimit = model.nCtx;
  if (model.nPast + prompt.length > contextLimit) {
    throw new DecodeError('context_full', `the prompt (${prompt.length} tokens after ${model.nPast} cached) does not fit in the context of ${contextLimit}; shorten it or raise --ctx-size`);
  }
  const spec = options.speculation;
  if (spec && nTop !== undefined) throw new DecodeError('bad_request', 'speculative decoding reports no per-token top candidates; leave them out (--no-top)');
  // One stream for plain steps and speculative acceptance: with no drafts, the same tokens.
  const random = seededRandom(options.sampler.seed);
  const step = chooseStep(model, options.sampler, nTop ?? 0, random);
  const speculator = spec && new Speculator(model, spec.drafters, spec.planner);
  const sp = options.sampler;
  const sampling: TargetSampling | undefined =
    sp.temperature > 0 || (sp.repetitionPenalty !== 1 && sp.repetitionWindow !== 0)
      ? {
          params: sp,
          // chooseStep's draw order: with no drafts the tokens are plain sampling's, seed for seed.
          uniform: random,
          // Plain sampling's candidate set: the top-k on the GPU, or every logit.
          candidates: sp.repetitionPenalty === 1 && sp.topK > 0 && sp.topK <= MAX_CANDIDATES ? sp.topK : 'all',
          draftRandom: seededRandom((sp.seed ^ 0x5bd1e995) >>> 0),
        }
      : undefined;
  let produced = 0;
  let stepMs = 0;
  const history = [...prompt];
  const counters: StepCounters = { submitsPerStep: 0, readbackBytesPerStep: 0, dispatchesPerStep: 0 };
  const start = performance.now();
  let firstTokenAt: number | undefined;
  let decodeSteps = 0;
  let generated = 0;
  let stop: StopReason = 'max_tokens';

  const nPast = model.nPast;
  let choice: Choice;
  try {
    choice = await step(prompt, history);
  } catch (e) {
    model.truncate(nPast); // a failed prefill leaves the cache as it was
    throw e;
  }
  const prefillMs = performance.now() - start;
  let queue: Choice[] = [choice];
  while (generated < maxTokens) {
    if (queue.length === 0) {
      if (model.nPast >= contextLimit) {
        stop = 'context';
        break;
      }
      const t0 = performance.now();
      if (speculator && spec) {
        // Drafts never run past maxTokens, the context, or one forward pass.
        const room = Math.min(maxTokens - generated - 1, contextLimit - model.nPast - 2, model.maxBatch - 1);
        const r = await speculator.step([history[history.length - 1]], history, room, spec.settings, sampling);
        queue = r.tokens.map((token) => ({ token, top: [] }));
      } else {
        queue = [await step([history[history.length - 1]], history)];
      }
      stepMs += performance.now() - t0;
      produced += queue.length;
      decodeSteps++;
      counters.submitsPerStep += model.lastStep.submits;
      counters.readbackBytesPerStep += model.lastStep.readbackBytes;
      counters.dispatchesPerStep += model.lastStep.dispatches;
    }
    choice = queue.shift() ?? choice;
    firstTokenAt ??= performance.now();
    if (isEog(choice.token)) {
      stop = 'eog';
      break;
    }
    generated++;
    history.push(choice.token);
    const text = detokenizer?.push(choice.token) ?? '';
    yield nTop === undefined ? { type: 'token', token: choice.token, text } : { type: 'token', token: choice.token, text, top: choice.top };
  }
  // Tokens accepted but not emitted (max tokens or EOG reached mid-step) leave the cache as is:
  // the CLI runs one generation per model load.

  const decodeMs = firstTokenAt === undefined ? 0 : performance.now() - firstTokenAt;
  for (const key of ['submitsPerStep', 'readbackBytesPerStep', 'dispatchesPerStep'] as const) {
    counters[key] = decodeSteps > 0 ? counters[key] / decodeSteps : 0;
  }
  const stats: GenerationStats & StepCounters & SpeculationStats = {
    promptTokens: prompt.length,
    generatedTokens: generated,
    prefillMs,
    decodeMs,
    prefillTokensPerSecond: perSecond(prompt.length, prefillMs),
    decodeTokensPerSecond: perSecond(produced, decodeMs),
    timeToFirstTokenMs: firstTokenAt === undefined ? 0 : firstTokenAt - start,
    stopReason: stop,
    ...counters,
    ...speculationStats(speculator, decodeSteps, produced, stepMs),
  };
  yield { type: 'done', text: detokenizer?.flush() ?? '', stats };
}

export function speculationStats(speculator: Speculator | undefined, steps: number, produced: number, stepMs: number): SpeculationStats {
  const tokensPerStep = steps > 0 ? produced / steps : 1;
  if (!speculator) return { tokensPerStep, acceptanceRate: 0, acceptanceByDrafter: {}, draftLength: 0, speedup: 1 };
  const s = speculator.summary();
  const onePass = speculator.planner.passCost(1);
  return {
    tokensPerStep,
    acceptanceRate: s.drafted > 0 ? s.accepted / s.drafted : 0,
    acceptanceByDrafter: s.acceptanceByDrafter,
    draftLength: s.meanDraftLength,
    speedup: steps > 0 && stepMs > 0 ? (tokensPerStep * onePass) / (stepMs / steps) : 1,
  };
}

const perSecond = (n: number, ms: number): number => (ms > 0 ? (n * 1000) / ms : 0);
