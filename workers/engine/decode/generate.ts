// The generation loop: prefill the prompt in one forward pass, then sample and decode one token
// per step until an end-of-generation token, max tokens, a full context or an abort.

import { DecodeError } from './errors.ts';
import { Sampler, type SamplerParams, type TokenProb } from './sampler.ts';

/** What the loop needs from a backend (the CPU reference model, later the WebGPU engine). */
export interface LogitsModel {
  /** Runs `tokens` at positions nPast.. (appending them to the KV cache); logits per token. */
  forward(tokens: readonly number[]): Float32Array[];
  /** Keeps the first n positions of the KV cache. */
  truncate(n: number): void;
  /** Positions in the KV cache. */
  readonly nPast: number;
}

/** Incremental detokenizer (the tokenizer's StreamDecoder): never returns half a character. */
export interface TextStream {
  push(id: number): string;
  /** Ends the stream; returns bytes still held back (as U+FFFD) or ''. */
  flush(): string;
}

export interface GenerateOptions {
  readonly sampler: SamplerParams;
  /** Stop after this many generated tokens. */
  readonly maxTokens: number;
  /** End-of-generation tokens (EOS, EOT, `<|im_end|>`, …). They stop the loop and are not emitted. */
  readonly isEog?: (id: number) => boolean;
  /** Positions the KV cache may hold in total; default unlimited. */
  readonly contextLimit?: number;
  readonly signal?: AbortSignal;
  /** Turns tokens into text deltas; without it every `text` is ''. */
  readonly detokenizer?: TextStream;
  /** How many top candidates each token event reports. Default 5. */
  readonly nTop?: number;
}

export type StopReason = 'eog' | 'max_tokens' | 'context' | 'abort';

export interface GenerationStats {
  promptTokens: number;
  generatedTokens: number;
  prefillMs: number;
  /** From the first sampled token to the end. */
  decodeMs: number;
  prefillTokensPerSecond: number;
  /** Decode forward passes per second (the first token comes from the prefill). */
  decodeTokensPerSecond: number;
  /** From the start of the call to the first sampled token, prefill included. */
  timeToFirstTokenMs: number;
  stopReason: StopReason;
}

export type GenerateEvent =
  /** One generated token; `text` is the text it completes (possibly ''). */
  | { type: 'token'; token: number; text: string; top: TokenProb[] }
  /** The end; `text` is whatever the detokenizer still held (usually ''). */
  | { type: 'done'; text: string; stats: GenerationStats };

/**
 * Generates after `prompt`, which is appended to whatever the model's KV cache already holds.
 * Afterwards the cache holds the prompt and every emitted token but the last (never forwarded).
 */
export async function* generate(model: LogitsModel, prompt: readonly number[], options: GenerateOptions): AsyncGenerator<GenerateEvent, void> {
  const { maxTokens, isEog = () => false, contextLimit = Infinity, signal, detokenizer, nTop = 5 } = options;
  if (prompt.length === 0) throw new DecodeError('empty_prompt', 'the prompt has no tokens; generation needs at least one');
  if (model.nPast + prompt.length > contextLimit) {
    throw new DecodeError('context_full', `the prompt (${prompt.length} tokens after ${model.nPast} cached) does not fit in the context of ${contextLimit}; shorten it or raise the context size`);
  }
  const sampler = new Sampler(options.sampler);
  const history = [...prompt];
  const start = performance.now();
  let prefillMs = 0;
  let firstTokenAt: number | undefined;
  let decodeSteps = 0;
  let generated = 0;
  let stop: StopReason = 'max_tokens';

  if (signal?.aborted) stop = 'abort';
  else {
    const prefill = forwardOrRollback(model, prompt);
    prefillMs = performance.now() - start;
    let logits = prefill[prefill.length - 1];
    while (generated < maxTokens) {
      if (generated > 0) {
        // Check before the forward pass: the consumer may have aborted on the last token.
        if (signal?.aborted) {
          stop = 'abort';
          break;
        }
        if (model.nPast >= contextLimit) {
          stop = 'context';
          break;
        }
        logits = model.forward([history[history.length - 1]])[0];
        decodeSteps++;
        // The CPU model computes synchronously: let timers and messages (an abort) run in between.
        await nextTask();
        if (signal?.aborted) {
          stop = 'abort';
          break;
        }
      }
      const { token, top } = sampler.sample(logits, history, nTop);
      firstTokenAt ??= performance.now();
      if (isEog(token)) {
        stop = 'eog';
        break;
      }
      generated++;
      history.push(token);
      yield { type: 'token', token, text: detokenizer?.push(token) ?? '', top };
    }
  }

  const decodeMs = firstTokenAt === undefined ? 0 : performance.now() - firstTokenAt;
  const stats: GenerationStats = {
    promptTokens: prompt.length,
    generatedTokens: generated,
    prefillMs,
    decodeMs,
    prefillTokensPerSecond: perSecond(prompt.length, prefillMs),
    decodeTokensPerSecond: perSecond(decodeSteps, decodeMs),
    timeToFirstTokenMs: firstTokenAt === undefined ? 0 : firstTokenAt - start,
    stopReason: stop,
  };
  yield { type: 'done', text: detokenizer?.flush() ?? '', stats };
}

/** A failed prefill leaves the cache as it was, so the caller can retry or continue. */
function forwardOrRollback(model: LogitsModel, tokens: readonly number[]): Float32Array[] {
  const nPast = model.nPast;
  try {
    return model.forward(tokens);
  } catch (e) {
    model.truncate(nPast);
    throw e;
  }
}

const perSecond = (n: number, ms: number): number => (ms > 0 ? (n * 1000) / ms : 0);

/** Resolves in a later task (not a microtask), so pending events get their turn. */
function nextTask(): Promise<void> {
  // Node's setImmediate (not in a worker's globals, so looked up rather than named).
  const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;
  if (immediate) return new Promise((resolve) => immediate(resolve));
  // Browsers clamp nested setTimeout(0) to 4 ms; a message round trip is not clamped.
  const { port1, port2 } = new MessageChannel();
  return new Promise((resolve) => {
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
  });
}
