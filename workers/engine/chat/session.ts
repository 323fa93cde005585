// A loaded model ready to chat: GPU model, tokenizer and chat template together. A follow-up
// message reuses the KV cache for the longest common token prefix, so only new tokens run.

import type { GpuContext } from '../gpu/device.ts';
import type { GgufFile } from '../gguf/types.ts';
import { GpuModel } from '../gpu/model.ts';
import type { GpuModelOptions } from '../gpu/model.ts';
import type { WeightSource } from '../model/weightSource.ts';
import { NgramDrafter } from '../decode/drafter.ts';
import type { Drafter } from '../decode/drafter.ts';
import { DraftPlanner } from '../decode/draftPlanner.ts';
import { ModelDrafter } from '../decode/modelDrafter.ts';
import { seededRandom } from '../decode/random.ts';
import { Sampler } from '../decode/sampler.ts';
import { candidateLogits, Speculator } from '../decode/speculator.ts';
import type { SpeculationSettings, TargetSampling } from '../decode/speculator.ts';
import type { SamplerParams } from '../decode/sampler.ts';
import type { ChatMessage, ChatTemplate } from '../template/chatTemplate.ts';
import { StreamDecoder, tokenizerFromGguf } from '../tokenizer/index.ts';
import type { Tokenizer } from '../tokenizer/index.ts';
import { chatPromptTokens, chatTemplateOf } from './chatPrompt.ts';
import { ChatError } from './errors.ts';
import type { ChatEvent, ChatStats, GenerationParams, StopReason } from './types.ts';
import type { StepProfile } from '../gpu/profiler.ts';

/** Candidates read back per sampling step without top-k (more than any sensible top-k). */
const SAMPLING_CANDIDATES = 40;
/** Draft tokens per step when speculation is asked for without a length. */
const DEFAULT_DRAFT_MAX = 4;

export class ChatSession {
  /** Tokens whose keys and values are in the GPU's KV cache, in order. */
  private cached: number[] = [];
  private readonly ngram = new NgramDrafter();
  private self: ModelDrafter;
  private draftModel: { drafter: ModelDrafter; model: GpuModel } | undefined;
  /** Measured pass costs and acceptance, kept across generations. */
  private readonly planner = new DraftPlanner();

  private constructor(
    readonly model: GpuModel,
    readonly tokenizer: Tokenizer,
    private readonly template: ChatTemplate,
    private readonly file: WeightSource['file'],
  ) {
    this.self = ModelDrafter.self(model);
  }

  /** Throws what would stop `file` loading and can be known without the GPU (architecture, tokenizer, template). */
  static check(file: GgufFile): void {
    GpuModel.check(file);
    tokenizerFromGguf(file);
    chatTemplateOf(file);
  }

  static async load(gpu: GpuContext, source: WeightSource, opts: GpuModelOptions = {}): Promise<ChatSession> {
    const tokenizer = tokenizerFromGguf(source.file);
    const template = chatTemplateOf(source.file);
    const model = await GpuModel.load(gpu, source, opts);
    return new ChatSession(model, tokenizer, template, source.file);
  }

  /**
   * Loads a small model with the same vocabulary as the `draft` drafter (replacing any earlier
   * one). Throws DecodeError `vocab_mismatch` when the vocabularies differ.
   */
  async loadDraftModel(gpu: GpuContext, source: WeightSource, opts: GpuModelOptions = {}): Promise<void> {
    const model = await GpuModel.load(gpu, source, { nCtx: this.model.nCtx, maxTokens: this.model.maxBatch, ...opts });
    try {
      const drafter = ModelDrafter.separate(model, source.file, this.model, this.file);
      this.dropDraftModel();
      this.draftModel = { drafter, model };
    } catch (e) {
      model.destroy();
      throw e;
    }
  }

  dropDraftModel(): void {
    this.draftModel?.model.destroy();
    this.draftModel = undefined;
  }

  get hasDraftModel(): boolean {
    return this.draftModel !== undefined;
  }

  /** The draft model's size, when one is loaded. */
  get draftModelInfo(): { nLayer: number; weightBytes: number } | undefined {
    const m = this.draftModel?.model;
    return m && { nLayer: m.cfg.nLayer, weightBytes: m.lastStep.weightBytes };
  }

  /** The speculation asked for, or undefined for plain decoding. */
  private speculation(params: GenerationParams, custom: Drafter | undefined): { settings: SpeculationSettings; drafters: Drafter[] } | undefined {
    const draftMax = params.draftMax ?? DEFAULT_DRAFT_MAX;
    const mode = params.speculative ?? ((params.draftMax ?? 0) > 0 ? 'ngram' : 'off');
    if (mode === 'off' || draftMax <= 0) return undefined;
    const adaptive = params.adaptiveDraft === true;
    if (custom) return { settings: { mode: custom.name, draftMax, adaptive }, drafters: [custom] };
    if (mode === 'draft' && !this.draftModel)
      throw new ChatError('no_draft_model', 'speculative decoding with a draft model needs one: load a small model with the same vocabulary first, or pick another drafter');
    const drafters: Drafter[] = [this.ngram];
    const selfDraft = params.selfDraft ?? {};
    if (!this.self.drafts(selfDraft)) {
      this.self = ModelDrafter.self(this.model, selfDraft);
      this.planner.forget(this.self.name);
    }
    // With one expert per token and every layer, self-drafting would just be the model itself.
    const { nExpertUsed, nLayer } = this.model.cfg;
    if (mode === 'self' || nExpertUsed > 1 || (selfDraft.layers ?? nLayer) < nLayer) drafters.push(this.self);
    if (this.draftModel) drafters.push(this.draftModel.drafter);
    return { settings: { mode, draftMax, adaptive }, drafters };
  }

  /** The conversation rendered by the model's chat template and tokenized. */
  promptTokens(messages: readonly ChatMessage[]): number[] {
    return chatPromptTokens(this.tokenizer, this.template, messages);
  }

  /** Forgets the cached conversation (switching conversations is handled by the prefix match). */
  reset(): void {
    this.cached = [];
    this.model.truncate(0);
    this.draftModel?.drafter.reset();
  }

  /**
   * Answers the conversation. With params.speculative (or draftMax), drafters propose tokens
   * that one batched pass verifies; `drafter` replaces the session's own (tests, tools).
   */
  async *generate(messages: readonly ChatMessage[], params: GenerationParams, signal?: AbortSignal, drafter?: Drafter): AsyncGenerator<ChatEvent, void> {
    const started = performance.now();
    const cacheBefore = this.model.expertCache;
    const prompt = this.promptTokens(messages);
    if (prompt.length >= this.model.nCtx) {
      throw new ChatError('context_full', `the conversation is ${prompt.length} tokens; the context holds ${this.model.nCtx}. Start a new conversation or drop old turns.`);
    }
    // Reuse the longest cached prefix; at least one token must run to get the next logits.
    let reused = 0;
    while (reused < this.cached.length && reused < prompt.length - 1 && this.cached[reused] === prompt[reused]) reused++;
    this.model.truncate(reused);
    this.cached = prompt.slice(0, reused);
    yield { type: 'prefill', promptTokens: prompt.length, reusedTokens: reused };

    const maxTokens = Math.min(params.maxTokens, this.model.nCtx - prompt.length);
    this.model.recordRouting = params.routing === true;
    this.model.setProfiling(params.profile === true);
    let prefillProfile: StepProfile | undefined;
    const sampler = new Sampler(toSamplerParams(params));
    const greedy = params.temperature <= 0 && params.repetitionPenalty === 1;
    // Top-k ≤ 40 keeps only that many: reading back more would change nothing but the cost.
    const candidates = params.topK > 0 ? Math.min(params.topK, SAMPLING_CANDIDATES) : SAMPLING_CANDIDATES;
    const stream = new StreamDecoder(this.tokenizer);
    const history = [...prompt];
    let pending = prompt.slice(reused);
    let generated = 0;
    let firstTokenAt = 0;
    let prefillMs = 0;
    let text = '';
    let stop: StopReason = 'max_tokens';

    const spec = this.speculation(params, drafter);
    const speculator = spec && new Speculator(this.model, spec.drafters, this.planner);
    const sampling: TargetSampling | undefined = greedy
      ? undefined
      : { params: sampler.params, uniform: () => sampler.uniform(), candidates, draftRandom: seededRandom((params.seed ^ 0x5bd1e995) >>> 0) };
    let steps = 0;
    let produced = 0;
    let decodeStart = 0;
    let plainPassMs = 0;

    outer: while (generated < maxTokens) {
      if (signal?.aborted) {
        stop = 'abort';
        break;
      }
      const t0 = performance.now();
      let next: number[];
      let kept = 0; // speculative steps: the leading tokens of the verifying pass whose entries stay
      if (speculator && spec && generated > 0) {
        // Room for drafts: never past maxTokens, the context, or one forward pass.
        const room = Math.min(maxTokens - generated - 1, this.model.nCtx - this.cached.length - pending.length - 1, this.model.maxBatch - pending.length);
        const r = await speculator.step(pending, history, room, spec.settings, sampling);
        next = r.tokens;
        kept = pending.length + r.accepted;
        this.cached.push(...pending, ...next.slice(0, r.accepted));
      } else {
        next = [greedy ? await this.model.forwardGreedyLast(pending) : this.sample(await this.model.forwardTop(pending, candidates), sampler, history)];
        this.cached.push(...pending);
        if (generated > 0) plainPassMs = performance.now() - t0;
      }
      // A decode step's tokens count whether or not they are emitted (an end-of-generation token
      // ends the answer but was produced by the step), as the CLI counts them.
      if (generated > 0) {
        steps++;
        produced += next.length;
      } else decodeStart = performance.now();
      const routing = this.model.lastRouting;
      if (params.routing && routing) {
        // One event per token whose entries stay: the last prompt token, then each fed token.
        const nPass = routing[0]?.length ?? 0;
        const rows = kept > 0 ? Array.from({ length: Math.min(kept, nPass) }, (_, j) => j) : [nPass - 1];
        for (const j of rows) {
          const position = this.cached.length - (kept > 0 ? kept - j : 1);
          yield { type: 'routing', position, token: this.cached[position], experts: routing.map((layer) => layer[j]) };
        }
      }
      if (generated === 0) {
        prefillMs = performance.now() - t0;
        firstTokenAt = performance.now();
        prefillProfile = this.model.lastProfile;
      }
      for (const token of next) {
        if (this.tokenizer.isEog(token)) {
          stop = 'eog';
          break outer;
        }
        generated++;
        history.push(token);
        const delta = stream.push(token);
        text += delta;
        yield { type: 'token', token, text: delta };
        if (generated >= maxTokens) break outer;
      }
      // Accepted drafts are in the cache already; the last token is fed next.
      pending = [next[next.length - 1]];
    }
    const tail = stream.flush();
    text += tail;
    const now = performance.now();
    const decodeMs = generated > 1 ? now - firstTokenAt : 0;
    const stats: ChatStats = {
      promptTokens: prompt.length,
      reusedTokens: reused,
      generatedTokens: generated,
      timeToFirstTokenMs: firstTokenAt ? firstTokenAt - started : 0,
      prefillTokensPerSecond: prefillMs > 0 ? ((prompt.length - reused) * 1000) / prefillMs : 0,
      decodeTokensPerSecond: decodeMs > 0 ? ((generated - 1) * 1000) / decodeMs : 0,
      submitsPerStep: this.model.lastStep.submits,
      readbackBytesPerStep: this.model.lastStep.readbackBytes,
      dispatchesPerStep: this.model.lastStep.dispatches,
      tokensPerStep: steps > 0 ? produced / steps : 1,
      acceptanceRate: 0,
    };
    if (speculator) {
      const sum = speculator.summary();
      stats.acceptanceRate = sum.drafted > 0 ? sum.accepted / sum.drafted : 0;
      stats.acceptanceByDrafter = sum.acceptanceByDrafter;
      stats.draftLength = sum.meanDraftLength;
      // Against the measured cost of a one-token pass (the plain decode step).
      const onePass = this.planner.passCost(1) || plainPassMs;
      const stepMs = steps > 0 ? (now - decodeStart) / steps : 0;
      stats.speedup = stepMs > 0 && onePass > 0 ? (stats.tokensPerStep * onePass) / stepMs : 1;
    }
    const cache = this.model.expertCache;
    if (cache.paged) {
      const lookups = cache.lookups - cacheBefore.lookups;
      const run = Math.max(1, prompt.length - reused + generated);
      stats.experts = {
        hitRate: lookups > 0 ? (cache.hits - cacheBefore.hits) / lookups : 1,
        bytesPagedPerToken: (cache.bytesPaged - cacheBefore.bytesPaged) / run,
        stallMsPerToken: (cache.stallMs - cacheBefore.stallMs) / run,
      };
    }
    if (params.profile) {
      stats.profile = { prefill: prefillProfile, decode: steps > 0 ? this.model.lastProfile : undefined };
      this.model.setProfiling(false);
    }
    yield { type: 'done', text: tail, fullText: text, stopReason: stop, stats };
  }

  /** Samples from the GPU's top candidates; the rest of the vocabulary is out of reach (−∞). */
  private sample(top: { ids: number[]; logits: number[] }, sampler: Sampler, history: readonly number[]): number {
    return sampler.sample(candidateLogits(this.model.cfg.nVocab, top), history, 0).token;
  }

  destroy(): void {
    this.dropDraftModel();
    this.model.destroy();
  }
}

function toSamplerParams(p: GenerationParams): SamplerParams {
  return {
    temperature: p.temperature,
    topK: p.topK,
    topP: p.topP,
    minP: p.minP,
    repetitionPenalty: p.repetitionPenalty,
    seed: p.seed,
  };
}
