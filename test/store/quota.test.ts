// Running out of storage: a QuotaExceededError mid-way stops the download cleanly with a
// `quota` error, keeps the finished records and the manifest, and a resumed download after
// freeing space completes. A download that cannot fit is refused before anything is stored.

import { describe, expect, it } from 'vitest';
import { idbBackend } from '../../workers/engine/store/backend.ts';
import type { StoreBackend } from '../../workers/engine/store/backend.ts';
import type { DownloadProgress } from '../../workers/engine/store/types.ts';
import type { HubDouble } from '../helpers/hubDouble.ts';
import { expectSameBytes, freshDbName, hubSource, small, storeFor, withHub } from './helpers.ts';

let hub: HubDouble;
withHub((h) => (hub = h));

/** IndexedDB that refuses writes once `limit` bytes of binary values have been written. */
function limitedBackend(dbName: string, limit: { bytes: number }): StoreBackend & { written: number } {
  const inner = idbBackend(dbName);
  const b = {
    written: 0,
    getMany: inner.getMany,
    keys: inner.keys,
    deletePrefix: inner.deletePrefix,
    async setMany(entries: readonly (readonly [string, unknown])[]): Promise<void> {
      const n = entries.reduce((sum, [, v]) => sum + (v instanceof Uint8Array ? v.length : 0), 0);
      if (b.written + n > limit.bytes) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      await inner.setMany(entries);
      b.written += n;
    },
  };
  return b;
}

describe('quota', () => {
  it('exceeded mid-way: stops cleanly, keeps records and manifest, and resumes after space is freed', async () => {
    const db = freshDbName();
    const limit = { bytes: Math.floor(small.length * 0.4) };
    const backend = limitedBackend(db, limit);
    const events: DownloadProgress[] = [];
    const store = storeFor(hub, db, { backend });
    const err = await store.download('tiny', hubSource, { onProgress: (p) => events.push(p) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'quota', message: expect.stringMatching(/Delete a model or free disk space/) });
    expect(events.at(-1)).toMatchObject({ state: 'failed', error: { code: 'quota' } });

    const info = (await store.info('tiny'))!;
    expect(info.state).toBe('failed');
    expect(info.failure?.code).toBe('quota');
    expect(info.recordsDone).toBeGreaterThan(0);
    expect(info.percent).toBeGreaterThan(10);
    expect(info.percent).toBeLessThan(60);
    // What it stored is intact and readable.
    const partial = await store.openWeights('tiny', { allowPartial: true });
    const embd = partial.file.tensorByName.get('token_embd.weight')!;
    const got = await partial.read({ offset: embd.byteOffset, length: embd.byteLength });
    expect(Buffer.compare(got, small.subarray(embd.byteOffset, embd.byteOffset + embd.byteLength))).toBe(0);

    limit.bytes = Infinity; // the user deleted something
    const done = await storeFor(hub, db, { backend }).download('tiny', hubSource);
    expect(done.state).toBe('complete');
    await expectSameBytes(await store.openWeights('tiny'), small);
  });

  it('refuses before storing anything when navigator.storage says it will not fit', async () => {
    const db = freshDbName();
    const storage = { estimate: async () => ({ usage: 1_000, quota: 1_000 + small.length / 2 }) };
    const store = storeFor(hub, db, { storage });
    hub.resetStats();
    await expect(store.download('tiny', hubSource)).rejects.toMatchObject({ code: 'quota', message: expect.stringMatching(/needs .* more storage/) });
    expect(await store.list()).toEqual([]);
    expect(hub.stats.ranges.every((r) => r.first < 4 * 1024 * 1024)).toBe(true);
  });

  it('reports usage, quota and persistence, and asks for persistence', async () => {
    let persisted = false;
    const storage = {
      estimate: async () => ({ usage: 5, quota: 100 }),
      persist: async () => (persisted = true),
      persisted: async () => persisted,
    };
    const store = storeFor(hub, freshDbName(), { storage });
    expect(await store.estimate()).toEqual({ usage: 5, quota: 100, persisted: false });
    expect(await store.persist()).toBe(true);
    expect(await store.estimate()).toEqual({ usage: 5, quota: 100, persisted: true });
    expect(await storeFor(hub, freshDbName()).estimate()).toBeUndefined();
    expect(await storeFor(hub, freshDbName()).persist()).toBe(false);
  });
});
