// A model that runs before its download ends (ModelStore.openProgressive): once every dense
// record is stored, the experts not stored yet are read from the Hub by range requests, byte for
// byte the file's; not before, and not once the file at the source changed.

import { expect, it } from 'vitest';
import { parseGguf } from '../../workers/engine/gguf/reader.ts';
import { expertSlice } from '../../workers/engine/gguf/slices.ts';
import { isExpertRecord } from '../../workers/engine/store/keys.ts';
import { planRecords } from '../../workers/engine/store/plan.ts';
import type { HubDouble } from '../helpers/hubDouble.ts';
import { expectSameBytes, FILE, freshDbName, hubSource, RECORD_BYTES, REPO, small, storeFor, withHub } from './helpers.ts';

let hub: HubDouble;
withHub((h) => (hub = h));

const records = planRecords(parseGguf(small), RECORD_BYTES);
const dense = records.filter((r) => !isExpertRecord(r.key)).length;

/** Downloads until `records` records are stored, then pauses. */
async function downloadPart(dbName: string, stop: number) {
  const store = storeFor(hub, dbName);
  const ctl = new AbortController();
  await expect(store.download('tiny', hubSource, { signal: ctl.signal, onProgress: (p) => p.recordsDone >= stop && ctl.abort() })).rejects.toMatchObject({ code: 'aborted' });
  return store;
}

it('runs once the dense records are stored: missing experts come from the Hub, the same bytes', async () => {
  expect(dense).toBeGreaterThan(2);
  expect(records.length - dense).toBeGreaterThan(20);
  const store = await downloadPart(freshDbName(), dense + 4);
  const info = await store.info('tiny');
  expect(info).toMatchObject({ state: 'partial', denseStored: true });
  await expect(store.openWeights('tiny')).rejects.toMatchObject({ code: 'incomplete' });

  const ws = await store.openProgressive('tiny');
  hub.resetStats();
  // The last expert of the last layer is not stored yet: one range request, its exact bytes.
  const gate = ws.file.tensors.find((t) => t.name === 'blk.1.ffn_gate_exps.weight');
  if (!gate) throw new Error('no expert tensor');
  const slice = expertSlice(gate, 7);
  const got = await ws.read(slice);
  expect(Buffer.compare(got, small.subarray(slice.offset, slice.offset + slice.length))).toBe(0);
  expect(hub.stats.cdnRequests).toBeGreaterThanOrEqual(1);
  expect(hub.stats.ranges.at(-1)).toMatchObject({ first: slice.offset, last: slice.offset + slice.length - 1, status: 206 });
  // A dense tensor is read from the store.
  hub.resetStats();
  const dense0 = ws.file.tensors.find((t) => t.name === 'token_embd.weight');
  if (!dense0) throw new Error('no embedding');
  await ws.read({ offset: dense0.byteOffset, length: dense0.byteLength });
  expect(hub.stats.cdnRequests).toBe(0);
  await expectSameBytes(ws, small);
});

it('refuses while dense records are missing, and once the file at the source changed', async () => {
  const early = await downloadPart(freshDbName(), 1);
  expect(await early.info('tiny')).toMatchObject({ state: 'partial', denseStored: false });
  await expect(early.openProgressive('tiny')).rejects.toMatchObject({ code: 'incomplete' });

  const store = await downloadPart(freshDbName(), dense + 1);
  const ws = await store.openProgressive('tiny');
  const changed = small.slice();
  changed[changed.length - 1] ^= 0xff;
  hub.setFile(REPO, FILE, changed);
  try {
    const gate = ws.file.tensors.find((t) => t.name === 'blk.1.ffn_down_exps.weight');
    if (!gate) throw new Error('no expert tensor');
    await expect(ws.read(expertSlice(gate, 6))).rejects.toMatchObject({ code: 'remote_changed' });
  } finally {
    hub.setFile(REPO, FILE, small);
  }
});
