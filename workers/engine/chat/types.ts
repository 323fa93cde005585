// What a chat generation takes and reports. Plain objects: they cross the worker boundary.

import type { DecodeEvent, DecodeStats, StopReason } from '../decode/decodeLoop.ts';
import type { SelfDraftOptions } from '../decode/modelDrafter.ts';
import type { SpeculativeMode } from '../decode/speculator.ts';
import type { StepProfile } from '../gpu/profiler.ts';

export type { SpeculativeMode, StopReason };

export interface GenerationParams {
  /** 0 = greedy. */
  temperature: number;
  /** 0 disables. */
  topK: number;
  /** 1 disables. */
  topP: number;
  /** 0 disables. */
  minP: number;
  /** 1 disables. */
  repetitionPenalty: number;
  seed: number;
  maxTokens: number;
  /** Report which experts each layer chose for each token (the routing view); costs a small readback. */
  routing?: boolean;
  /** Time each kernel class of the passes (stats.profile); every dispatch runs in its own pass, so generation slows. */
  profile?: boolean;
  /**
   * Speculative decoding: which drafter proposes tokens that one batched pass verifies (`self`:
   * the model with one expert per token; `draft`: the loaded draft model; `auto`: the fastest by
   * measured cost and acceptance, or none). Greedy output is identical token for token; sampled
   * output has exactly the same distribution. Default: `ngram` when draftMax > 0, else off.
   */
  speculative?: SpeculativeMode;
  /** Most draft tokens per step (default 4); 0 = off. */
  draftMax?: number;
  /** Let the engine choose the draft length ≤ draftMax per step (always on with `auto`). */
  adaptiveDraft?: boolean;
  /** How the `self` drafter cuts the model down (default: 1 expert per token, every layer). */
  selfDraft?: SelfDraftOptions;
}

export const defaultGenerationParams: GenerationParams = {
  temperature: 0.7,
  topK: 40,
  topP: 0.95,
  minP: 0.05,
  repetitionPenalty: 1,
  seed: 0,
  maxTokens: 512,
};

/**
 * The decode loop's stats (decode/decodeLoop.ts, the CLI's too), and what only the app shows:
 * the kernel profile and the expert cache's share of this answer.
 */
export interface ChatStats extends DecodeStats {
  /** With params.profile: the last prefill pass and the last decode step, per kernel class. */
  profile?: { readonly prefill?: StepProfile; readonly decode?: StepProfile };
  /** With paged experts (an expert cache under the experts' size), this answer's share of its work. */
  experts?: ExpertCacheAnswerStats;
}

export interface ExpertCacheAnswerStats {
  /** (layer, expert) lookups that found the expert resident, of all. */
  hitRate: number;
  /** Bytes loaded into the cache per token run (prompt and answer). */
  bytesPagedPerToken: number;
  /** Time spent loading experts and re-running passes, per token run. */
  stallMsPerToken: number;
}

/** The decode loop's events, the end carrying the app's stats. */
export type ChatEvent = Exclude<DecodeEvent, { type: 'done' }> | (Omit<Extract<DecodeEvent, { type: 'done' }>, 'stats'> & { stats: ChatStats });
