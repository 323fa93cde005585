// The one generation loop, used by the chat (ChatSession) and the CLI alike: prefill what the KV
// cache does not hold yet, then one token per step, or several when speculative drafts are
// accepted, until an end-of-generation token, max tokens, a full context or an abort. It reports
// the same events and stats everywhere, so the CLI exercises the app's path.

import { DecodeError } from './errors.ts';
import { needsSampling, nextTokenStep, samplingCandidates, type Choice } from './nextToken.ts';
import { seededRandom } from './random.ts';
import type { SamplerParams, TokenProb } from './sampler.ts';
import type { SpeculationSettings, Speculator, TargetSampling } from './speculator.ts';
import type { StepModel } from './stepModel.ts';

/** Incremental detokenizer (the tokenizer's StreamDecoder): never returns half a character. */
export interface TextStream {
  push(id: number): string;
  /** Ends the stream; returns bytes still held back (as U+FFFD) or ''. */
  flush(): string;
}

export interface DecodeRequest {
  /** Every token of the prompt; the KV cache holds its first `cache.length` already (prefix reuse). */
  readonly prompt: readonly number[];
  /**
   * The tokens whose entries the KV cache holds, in order (model.nPast of them, a prefix of the
   * prompt). The loop keeps it true as it feeds tokens, so a caller that stops early still knows.
   */
  readonly cache: number[];
  readonly sampler: SamplerParams;
  readonly maxTokens: number;
  /** End-of-generation tokens (EOS, EOT, `<|im_end|>`, …) stop the loop and are not emitted. */
  readonly isEog: (id: number) => boolean;
  /** Turns tokens into text; without it every `text` is ''. */
  readonly detokenizer?: TextStream;
  /** Candidates reported per token (`top`); undefined = none, the fastest path. */
  readonly nTop?: number;
  /** Speculative decoding: drafts verified in one batched pass (needs nTop undefined). */
  readonly speculation?: { readonly speculator: Speculator; readonly settings: SpeculationSettings };
  /** Report each fed token's experts (`routing` events), from the model's recorded routing. */
  readonly routing?: boolean;
  readonly signal?: AbortSignal;
}

export type StopReason = 'eog' | 'max_tokens' | 'context' | 'abort';

export interface DecodeStats {
  promptTokens: number;
  /** Prompt tokens whose KV entries were there before (not run again). */
  reusedTokens: number;
  generatedTokens: number;
  prefillMs: number;
  /** From the first token to the end. */
  decodeMs: number;
  /** Prompt tokens run (reused ones excluded) per second of prefill. */
  prefillTokensPerSecond: number;
  /** Tokens the decode steps produced per second (the first token comes from the prefill). */
  decodeTokensPerSecond: number;
  /** From the start of the call to the first token, prefill included. */
  timeToFirstTokenMs: number;
  stopReason: StopReason;
  /** Means over the decode steps (the prefill excluded); 0 when no decode step ran. */
  submitsPerStep: number;
  readbackBytesPerStep: number;
  dispatchesPerStep: number;
  /** Tokens per decode step (> 1 when drafts are accepted; an end-of-generation token counts: the step produced it); 1 without decode steps. */
  tokensPerStep: number;
  /** Accepted ÷ proposed draft tokens (0 without speculation). */
  acceptanceRate: number;
  /** The same per drafter that proposed anything. */
  acceptanceByDrafter: Record<string, number>;
  /** Tokens per step over the steps each drafter proposed for. */
  tokensPerStepByDrafter: Record<string, number>;
  /** Mean draft tokens per decode step (the chosen k; 0 = plain decoding). */
  draftLength: number;
  /** Tokens per step × the measured time of a one-token pass ÷ the mean step time (1 without speculation). */
  speedup: number;
}

export type DecodeEvent =
  | { type: 'prefill'; promptTokens: number; reusedTokens: number }
  /** One generated token; `text` is the text it completes (possibly ''); `top` with request.nTop. */
  | { type: 'token'; token: number; text: string; top?: TokenProb[] }
  /** With request.routing: the experts chosen for a token just fed (the last prompt token, then each generated one), per layer. */
  | { type: 'routing'; position: number; token: number; experts: number[][] }
  /** The end; `text` is what the detokenizer still held, `fullText` the whole answer. */
  | { type: 'done'; text: string; fullText: string; stopReason: StopReason; stats: DecodeStats };

export async function* decodeLoop(model: StepModel, request: DecodeRequest): AsyncGenerator<DecodeEvent, void> {
  const { prompt, cache, maxTokens, isEog, detokenizer, nTop, signal } = request;
  const reused = cache.length;
  if (prompt.length === 0) throw new DecodeError('empty_prompt', 'the prompt has no tokens; generation needs at least one');
  if (reused !== model.nPast || reused >= prompt.length) throw new Error(`the KV cache holds ${model.nPast} tokens, the request says ${reused} of a ${prompt.length}-token prompt`);
  if (prompt.length > model.nCtx) {
    throw new DecodeError('context_full', `the prompt (${prompt.length} tokens) does not fit in the context of ${model.nCtx}; shorten it or use a larger context`);
  }
  const spec = request.speculation;
  if (spec && nTop !== undefined) throw new DecodeError('bad_request', 'speculative decoding reports no per-token top candidates; leave them out');
  const sp = request.sampler;
  // One stream for plain steps and speculative acceptance: with no drafts, the same tokens.
  const random = seededRandom(sp.seed);
  const step = nextTokenStep(model, sp, nTop ?? 0, random);
  const sampling: TargetSampling | undefined = needsSampling(sp)
    ? { params: sp, uniform: random, candidates: samplingCandidates(model, sp), draftRandom: seededRandom((sp.seed ^ 0x5bd1e995) >>> 0) }
    : undefined;
  yield { type: 'prefill', promptTokens: prompt.length, reusedTokens: reused };

  const start = performance.now();
  const history = [...prompt];
  const counters = { submits: 0, readbackBytes: 0, dispatches: 0 };
  let prefillMs = 0;
  let firstTokenAt: number | undefined;
  let steps = 0;
  let produced = 0;
  let stepMs = 0;
  let generated = 0;
  let fullText = '';
  let stop: StopReason = 'max_tokens';
  let pending: readonly number[] = prompt.slice(reused);

  /**
   * The routing events of the last pass, for each token whose entries stayed: the prefill's last
   * prompt token, else the first `kept` tokens of the pass (the last `kept` of the cache).
   */
  function* routingOf(kept: number, prefill: boolean): Generator<DecodeEvent> {
    const routing = model.lastRouting;
    if (!request.routing || !routing) return;
    const rows = prefill ? [(routing[0]?.length ?? 1) - 1] : Array.from({ length: kept }, (_, j) => j);
    for (const [i, j] of rows.entries()) {
      const position = cache.length - rows.length + i;
      yield { type: 'routing', position, token: cache[position], experts: routing.map((layer) => layer[j]) };
    }
  }

  outer: for (;;) {
    if (signal?.aborted) {
      stop = 'abort';
      break;
    }
    const first = firstTokenAt === undefined;
    if (!first && model.nPast + pending.length > model.nCtx) {
      stop = 'context';
      break;
    }
    const t0 = performance.now();
    let next: Choice[];
    let kept = pending.length; // tokens of this pass whose KV entries stay
    if (first) {
      try {
        next = [await step(pending, history)];
      } catch (e) {
        model.truncate(reused); // a failed prefill leaves the cache as it was
        throw e;
      }
      cache.push(...pending);
      prefillMs = performance.now() - t0;
      firstTokenAt = performance.now();
    } else {
      if (spec) {
        // Room for drafts: never past maxTokens, the context, or one forward pass.
        const room = Math.min(maxTokens - generated - 1, model.nCtx - model.nPast - pending.length - 1, model.maxBatch - pending.length);
        const r = await spec.speculator.step(pending, history, room, spec.settings, sampling);
        next = r.tokens.map((token) => ({ token, top: [] }));
        kept = pending.length + r.accepted;
        cache.push(...pending, ...r.tokens.slice(0, r.accepted));
      } else {
        next = [await step(pending, history)];
        cache.push(...pending);
      }
      stepMs += performance.now() - t0;
      steps++;
      produced += next.length;
      counters.submits += model.lastStep.submits;
      counters.readbackBytes += model.lastStep.readbackBytes;
      counters.dispatches += model.lastStep.dispatches;
    }
    yield* routingOf(kept, first);
    for (const { token, top } of next) {
      if (generated >= maxTokens) break outer;
      if (isEog(token)) {
        stop = 'eog';
        break outer;
      }
      generated++;
      history.push(token);
      const text = detokenizer?.push(token) ?? '';
      fullText += text;
      yield nTop === undefined ? { type: 'token', token, text } : { type: 'token', token, text, top };
    }
    if (generated >= maxTokens) break;
    // Accepted drafts are in the cache already; the last token is fed next.
    pending = [next[next.length - 1].token];
  }

  const now = performance.now();
  const decodeMs = firstTokenAt === undefined || steps === 0 ? 0 : now - firstTokenAt;
  const per = (n: number): number => (steps > 0 ? n / steps : 0);
  const tokensPerStep = steps > 0 ? produced / steps : 1;
  let speculation = { acceptanceRate: 0, acceptanceByDrafter: {} as Record<string, number>, tokensPerStepByDrafter: {} as Record<string, number>, draftLength: 0, speedup: 1 };
  if (spec) {
    const s = spec.speculator.summary();
    // Against the measured cost of a one-token pass (the plain decode step).
    const onePass = spec.speculator.planner.passCost(1);
    speculation = {
      acceptanceRate: s.drafted > 0 ? s.accepted / s.drafted : 0,
      acceptanceByDrafter: s.acceptanceByDrafter,
      tokensPerStepByDrafter: s.tokensPerStepByDrafter,
      draftLength: s.meanDraftLength,
      speedup: steps > 0 && stepMs > 0 && onePass > 0 ? (tokensPerStep * onePass) / (stepMs / steps) : 1,
    };
  }
  const ran = prompt.length - reused;
  const stats: DecodeStats = {
    promptTokens: prompt.length,
    reusedTokens: reused,
    generatedTokens: generated,
    prefillMs,
    decodeMs,
    prefillTokensPerSecond: prefillMs > 0 ? (ran * 1000) / prefillMs : 0,
    decodeTokensPerSecond: decodeMs > 0 ? (produced * 1000) / decodeMs : 0,
    timeToFirstTokenMs: firstTokenAt === undefined ? 0 : firstTokenAt - start,
    stopReason: stop,
    submitsPerStep: per(counters.submits),
    readbackBytesPerStep: per(counters.readbackBytes),
    dispatchesPerStep: per(counters.dispatches),
    tokensPerStep,
    ...speculation,
  };
  const tail = detokenizer?.flush() ?? '';
  yield { type: 'done', text: tail, fullText: fullText + tail, stopReason: stop, stats };
}
