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
import { MtpDrafter } from '../decode/mtpDrafter.ts';
import { decodeLoop } from '../decode/decodeLoop.ts';
import { defaultSamplerParams } from '../decode/sampler.ts';
import { Speculator } from '../decode/speculator.ts';
import type { SpeculationSettings } from '../decode/speculator.ts';
import type { SamplerParams } from '../decode/sampler.ts';
import type { ChatMessage, ChatTemplate } from '../template/chatTemplate.ts';
import { StreamDecoder, tokenizerFromGguf } from '../tokenizer/index.ts';
import type { Tokenizer } from '../tokenizer/index.ts';
import { chatPromptTokens, chatTemplateOf } from './chatPrompt.ts';
import { ChatError } from './errors.ts';
import type { ChatEvent, ChatStats, GenerationParams } from './types.ts';
import type { StepProfile } from '../gpu/profiler.ts';

/** Draft tokens per step when speculation is asked for without a length. */
const DEFAULT_DRAFT_MAX = 4;

export class ChatSession {
  /** Tokens whose keys and values are in the GPU's KV cache, in order. */
  private cached: number[] = [];
  private readonly ngram = new NgramDrafter();
  private self: ModelDrafter;
  /** The model's own multi-token-prediction block, or why it has none. */
  private readonly mtp: MtpDrafter | { unavailable: string };
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
    this.mtp = MtpDrafter.of(model);
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
    if (mode === 'mtp' && !(this.mtp instanceof MtpDrafter)) throw new ChatError('no_mtp', `multi-token-prediction drafting is unavailable: ${this.mtp.unavailable}`);
    const drafters: Drafter[] = [this.ngram];
    if (this.mtp instanceof MtpDrafter) drafters.push(this.mtp);
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
   * Answers the conversation through the one decode loop (decode/decodeLoop.ts, as the CLI). With
   * params.speculative (or draftMax), drafters propose tokens that one batched pass verifies;
   * `drafter` replaces the session's own (tests, tools).
   */
  async *generate(messages: readonly ChatMessage[], params: GenerationParams, signal?: AbortSignal, drafter?: Drafter): AsyncGenerator<ChatEvent, void> {
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

    this.model.recordRouting = params.routing === true;
    this.model.setProfiling(params.profile === true);
    const spec = this.speculation(params, drafter);
    let prefillProfile: StepProfile | undefined;
    let prefilled = false;
    const loop = decodeLoop(this.model, {
      prompt,
      cache: this.cached,
      sampler: toSamplerParams(params),
      maxTokens: params.maxTokens,
      isEog: (id) => this.tokenizer.isEog(id),
      detokenizer: new StreamDecoder(this.tokenizer),
      speculation: spec && { speculator: new Speculator(this.model, spec.drafters, this.planner), settings: spec.settings },
      routing: params.routing,
      signal,
    });
    for await (const event of loop) {
      // Every event after 'prefill' comes after the prefill pass.
      if (!prefilled && event.type !== 'prefill') {
        prefilled = true;
        // The loop waits here with the cache at the prompt's end, where the next turn's prompt most
        // likely departs from this one: a hybrid's DeltaNet state can return here (a no-op for others).
        this.model.checkpoint();
        prefillProfile = this.model.lastProfile;
      }
      if (event.type !== 'done') {
        yield event;
        continue;
      }
      const stats: ChatStats = { ...event.stats };
      const cache = this.model.expertCache;
      if (cache.paged) {
        const lookups = cache.lookups - cacheBefore.lookups;
        const run = Math.max(1, prompt.length - reused + event.stats.generatedTokens);
        stats.experts = {
          hitRate: lookups > 0 ? (cache.hits - cacheBefore.hits) / lookups : 1,
          bytesPagedPerToken: (cache.bytesPaged - cacheBefore.bytesPaged) / run,
          stallMsPerToken: (cache.stallMs - cacheBefore.stallMs) / run,
        };
      }
      if (params.profile) {
        stats.profile = { prefill: prefillProfile, decode: event.stats.decodeMs > 0 ? this.model.lastProfile : undefined };
        this.model.setProfiling(false);
      }
      yield { ...event, stats };
    }
  }

  destroy(): void {
    this.dropDraftModel();
    this.model.destroy();
  }
}

function toSamplerParams(p: GenerationParams): SamplerParams {
  return {
    ...defaultSamplerParams,
    temperature: p.temperature,
    topK: p.topK,
    topP: p.topP,
    minP: p.minP,
    repetitionPenalty: p.repetitionPenalty,
    seed: p.seed,
  };
}
