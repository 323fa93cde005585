// Resume: a connection dropped at a random point (or a pause) stops a session with the
// finished records kept; a new store instance (a later session) fetches only what is missing
// and ends byte-identical to the source.

import { describe, expect, it } from 'vitest';
import { parseGguf } from '../../workers/engine/gguf/reader.ts';
import { loadManifest, missingRecords } from '../../workers/engine/store/manifest.ts';
import { planRecords } from '../../workers/engine/store/plan.ts';
import type { DownloadProgress } from '../../workers/engine/store/types.ts';
import { Rng } from '../../scripts/model-gen/random.ts';
import type { HubDouble } from '../helpers/hubDouble.ts';
import { backendFor, expectSameBytes, freshDbName, hubSource, RECORD_BYTES, servedRecordRanges, small, storeFor, withHub } from './helpers.ts';

let hub: HubDouble;
const headerEnd = parseGguf(small).dataOffset;
withHub((h) => (hub = h));

/** `first-last` of every record not yet done. */
async function missingRanges(db: string, id: string): Promise<string[]> {
  const stored = (await loadManifest(backendFor(db), id))!;
  return missingRecords(stored.progress).map((i) => {
    const r = stored.manifest.records[i];
    return `${r.offset}-${r.offset + r.length - 1}`;
  });
}

describe('resume after a dropped connection', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`seed ${seed}: the next session fetches only the missing records and ends byte-identical`, async () => {
      const rng = new Rng(seed);
      const db = freshDbName();
      const totalRecords = planRecords(parseGguf(small), RECORD_BYTES).length;
      // Drop a random record response (after the probe and the header) at a random byte.
      hub.faults = { drop: { skip: 1 + rng.int(totalRecords - 2), afterBytes: rng.int(4000), count: 1 } };
      hub.resetStats();
      const first = storeFor(hub, db, { retry: { maxAttempts: 1 }, concurrency: 1 + rng.int(4) });
      await expect(first.download('tiny', hubSource)).rejects.toMatchObject({ code: 'network' });
      const after1 = (await first.info('tiny'))!;
      expect(after1.state).toBe('failed');
      expect(after1.failure?.code).toBe('network');
      expect(after1.percent).toBeGreaterThan(0);
      expect(after1.percent).toBeLessThan(100);
      const missing = await missingRanges(db, 'tiny');

      hub.faults = {};
      hub.resetStats();
      const second = storeFor(hub, db); // a new instance: a later session
      const info = await second.download('tiny', hubSource);
      expect(info.state).toBe('complete');
      expect(info.failure).toBeUndefined();
      expect(servedRecordRanges(hub, headerEnd).sort()).toEqual(missing.sort());
      await expectSameBytes(await second.openWeights('tiny'), small);
    });
  }

  it('retries a dropped record within the same session', async () => {
    hub.faults = { drop: { skip: 10, afterBytes: 1000, count: 2 } };
    hub.resetStats();
    const store = storeFor(hub, freshDbName());
    await store.download('tiny', hubSource);
    expect(hub.faults.drop?.count).toBe(0);
    await expectSameBytes(await store.openWeights('tiny'), small);
    hub.faults = {};
  });
});

describe('pause and resume', () => {
  it('a paused download keeps its records, says "paused", and resumes where it stopped', async () => {
    const db = freshDbName();
    hub.faults = { slowBody: { chunkBytes: 2048, chunkDelayMs: 2 } };
    const ctl = new AbortController();
    const events: DownloadProgress[] = [];
    const store = storeFor(hub, db);
    const run = store.download('tiny', hubSource, {
      signal: ctl.signal,
      onProgress: (p) => {
        events.push(p);
        if (p.recordsDone >= 20) ctl.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'aborted' });
    expect(events.at(-1)?.state).toBe('paused');
    const paused = (await store.info('tiny'))!;
    expect(paused.state).toBe('partial');
    expect(paused.recordsDone).toBeGreaterThanOrEqual(20);
    expect(paused.recordsDone).toBeLessThan(paused.recordsTotal);

    hub.faults = {};
    hub.resetStats();
    const missing = await missingRanges(db, 'tiny');
    await storeFor(hub, db).download('tiny', hubSource);
    expect(servedRecordRanges(hub, headerEnd).sort()).toEqual(missing.sort());
    await expectSameBytes(await store.openWeights('tiny'), small);
  });

  it('a partly stored model does not open unless asked to', async () => {
    const db = freshDbName();
    hub.faults = { drop: { skip: 40, afterBytes: 10, count: 1 } };
    await expect(storeFor(hub, db, { retry: { maxAttempts: 1 }, concurrency: 1 }).download('tiny', hubSource)).rejects.toMatchObject({ code: 'network' });
    hub.faults = {};
    const store = storeFor(hub, db);
    await expect(store.openWeights('tiny')).rejects.toMatchObject({ code: 'incomplete' });
    const ws = await store.openWeights('tiny', { allowPartial: true });
    const embd = ws.file.tensorByName.get('token_embd.weight')!;
    expect((await ws.read({ offset: embd.byteOffset, length: embd.byteLength })).length).toBe(embd.byteLength);
    const lastExpert = ws.file.tensorByName.get('blk.1.ffn_down_exps.weight')!;
    await expect(ws.read({ offset: lastExpert.byteOffset, length: lastExpert.byteLength })).rejects.toMatchObject({ code: 'incomplete' });
  });
});
