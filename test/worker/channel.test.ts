// The streamed calls' channel (workers/engine/channel.ts) on Node's MessageChannel: every event
// arrives before the result, an error keeps its engine code, the page's signal aborts the call in
// the "worker", and a call that fails to start rejects.

import { describe, expect, it } from 'vitest';
import { callOverChannel, serveChannel, type Channel } from '../../workers/engine/channel.ts';
import { EngineError } from '../../workers/engine/errors.ts';
import { GgufError } from '../../workers/engine/gguf/errors.ts';

/** A "worker" call that emits `n` events, a macrotask apart, then returns n. */
function counting(n: number, seen?: (signal: AbortSignal) => void) {
  return (port: Channel<number, number>): Promise<void> => {
    serveChannel(port, async (emit, signal) => {
      seen?.(signal);
      for (let i = 0; i < n; i++) {
        if (signal.aborted) return -i;
        emit(i);
        await new Promise((r) => setTimeout(r, 1));
      }
      return n;
    });
    return Promise.resolve();
  };
}

describe('callOverChannel / serveChannel', () => {
  it('delivers every event, in order, before the result', async () => {
    const events: number[] = [];
    const result = await callOverChannel(counting(50), { onEvent: (e) => events.push(e) });
    expect(result).toBe(50);
    expect(events).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('rejects with the engine error the call threw, code kept', async () => {
    const failing = (port: Channel<never, never>): Promise<void> => {
      serveChannel(port, async () => {
        throw new GgufError('truncated', 'file ends at byte 9');
      });
      return Promise.resolve();
    };
    await expect(callOverChannel(failing)).rejects.toEqual(new EngineError('truncated', 'file ends at byte 9'));
    await expect(callOverChannel(failing)).rejects.toBeInstanceOf(EngineError);
  });

  it("aborts the call's signal when the caller's signal aborts", async () => {
    const stop = new AbortController();
    let callSignal: AbortSignal | undefined;
    const events: number[] = [];
    const result = await callOverChannel(
      counting(10_000, (s) => (callSignal = s)),
      {
        signal: stop.signal,
        onEvent: (e) => {
          events.push(e);
          if (e === 3) stop.abort();
        },
      },
    );
    expect(callSignal?.aborted).toBe(true);
    expect(result).toBeLessThan(0);
    expect(events.length).toBeLessThan(100);
  });

  it('rejects when the call cannot start', async () => {
    await expect(callOverChannel(() => Promise.reject(new TypeError('no worker')))).rejects.toMatchObject({ code: 'internal' });
  });
});
