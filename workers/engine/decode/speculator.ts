// One speculative decode step on the GPU model: a drafter proposes k tokens, the last accepted
// token and the drafts run through one batched forward pass, and verifyDraft keeps the longest
// acceptable prefix plus one token of the model's own; the rejected drafts' KV entries are
// dropped. Greedy verification reads back one argmax per position; sampling reads back each
// position's top candidates and applies the session's sampler chain to them, the very
// distribution plain sampling draws from, so the output distribution is the model's.

import type { GpuModel } from '../gpu/model.ts';
import type { TopCandidates } from './stepModel.ts';
import type { Draft, Drafter, DraftSampling } from './drafter.ts';
import { DraftPlanner } from './draftPlanner.ts';
import type { Random } from './random.ts';
import { samplingDistribution } from './sampler.ts';
import type { Candidates, SamplerParams, TokenDist } from './sampler.ts';
import { verifyDraft } from './verifyDraft.ts';

/** Which drafter proposes tokens: one by name, or `auto` (the planner picks drafter and k). */
export type SpeculativeMode = 'off' | 'ngram' | 'self' | 'mtp' | 'draft' | 'auto';

export interface SpeculationSettings {
  /** `auto` or a drafter's name. */
  readonly mode: string;
  /** Most draft tokens per step. */
  readonly draftMax: number;
  /** Let the planner choose k ≤ draftMax (0 = plain step) by measured cost and acceptance; `auto` always does. */
  readonly adaptive: boolean;
}

/** How the model samples (absent = greedy). */
export interface TargetSampling {
  readonly params: SamplerParams;
  /** Acceptance and resampling draws: the session sampler's stream. */
  readonly uniform: Random;
  /**
   * Candidates read back per position (the rest of the vocabulary is out of reach, as in plain
   * sampling from the GPU's top candidates), or `all`: every logit (as plain sampling with a
   * repetition penalty or without top-k).
   */
  readonly candidates: number | 'all';
  /** Drafters' own draws. */
  readonly draftRandom: Random;
}

export interface SpeculativeStep {
  /** Tokens produced: the accepted drafts, then one of the model's own. */
  readonly tokens: number[];
  readonly drafter: string | undefined;
  readonly drafted: number;
  readonly accepted: number;
  /** Tokens run in the verifying pass. */
  readonly passTokens: number;
}

export interface SpeculationSummary {
  /** Acceptance rate per drafter that proposed anything: accepted ÷ proposed. */
  readonly acceptanceByDrafter: Record<string, number>;
  /** Tokens per decode step over the steps each drafter proposed for (its accepted drafts and the model's own token). */
  readonly tokensPerStepByDrafter: Record<string, number>;
  /** Mean draft length over decode steps (0 = plain steps). */
  readonly meanDraftLength: number;
  readonly drafted: number;
  readonly accepted: number;
}

/** The logits plain sampling sees: the GPU's candidates, −∞ elsewhere. */
export function candidateLogits(nVocab: number, c: Candidates): Float32Array {
  const logits = new Float32Array(nVocab).fill(-Infinity);
  c.ids.forEach((id, i) => (logits[id] = c.logits[i]));
  return logits;
}

export class Speculator {
  private readonly counts = new Map<string, { drafted: number; accepted: number; steps: number }>();
  private steps = 0;
  private draftTokens = 0;

  constructor(
    private readonly model: GpuModel,
    private readonly drafters: readonly Drafter[],
    readonly planner = new DraftPlanner(),
  ) {}

  /** Starts a new generation's counters (the planner's measurements carry over). */
  resetCounters(): void {
    this.counts.clear();
    this.steps = 0;
    this.draftTokens = 0;
  }

  summary(): SpeculationSummary {
    const acceptanceByDrafter: Record<string, number> = {};
    const tokensPerStepByDrafter: Record<string, number> = {};
    let drafted = 0;
    let accepted = 0;
    for (const [name, c] of this.counts) {
      acceptanceByDrafter[name] = c.drafted > 0 ? c.accepted / c.drafted : 0;
      tokensPerStepByDrafter[name] = c.steps > 0 ? (c.accepted + c.steps) / c.steps : 1;
      drafted += c.drafted;
      accepted += c.accepted;
    }
    return { acceptanceByDrafter, tokensPerStepByDrafter, meanDraftLength: this.steps > 0 ? this.draftTokens / this.steps : 0, drafted, accepted };
  }

  /**
   * Measures forward passes of 1..tokens tokens at the current position (then drops their KV
   * entries): the verify cost per draft length on this device and model.
   */
  async calibrate(history: readonly number[], tokens: number, sampling?: TargetSampling): Promise<void> {
    const m = this.model;
    const base = m.nPast;
    const n = Math.min(tokens, m.maxBatch, m.nCtx - base);
    // Real, varied tokens: an MoE pass costs more when its tokens route to different experts.
    const sample = Array.from({ length: n }, (_, i) => history[Math.max(0, history.length - n + i)] ?? 0);
    // The same pass a step runs: argmaxes for greedy, the sampler's logits otherwise.
    const pass = (t: number): Promise<unknown> => (sampling ? this.targetLogits(sample.slice(0, t), t === 1, sampling.candidates) : m.forwardGreedy(sample.slice(0, t)));
    for (let t = 1; t <= n; t++) {
      if (this.planner.calibrated(t)) continue; // measured before, at a shorter limit
      // A first, untimed run of each length (its pipelines and bind groups), then the mean of
      // two: decode steps later update the same means, so no length looks better than it is.
      await pass(t);
      m.truncate(base);
      let total = 0;
      for (let rep = 0; rep < 2; rep++) {
        const t0 = performance.now();
        await pass(t);
        total += performance.now() - t0;
        m.truncate(base);
      }
      this.planner.observePass(t, total / 2);
    }
  }

  /**
   * One decode step. `pending`: tokens not yet in the KV cache (the last accepted one);
   * `history`: every token so far, pending included; `room`: most drafts that still fit.
   */
  async step(pending: readonly number[], history: readonly number[], room: number, settings: SpeculationSettings, sampling?: TargetSampling): Promise<SpeculativeStep> {
    const m = this.model;
    const kMax = Math.max(0, Math.min(settings.draftMax, room));
    const usable = this.drafters.filter((d) => settings.mode === 'auto' || d.name === settings.mode);
    const adaptive = settings.adaptive || settings.mode === 'auto';
    // Measured once per model (the planner keeps it), for every length the settings allow, not
    // only those that fit now: also the baseline of the reported speedup.
    const calibrateTo = Math.min(adaptive ? settings.draftMax + 1 : 1, m.maxBatch, m.nCtx - m.nPast);
    if (kMax > 0 && !this.planner.calibrated(calibrateTo)) await this.calibrate(history, calibrateTo, sampling);

    const draftSampling: DraftSampling | undefined = sampling && {
      distribution: (c, h) => samplingDistribution(candidateLogits(m.cfg.nVocab, c), h, sampling.params),
      random: sampling.draftRandom,
      candidates: sampling.candidates,
    };
    let drafter: Drafter | undefined;
    let draft: number[] = [];
    let q: readonly (TokenDist | undefined)[] = [];
    let evidence = '';
    const tried = new Set<string>();
    // Drafters that cost nothing (n-gram lookup) propose before the choice, so that the planner
    // weighs each proposal by the acceptance of its kind (see Draft.evidence).
    const proposals = new Map<string, { drafter: Drafter; draft: Draft }>();
    if (adaptive && kMax > 0) {
      for (const d of usable.filter((u) => u.msPerToken === 0)) {
        tried.add(d.name);
        const p = await d.draft({ history, k: kMax, sampling: draftSampling });
        if (p.tokens.length > 0) proposals.set(p.evidence ?? d.name, { drafter: d, draft: p });
      }
    }
    while (kMax > 0 && draft.length === 0) {
      const left = usable.filter((d) => !tried.has(d.name));
      const options = [...left, ...[...proposals].map(([name, p]) => ({ name, msPerToken: 0, maxK: p.draft.tokens.length }))];
      const choice = adaptive ? this.planner.choose(options, kMax) : { drafter: left[0]?.name, k: kMax };
      const proposal = choice.drafter === undefined ? undefined : proposals.get(choice.drafter);
      drafter = proposal?.drafter ?? left.find((d) => d.name === choice.drafter);
      if (!drafter) break;
      tried.add(drafter.name);
      const d = proposal?.draft ?? (await drafter.draft({ history, k: choice.k, sampling: draftSampling }));
      draft = d.tokens.slice(0, choice.k);
      q = d.q ?? [];
      evidence = d.evidence ?? drafter.name;
    }
    if (draft.length === 0) drafter = undefined;

    const base = m.nPast;
    const run = [...pending, ...draft];
    const t0 = performance.now();
    let accepted: number;
    let next: number;
    if (!sampling) {
      if (draft.length === 0) {
        next = await m.forwardGreedyLast(run);
        accepted = 0;
      } else {
        // Batch invariance: these argmaxes are the very tokens plain greedy decoding would give.
        const ids = await m.forwardGreedy(run);
        accepted = 0;
        while (accepted < draft.length && draft[accepted] === ids[pending.length - 1 + accepted]) accepted++;
        next = ids[pending.length - 1 + accepted];
      }
    } else {
      const rows = await this.targetLogits(run, draft.length === 0, sampling.candidates);
      const p = rows.slice(pending.length - 1).map((row, i) => samplingDistribution(row, [...history, ...draft.slice(0, i)], sampling.params));
      ({ accepted, next } = verifyDraft(draft, q, p, sampling.uniform));
    }
    this.planner.observePass(run.length, performance.now() - t0);
    // Drop the rejected drafts' keys and values.
    m.truncate(base + pending.length + accepted);

    this.steps++;
    this.draftTokens += draft.length;
    if (drafter) {
      this.planner.observeDraft(evidence, draft.length, accepted);
      const c = this.counts.get(drafter.name) ?? { drafted: 0, accepted: 0, steps: 0 };
      c.drafted += draft.length;
      c.accepted += accepted;
      c.steps++;
      this.counts.set(drafter.name, c);
    }
    return { tokens: [...draft.slice(0, accepted), next], drafter: drafter?.name, drafted: draft.length, accepted, passTokens: run.length };
  }

  /** Logits the sampler sees for each position of `run` (only the last one's when `lastOnly`). */
  private async targetLogits(run: readonly number[], lastOnly: boolean, candidates: number | 'all'): Promise<Float32Array[]> {
    const m = this.model;
    if (candidates === 'all') {
      const rows = await m.forwardLogits(run);
      return lastOnly ? rows.slice(-1) : rows;
    }
    const tops: TopCandidates[] = lastOnly ? [await m.forwardTop(run, candidates)] : await m.forwardTopAll(run, candidates);
    return tops.map((c) => candidateLogits(m.cfg.nVocab, c));
  }
}
