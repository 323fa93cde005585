// The engine service as the worker runs it, over the streamed calls' channel: a model load
// cancelled part way brings back the model that was loaded, and an answer stopped by the
// caller's signal keeps its first tokens; the answers are the CPU reference's.

import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openNodeGpu } from '../../scripts/node-webgpu.ts';
import { defaultGenerationParams, type ChatEvent, type ChatStats } from '../../workers/engine/chat/types.ts';
import { callOverChannel, serveChannel, type Channel } from '../../workers/engine/channel.ts';
import { createEngineService } from '../../workers/engine/service.ts';
import { idbBackend } from '../../workers/engine/store/backend.ts';
import { ModelStore } from '../../workers/engine/store/modelStore.ts';
import type { ChatMessage } from '../../workers/engine/template/chatTemplate.ts';
import { chatPromptTokens, chatTemplateOf } from '../../workers/engine/chat/chatPrompt.ts';
import { parseGguf } from '../../workers/engine/gguf/reader.ts';
import { tokenizerFromGguf } from '../../workers/engine/tokenizer/index.ts';
import { cpuGreedy, testModel } from '../helpers/testModels.ts';

const a = testModel({ arch: 'qwen2moe', seed: 3, vocab: 'qwen2', nEmbd: 64, nExpertUsed: 3 }).bytes;
const b = testModel({ arch: 'qwen3moe', seed: 4, vocab: 'qwen2', nEmbd: 64, nLayer: 4 }).bytes;
const messages: ChatMessage[] = [{ role: 'user', content: 'Name a colour.' }];
const greedy = { ...defaultGenerationParams, temperature: 0, maxTokens: 8 };

function service() {
  const store = new ModelStore({ backend: idbBackend(`pakar-service-${process.pid}`), storage: null });
  return createEngineService({ gpu: openNodeGpu, store, nCtx: 128 });
}

/** The reference answer: the CPU model's greedy tokens up to an end of generation. */
function reference(bytes: Uint8Array, n: number): number[] {
  const file = parseGguf(bytes);
  const tokenizer = tokenizerFromGguf(file);
  const run = cpuGreedy(bytes, chatPromptTokens(tokenizer, chatTemplateOf(file), messages), n).tokens;
  const end = run.findIndex((t) => tokenizer.isEog(t));
  return end < 0 ? run : run.slice(0, end);
}

describe('engine service', () => {
  it('a cancelled load brings back the loaded model; a stopped answer keeps its tokens', async () => {
    const engine = service();
    await engine.loadFile(new File([a.slice()], 'a.gguf'), {}, {});
    const stop = new AbortController();
    let progress = 0;
    await expect(
      engine.loadFile(
        new File([b.slice()], 'b.gguf'),
        {},
        {
          signal: stop.signal,
          onEvent: () => {
            if (++progress === 2) stop.abort();
          },
        },
      ),
    ).rejects.toMatchObject({ code: 'aborted' });
    expect((await engine.loadedModel())?.id).toBe('a.gguf');

    // Over the worker's channel, as the page calls it: all events before the stats.
    const events: ChatEvent[] = [];
    const generate = (port: Channel<ChatEvent, ChatStats>, signal?: AbortSignal) => {
      serveChannel(port, (onEvent, callSignal) => engine.generate(messages, greedy, { onEvent, signal: signal ?? callSignal }));
      return Promise.resolve();
    };
    const stats = await callOverChannel(generate, { onEvent: (e) => events.push(e) });
    const tokens = events.flatMap((e) => (e.type === 'token' ? [e.token] : []));
    expect(tokens).toEqual(reference(a, greedy.maxTokens));
    expect(events.at(-1)).toMatchObject({ type: 'done', stats });
    expect(stats.stopReason).not.toBe('abort');

    const stopAnswer = new AbortController();
    const kept: number[] = [];
    const stopped = await callOverChannel(generate, {
      signal: stopAnswer.signal,
      onEvent: (e) => {
        if (e.type !== 'token') return;
        kept.push(e.token);
        if (kept.length === 2) stopAnswer.abort();
      },
    });
    expect(stopped.stopReason).toBe('abort');
    expect(kept.length).toBeGreaterThanOrEqual(2);
    expect(kept.length).toBeLessThan(tokens.length + 1);
    expect(kept).toEqual(tokens.slice(0, kept.length));
    await engine.unloadModel();
  });
});
