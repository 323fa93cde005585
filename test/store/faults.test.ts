// Server faults during a download: 5xx then success, an expired signed link (403) that is
// re-resolved, bodies of the wrong length refetched, a file that changed on the server.

import { beforeEach, describe, expect, it } from 'vitest';
import { parseGguf } from '../../workers/engine/gguf/reader.ts';
import { idbBackend } from '../../workers/engine/store/backend.ts';
import { ModelStore } from '../../workers/engine/store/modelStore.ts';
import { backoffDelay, defaultRetryPolicy } from '../../workers/engine/store/retry.ts';
import type { HubDouble } from '../helpers/hubDouble.ts';
import { expectSameBytes, FILE, freshDbName, hubSource, instantClock, RECORD_BYTES, REPO, servedRecordRanges, small, storeFor, withHub } from './helpers.ts';

let hub: HubDouble;
const headerEnd = parseGguf(small).dataOffset;
withHub((h) => (hub = h));
beforeEach(() => {
  hub.setFile(REPO, FILE, small);
  hub.faults = {};
  hub.resetStats();
});

describe('5xx', () => {
  for (const code of [500, 503]) {
    it(`${code} for the next requests, then success, with growing jittered backoff`, async () => {
      const clock = instantClock();
      const store = storeFor(hub, freshDbName(), { clock, concurrency: 1 });
      // 3 failures in a row for the first request (the probe), then more mid-download.
      hub.faults = { status: { code, count: 3 } };
      const done = store.download('tiny', hubSource);
      await done;
      expect(hub.stats.statuses.filter((s) => s === code).length).toBe(3);
      expect(clock.delays).toEqual([1, 2, 3].map((n) => backoffDelay(n, defaultRetryPolicy, () => 0.5)));
      expect(clock.delays[1]).toBeGreaterThan(clock.delays[0]);
      await expectSameBytes(await store.openWeights('tiny'), small);
    });
  }

  it('errors mid-download are retried per record, and Retry-After is honoured', async () => {
    const clock = instantClock();
    const store = storeFor(hub, freshDbName(), { clock, concurrency: 1 });
    let events = 0;
    await store.download('tiny', hubSource, {
      onProgress: (p) => {
        if (p.recordsDone >= 10 && events++ === 0) hub.faults = { status: { code: 503, count: 2, retryAfterSeconds: 7 } };
      },
    });
    expect(clock.delays).toEqual([7000, 7000]);
    await expectSameBytes(await store.openWeights('tiny'), small);
  });

  it('gives up after the last attempt with an http error the user can act on', async () => {
    const store = storeFor(hub, freshDbName(), { retry: { maxAttempts: 3 } });
    hub.faults = { status: { code: 500, count: 100 } };
    const err = await store.download('tiny', hubSource).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'http', status: 500 });
    expect(String((err as Error).message)).toMatch(/HTTP 500 \(a problem on the server\); Pakar tried 3 times and stopped$/);
    expect(hub.stats.statuses.filter((s) => s === 500).length).toBe(3);
  });

  it('does not retry what cannot succeed (404)', async () => {
    const clock = instantClock();
    const store = storeFor(hub, freshDbName(), { clock });
    await expect(store.download('x', { ...hubSource, file: 'gone.gguf' })).rejects.toMatchObject({ code: 'remote_missing', status: 404 });
    expect(clock.delays).toEqual([]);
  });
});

describe('expired signed link', () => {
  it('re-resolves on 403 and continues with the new link', async () => {
    const store = storeFor(hub, freshDbName());
    hub.faults = { expireTokensAfter: 15 };
    await store.download('tiny', hubSource);
    expect(hub.stats.statuses.filter((s) => s === 403).length).toBeGreaterThanOrEqual(1);
    expect(hub.stats.resolveRequests).toBe(2); // concurrent 403s share one re-resolve
    await expectSameBytes(await store.openWeights('tiny'), small);
  });

  it('a 403 on the resolve URL itself (gated repo) is not retried', async () => {
    const clock = instantClock();
    const store = storeFor(hub, freshDbName(), { clock });
    hub.faults = { status: { code: 403, count: 1 } };
    await expect(store.download('tiny', hubSource)).rejects.toMatchObject({ code: 'access_denied', status: 403, message: expect.stringMatching(/gated or private/) });
    expect(clock.delays).toEqual([]);
  });
});

describe('wrong length', () => {
  for (const delta of [-7, 5]) {
    it(`a body ${delta < 0 ? 'shorter' : 'longer'} than asked is rejected and fetched again`, async () => {
      const store = storeFor(hub, freshDbName(), { concurrency: 1 });
      // Past the probe (bytes 0-0) and the header: the fault hits a record.
      hub.faults = { wrongLength: { delta, count: 1, skip: 12 } };
      const info = await store.download('tiny', hubSource);
      const served = servedRecordRanges(hub, headerEnd);
      expect(served.length).toBe(info.recordsTotal + 1);
      expect(new Set(served).size).toBe(info.recordsTotal);
      await expectSameBytes(await store.openWeights('tiny'), small);
    });
  }
});

describe('overstated Content-Length', () => {
  it('every byte asked for arrived: the range is kept, not fetched again as a dropped connection', async () => {
    const store = storeFor(hub, freshDbName(), { concurrency: 1 });
    hub.faults = { overstatedLength: { extra: 100, count: 1, skip: 12 } };
    const info = await store.download('tiny', hubSource);
    expect(servedRecordRanges(hub, headerEnd).length).toBe(info.recordsTotal);
    await expectSameBytes(await store.openWeights('tiny'), small);
  });
});

describe('remote file changed', () => {
  // Same size and header, different weights: a re-upload only the ETag tells apart.
  const changedBytes = small.slice();
  for (let i = headerEnd; i < changedBytes.length; i += 97) changedBytes[i] ^= 0x5a;

  it('is detected mid-download (new ETag), keeps the old records apart, and "start over" gets the new file', async () => {
    const db = freshDbName();
    const store = storeFor(hub, db, { concurrency: 2 });
    let swapped = false;
    const err = await store
      .download('tiny', hubSource, {
        onProgress: (p) => {
          if (!swapped && p.recordsDone >= 30) {
            swapped = true;
            hub.setFile(REPO, FILE, changedBytes);
          }
        },
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'remote_changed' });
    const info = (await store.info('tiny'))!;
    expect(info.state).toBe('failed');
    expect(info.failure?.code).toBe('remote_changed');

    // Every stored record still holds the old file's bytes.
    const old = await store.openWeights('tiny', { allowPartial: true });
    let checked = 0;
    for (const t of old.file.tensors) {
      const got = await old.read({ offset: t.byteOffset, length: t.byteLength }).catch(() => undefined);
      if (!got) continue;
      checked++;
      expect(Buffer.compare(got, small.subarray(t.byteOffset, t.byteOffset + t.byteLength))).toBe(0);
    }
    expect(checked).toBeGreaterThan(0);

    // A later session notices too, before fetching anything.
    hub.resetStats();
    await expect(storeFor(hub, db).download('tiny', hubSource)).rejects.toMatchObject({ code: 'remote_changed' });
    expect(servedRecordRanges(hub, headerEnd)).toEqual([]);

    const fresh = await storeFor(hub, db).download('tiny', hubSource, { restart: true });
    expect(fresh.state).toBe('complete');
    await expectSameBytes(await store.openWeights('tiny'), changedBytes);
  });

  it('is detected by size when the server sends no ETag', async () => {
    const db = freshDbName();
    hub.faults = { drop: { skip: 20, afterBytes: 100, count: 1 } };
    await expect(storeFor(hub, db, { retry: { maxAttempts: 1 }, concurrency: 1 }).download('tiny', hubSource)).rejects.toMatchObject({ code: 'network' });
    hub.faults = {};
    hub.setFile(REPO, FILE, small.subarray(0, small.length - 64));
    const store = new ModelStore({ hubBaseUrl: hub.baseUrl, backend: idbBackend(db), storage: null, clock: instantClock(), maxRecordBytes: RECORD_BYTES });
    await expect(store.download('tiny', hubSource)).rejects.toMatchObject({ code: 'remote_changed', message: expect.stringMatching(/size/) });
  });
});
