// The one decode loop (decode/decodeLoop.ts, the app's and the CLI's) on the CPU reference model:
// greedy equals a hand-rolled argmax loop, and every stop condition, the top candidates, the
// streamed text and the rollback of a failed prefill behave as documented.

import { beforeAll, describe, expect, it } from 'vitest';
import { generateModel } from '../../scripts/model-gen/generate.ts';
import { CpuModel } from '../../reference/cpu/model.ts';
import { DecodeError } from '../../workers/engine/decode/errors.ts';
import { cpuStepModel, type CpuLogitsModel } from '../../reference/cpu/stepModel.ts';
import { decodeLoop, type DecodeRequest, type DecodeStats } from '../../workers/engine/decode/decodeLoop.ts';
import { argmax, greedyParams } from '../../workers/engine/decode/sampler.ts';
import { StreamDecoder, tokenizerFromGguf, type Tokenizer } from '../../workers/engine/tokenizer/index.ts';

const prompt = [104, 101, 108, 108, 111, 32, 119]; // "hello w"
let bytes: Uint8Array;
let tokenizer: Tokenizer;
/** The first 16 greedy tokens after `prompt`, from a hand-rolled loop over CpuModel.forward. */
let reference: number[];

beforeAll(() => {
  bytes = generateModel({ arch: 'qwen3moe', seed: 11 });
  const model = CpuModel.fromBytes(bytes);
  tokenizer = tokenizerFromGguf(model.file);
  reference = [];
  let logits = model.forward(prompt).at(-1);
  while (logits && reference.length < 16) {
    reference.push(argmax(logits));
    logits = model.forward([reference[reference.length - 1]])[0];
  }
});

interface Run {
  tokens: number[];
  texts: string[];
  stats: DecodeStats;
}

type Options = Partial<Omit<DecodeRequest, 'prompt' | 'cache'>> & { contextLimit?: number };

async function run(model: CpuLogitsModel, { contextLimit = 4096, ...options }: Options, p = prompt, onToken?: (n: number) => void): Promise<Run> {
  const tokens: number[] = [];
  const texts: string[] = [];
  const loop = decodeLoop(cpuStepModel(model, contextLimit), { prompt: p, cache: [], sampler: greedyParams, maxTokens: 16, isEog: () => false, ...options });
  for await (const ev of loop) {
    if (ev.type === 'token' || ev.type === 'done') texts.push(ev.text);
    if (ev.type === 'done') return { tokens, texts, stats: ev.stats };
    if (ev.type !== 'token') continue;
    tokens.push(ev.token);
    onToken?.(tokens.length);
  }
  throw new Error('no done event');
}

const fresh = (): CpuModel => CpuModel.fromBytes(bytes);

describe('the decode loop on the CPU reference model', () => {
  it('greedy equals a hand-rolled argmax loop over CpuModel.forward', async () => {
    const model = fresh();
    const r = await run(model, { maxTokens: 16 });
    expect(r.tokens).toEqual(reference);
    expect(r.stats.stopReason).toBe('max_tokens');
    expect(r.stats.promptTokens).toBe(prompt.length);
    expect(r.stats.generatedTokens).toBe(16);
    // The last token is emitted but never forwarded.
    expect(model.nPast).toBe(prompt.length + 15);
    for (const k of ['prefillMs', 'decodeMs', 'prefillTokensPerSecond', 'decodeTokensPerSecond', 'timeToFirstTokenMs'] as const) {
      expect(r.stats[k]).toBeGreaterThan(0);
    }
  });

  it('reports the top candidates with the chosen token first under greedy', async () => {
    const events = decodeLoop(cpuStepModel(fresh(), 4096), { prompt, cache: [], sampler: greedyParams, maxTokens: 3, nTop: 4, isEog: () => false });
    let seen = 0;
    for await (const ev of events) {
      if (ev.type !== 'token') continue;
      seen++;
      expect(ev.top).toHaveLength(4);
      expect(ev.top?.[0][0]).toBe(ev.token);
      expect(ev.top?.[0][1]).toBeGreaterThanOrEqual(ev.top?.[1][1] ?? 1);
    }
    expect(seen).toBe(3);
  });

  it('stops after max tokens; 0 only prefills', async () => {
    expect((await run(fresh(), { maxTokens: 5 })).tokens).toEqual(reference.slice(0, 5));
    const model = fresh();
    const r = await run(model, { maxTokens: 0 });
    expect(r.tokens).toEqual([]);
    expect(r.stats.stopReason).toBe('max_tokens');
    expect(model.nPast).toBe(prompt.length);
  });

  it('stops at an end-of-generation token without emitting it', async () => {
    const eog = reference[5];
    const first = reference.indexOf(eog);
    const r = await run(fresh(), { isEog: (id) => id === eog });
    expect(r.tokens).toEqual(reference.slice(0, first));
    expect(r.stats.stopReason).toBe('eog');
  });

  it('stops when the context is full', async () => {
    const model = fresh();
    const r = await run(model, { contextLimit: prompt.length + 3 });
    // Three tokens are forwarded into the 3 free positions; the fourth is emitted unforwarded.
    expect(r.tokens).toEqual(reference.slice(0, 4));
    expect(r.stats.stopReason).toBe('context');
    expect(model.nPast).toBe(prompt.length + 3);
    await expect(run(fresh(), { contextLimit: prompt.length - 1 })).rejects.toMatchObject({ code: 'context_full' });
    await expect(run(fresh(), {}, [])).rejects.toBeInstanceOf(DecodeError);
  });

  it('aborts: already aborted, from the consumer, and from a timer', async () => {
    const pre = fresh();
    const before = await run(pre, { signal: AbortSignal.abort() });
    expect(before.tokens).toEqual([]);
    expect(before.stats.stopReason).toBe('abort');
    expect(pre.nPast).toBe(0);

    const ac = new AbortController();
    const mid = await run(fresh(), { signal: ac.signal }, prompt, (n) => n === 3 && ac.abort());
    expect(mid.tokens).toEqual(reference.slice(0, 3));
    expect(mid.stats.stopReason).toBe('abort');

    // The loop yields to the event loop between steps, so a timer can stop a long generation.
    const timed = await run(fresh(), { maxTokens: 100_000, signal: AbortSignal.timeout(30) });
    expect(timed.stats.stopReason).toBe('abort');
    expect(timed.stats.generatedTokens).toBeLessThan(400);
  });

  it('streams text that concatenates to the decode of all tokens', async () => {
    // Sampling at a high temperature visits byte tokens that split UTF-8 characters.
    const sampler = { temperature: 1.5, topK: 0, topP: 1, minP: 0, repetitionPenalty: 1, seed: 3 };
    const r = await run(fresh(), { sampler, maxTokens: 60, detokenizer: new StreamDecoder(tokenizer) });
    expect(r.tokens).toHaveLength(60);
    expect(r.texts.join('')).toBe(tokenizer.decode(r.tokens));
    expect(r.texts.join('')).not.toBe('');
  });

  it('rolls the KV cache back when the prefill fails', async () => {
    let nPast = 0;
    const failing: CpuLogitsModel = {
      cfg: { nVocab: 256 },
      get nPast() {
        return nPast;
      },
      forward(tokens) {
        nPast += tokens.length; // as if it had written part of the cache
        throw new Error('device lost');
      },
      truncate(n) {
        nPast = n;
      },
    };
    await expect(run(failing, {})).rejects.toThrow('device lost');
    expect(nPast).toBe(0);
  });
});
