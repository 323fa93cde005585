// One forward pass and the next token, reading back as little as the sampler and the report need:
//   greedy without `top`         → forwardGreedyLast: the token id (4 bytes on the GPU)
//   top-k sampling, or `top`     → forwardTop: k candidates and the log-normaliser (4 + 8k bytes)
//   anything else (repetition penalty, top-k off or above the GPU's candidate limit)
//                                → forwardLogits: the full vocabulary, sampled on the CPU
// Every path picks the token Sampler.sample would pick from the full logits, draw for draw.

import type { Random } from './random.ts';
import { draw, drawFrom, minP, samplingDistribution, topP, topProbabilities, type SamplerParams, type TokenProb } from './sampler.ts';
import type { StepModel } from './stepModel.ts';

export interface Choice {
  readonly token: number;
  /** The `nTop` most probable tokens, the chosen one first under greedy; [] when none were asked for. */
  readonly top: TokenProb[];
}

/** Runs `tokens` (appending them to the KV cache) and picks the next token. */
export type NextToken = (tokens: readonly number[], history: readonly number[]) => Promise<Choice>;

/** Whether the sampler draws (temperature) or bends the logits by history (a repetition penalty). */
export function needsSampling(p: SamplerParams): boolean {
  return p.temperature > 0 || penalised(p);
}

const penalised = (p: SamplerParams): boolean => p.repetitionPenalty !== 1 && p.repetitionWindow !== 0;

/** The candidate set plain sampling draws from: the top-k when one pass can return it, else every logit. */
export function samplingCandidates(model: StepModel, p: SamplerParams): number | 'all' {
  return !penalised(p) && p.topK > 0 && p.topK <= model.maxTopK ? p.topK : 'all';
}

/** The cheapest step that gives the sampler and the report (`nTop` candidates) what they need. */
export function nextTokenStep(model: StepModel, params: SamplerParams, nTop: number, random: Random): NextToken {
  const stochastic = params.temperature > 0;
  if (!penalised(params) && !stochastic && nTop === 0) {
    return async (tokens) => ({ token: await model.forwardGreedyLast(tokens), top: [] });
  }
  const k = Math.min(Math.max(nTop, stochastic ? params.topK : 1), model.cfg.nVocab);
  if (!penalised(params) && (!stochastic || params.topK > 0) && k <= model.maxTopK) {
    // Top-k candidates are exactly the sampler's top-k set, in the same order (logit descending,
    // ties to the lower id), so top-p, min-p and the draw give the full-vocabulary sampler's token.
    return async (tokens) => {
      const c = await model.forwardTop(tokens, k);
      const top = c.ids.slice(0, nTop).map((id, i): TokenProb => [id, Math.exp(c.logits[i] - c.logZ)]);
      if (!stochastic) return { token: c.ids[0], top };
      const kept = { ids: c.ids.slice(0, params.topK), logits: c.logits.slice(0, params.topK) };
      return { token: draw(minP(topP(kept, params.topP), params.minP), params.temperature, random()), top };
    };
  }
  // The penalty needs every logit of the recent tokens; top-k off needs the whole vocabulary.
  return async (tokens, history) => {
    const logits = (await model.forwardLogits(tokens)).slice(-1)[0];
    const d = samplingDistribution(logits, history, params);
    return { token: params.temperature <= 0 ? d.ids[0] : drawFrom(d, random()), top: topProbabilities(logits, nTop) };
  };
}
