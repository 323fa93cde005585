// A loaded model ready to chat: GPU model, tokenizer and chat template together. A follow-up
// message reuses the KV cache for the longest common token prefix, so only new tokens run.

import { optString } from '../gguf/metadata.ts';
import type { GpuContext } from '../gpu/device.ts';
import { GpuModel } from '../gpu/model.ts';
import type { GpuModelOptions } from '../gpu/model.ts';
import type { WeightSource } from '../model/weightSource.ts';
import { NgramDrafter } from '../decode/drafter.ts';
import type { Drafter } from '../decode/drafter.ts';
import { Sampler } from '../decode/sampler.ts';
import type { SamplerParams } from '../decode/sampler.ts';
import { ChatTemplate } from '../template/chatTemplate.ts';
import type { ChatMessage } from '../template/chatTemplate.ts';
import { StreamDecoder, tokenizerFromGguf } from '../tokenizer/index.ts';
import type { Tokenizer } from '../tokenizer/index.ts';
import { ChatError } from './errors.ts';
import type { ChatEvent, ChatStats, GenerationParams, StopReason } from './types.ts';

/** Candidates read back per sampling step (more than any sensible top-k). */
const SAMPLING_CANDIDATES = 40;

/** A template for models that ship none: plain role-prefixed turns. */
const FALLBACK_TEMPLATE =
  "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n\n{% endfor %}{% if add_generation_prompt %}assistant: {% endif %}";

export class ChatSession {
  /** Tokens whose keys and values are in the GPU's KV cache, in order. */
  private cached: number[] = [];

  private constructor(
    readonly model: GpuModel,
    readonly tokenizer: Tokenizer,
    private readonly template: ChatTemplate,
  ) {}

  static async load(gpu: GpuContext, source: WeightSource, opts: GpuModelOptions = {}): Promise<ChatSession> {
    const tokenizer = tokenizerFromGguf(source.file);
    const template = new ChatTemplate(optString(source.file, 'tokenizer.chat_template') ?? FALLBACK_TEMPLATE);
    const model = await GpuModel.load(gpu, source, opts);
    return new ChatSession(model, tokenizer, template);
  }

  /** The conversation rendered by the model's chat template and tokenized. */
  promptTokens(messages: readonly ChatMessage[]): number[] {
    const { special } = this.tokenizer.vocab;
    const text = (id: number | undefined): string => (id === undefined || id < 0 ? '' : this.tokenizer.tokenText(id));
    const rendered = this.template.render(messages, { addGenerationPrompt: true, bosToken: text(special.bos), eosToken: text(special.eos) });
    const tokens = this.tokenizer.encode(rendered, { addSpecial: true, parseSpecial: true });
    // Templates that print the BOS text themselves would otherwise get two (llama.cpp warns too).
    if (tokens.length > 1 && tokens[0] === special.bos && tokens[1] === special.bos) tokens.shift();
    return tokens;
  }

  /** Forgets the cached conversation (switching conversations is handled by the prefix match). */
  reset(): void {
    this.cached = [];
    this.model.truncate(0);
  }

  /**
   * Answers the conversation. With params.draftMax (greedy only), `drafter` (default: n-gram
   * prompt lookup) proposes tokens that one batched pass verifies.
   */
  async *generate(messages: readonly ChatMessage[], params: GenerationParams, signal?: AbortSignal, drafter: Drafter = new NgramDrafter()): AsyncGenerator<ChatEvent, void> {
    const started = performance.now();
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
    const sampler = new Sampler(toSamplerParams(params));
    const greedy = params.temperature <= 0 && params.repetitionPenalty === 1;
    const stream = new StreamDecoder(this.tokenizer);
    const history = [...prompt];
    let pending = prompt.slice(reused);
    let generated = 0;
    let firstTokenAt = 0;
    let prefillMs = 0;
    let text = '';
    let stop: StopReason = 'max_tokens';

    const speculate = greedy && (params.draftMax ?? 0) > 0;
    let steps = 0;
    let drafted = 0;
    let accepted = 0;

    outer: while (generated < maxTokens) {
      if (signal?.aborted) {
        stop = 'abort';
        break;
      }
      const t0 = performance.now();
      // Room for drafts: never past maxTokens, the context, or one forward pass.
      const room = Math.min(maxTokens - generated - 1, this.model.nCtx - this.cached.length - pending.length - 1, this.model.maxBatch - pending.length);
      const draft = speculate && generated > 0 && room > 0 ? drafter.draft(history, Math.min(params.draftMax ?? 0, room)).slice(0, room) : [];
      let next: number[];
      if (draft.length > 0) {
        // Verify every draft in one pass: the argmax after each position. Batch invariance makes
        // these the very tokens plain greedy decoding would produce, so the output is unchanged.
        const ids = await this.model.forwardGreedy([...pending, ...draft]);
        let i = 0;
        while (i < draft.length && draft[i] === ids[pending.length - 1 + i]) i++;
        next = [...draft.slice(0, i), ids[pending.length - 1 + i]];
        drafted += draft.length;
        accepted += i;
        // Drop the rejected drafts' keys and values.
        this.model.truncate(this.cached.length + pending.length + i);
        this.cached.push(...pending, ...draft.slice(0, i));
      } else {
        next = [greedy ? await this.model.forwardGreedyLast(pending) : this.sample(await this.model.forwardTop(pending, SAMPLING_CANDIDATES), sampler, history)];
        this.cached.push(...pending);
      }
      steps++;
      const routing = this.model.lastRouting;
      if (params.routing && routing) {
        yield { type: 'routing', position: this.cached.length - 1, token: this.cached[this.cached.length - 1], experts: routing.map((layer) => layer[layer.length - 1]) };
      }
      if (generated === 0) {
        prefillMs = performance.now() - t0;
        firstTokenAt = performance.now();
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
      tokensPerStep: steps > 1 ? (generated - 1) / (steps - 1) : generated,
      acceptanceRate: drafted > 0 ? accepted / drafted : 0,
    };
    yield { type: 'done', text: tail, fullText: text, stopReason: stop, stats };
  }

  /** Samples from the GPU's top candidates; the rest of the vocabulary is out of reach (−∞). */
  private sample(top: { ids: number[]; logits: number[] }, sampler: Sampler, history: readonly number[]): number {
    const logits = new Float32Array(this.model.cfg.nVocab).fill(-Infinity);
    top.ids.forEach((id, i) => (logits[id] = top.logits[i]));
    return sampler.sample(logits, history, 0).token;
  }

  destroy(): void {
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
