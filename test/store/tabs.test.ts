// Two tabs (two store instances on one IndexedDB): they never fetch the same record twice,
// and a model deleted in one tab stops its download in the other and cannot be loaded there.

import { describe, expect, it } from 'vitest';
import { parseGguf } from '../../workers/engine/gguf/reader.ts';
import { localLocks, webLocks } from '../../workers/engine/store/tabs.ts';
import type { DownloadProgress } from '../../workers/engine/store/types.ts';
import type { HubDouble } from '../helpers/hubDouble.ts';
import { expectSameBytes, freshDbName, hubSource, servedRecordRanges, small, storeFor, withHub } from './helpers.ts';

let hub: HubDouble;
const headerEnd = parseGguf(small).dataOffset;
withHub((h) => (hub = h));

/** A fetch that remembers the record ranges this "tab" asked for. */
function loggingFetch(log: string[]): typeof fetch {
  return (input, init) => {
    const range = new Headers(init?.headers).get('range');
    const m = range?.match(/^bytes=(\d+)-(\d+)$/);
    if (m && Number(m[1]) >= headerEnd) log.push(`${m[1]}-${m[2]}`);
    return fetch(input, init);
  };
}

describe('two tabs', () => {
  it('downloading the same model at once: one fetches, the other waits and fetches nothing', async () => {
    const db = freshDbName();
    hub.resetStats();
    const a: string[] = [];
    const b: string[] = [];
    const eventsB: DownloadProgress[] = [];
    const [infoA, infoB] = await Promise.all([
      storeFor(hub, db, { fetch: loggingFetch(a) }).download('tiny', hubSource),
      storeFor(hub, db, { fetch: loggingFetch(b) }).download('tiny', hubSource, { onProgress: (p) => eventsB.push(p) }),
    ]);
    expect(infoA.state).toBe('complete');
    expect(infoB.state).toBe('complete');
    expect(eventsB.some((e) => e.state === 'waiting')).toBe(true);
    const served = servedRecordRanges(hub, headerEnd);
    expect(served.length).toBe(infoA.recordsTotal);
    expect(new Set(served).size).toBe(served.length);
    expect(b).toEqual([]);
  });

  it('when the first tab pauses, the second takes over only what is missing', async () => {
    const db = freshDbName();
    const a: string[] = [];
    const b: string[] = [];
    const ctl = new AbortController();
    const tabA = storeFor(hub, db, { fetch: loggingFetch(a), concurrency: 1 });
    const tabB = storeFor(hub, db, { fetch: loggingFetch(b) });
    const runA = tabA.download('tiny', hubSource, { signal: ctl.signal, onProgress: (p) => p.recordsDone >= 25 && ctl.abort() });
    const runB = tabB.download('tiny', hubSource);
    await expect(runA).rejects.toMatchObject({ code: 'aborted' });
    expect((await runB).state).toBe('complete');
    // With one request at a time and the pause between records, A left nothing half-fetched.
    expect(a.length).toBeGreaterThanOrEqual(25);
    expect(a.filter((r) => b.includes(r))).toEqual([]);
    expect(a.length + b.length).toBe((await tabB.info('tiny'))!.recordsTotal);
    await expectSameBytes(await tabB.openWeights('tiny'), small);
  });

  it('a delete in one tab stops the download in the other, and the model cannot be loaded there', async () => {
    const db = freshDbName();
    const tabA = storeFor(hub, db);
    const tabB = storeFor(hub, db, { concurrency: 1 });
    await tabA.download('done', { ...hubSource });
    const loaded = await tabB.openWeights('done');

    let deleting: Promise<void> | undefined;
    const run = tabB.download('tiny', hubSource, { onProgress: (p) => p.recordsDone >= 10 && (deleting ??= tabA.delete('tiny')) });
    await expect(run).rejects.toMatchObject({ code: 'deleted' });
    await deleting;
    expect((await tabA.list()).map((m) => m.id)).toEqual(['done']);
    await expect(tabB.openWeights('tiny')).rejects.toMatchObject({ code: 'not_found' });

    await tabA.delete('done');
    await expect(tabB.openWeights('done')).rejects.toMatchObject({ code: 'not_found' });
    const embd = loaded.file.tensorByName.get('token_embd.weight')!;
    await expect(loaded.read({ offset: embd.byteOffset, length: embd.byteLength })).rejects.toMatchObject({ code: 'not_found' });
    expect(await tabA.list()).toEqual([]);
  });
});

describe('locks', () => {
  /** Web Locks semantics for exclusive locks: FIFO, ifAvailable, signal. */
  function fakeLockManager(): { request<T>(name: string, o: LockOptions, cb: (lock: Lock | null) => T | Promise<T>): Promise<T> } {
    const held = new Map<string, Promise<void>>();
    return {
      async request<T>(name: string, o: LockOptions, cb: (lock: Lock | null) => T | Promise<T>): Promise<T> {
        if (o.ifAvailable && held.has(name)) return cb(null);
        while (held.has(name)) {
          if (o.signal?.aborted) throw new DOMException('aborted', 'AbortError');
          await Promise.race([held.get(name), new Promise((r) => o.signal?.addEventListener('abort', r, { once: true }))]);
        }
        if (o.signal?.aborted) throw new DOMException('aborted', 'AbortError');
        let release!: () => void;
        held.set(name, new Promise<void>((r) => (release = r)));
        try {
          return await cb({ name, mode: 'exclusive' });
        } finally {
          held.delete(name);
          release();
        }
      },
    };
  }

  for (const [kind, make] of [
    ['Web Locks', () => webLocks(fakeLockManager())],
    ['in-process', () => localLocks()],
  ] as const) {
    it(`${kind}: runs holders one at a time, tells the waiter, and lets a waiter give up`, async () => {
      const locks = make();
      const order: string[] = [];
      let waited = 0;
      const hold = (tag: string, ms: number, signal?: AbortSignal): Promise<void> =>
        locks.run(
          'm',
          signal,
          () => waited++,
          async () => {
            order.push(`${tag}+`);
            await new Promise((r) => setTimeout(r, ms));
            order.push(`${tag}-`);
          },
        );
      const ctl = new AbortController();
      const first = hold('a', 30);
      const quitter = hold('q', 5, ctl.signal);
      const second = hold('b', 5);
      ctl.abort();
      await expect(quitter).rejects.toMatchObject({ code: 'aborted' });
      await Promise.all([first, second]);
      expect(order).toEqual(['a+', 'a-', 'b+', 'b-']);
      expect(waited).toBe(2);
    });
  }
});
