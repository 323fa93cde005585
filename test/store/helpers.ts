// Shared pieces of the store tests: a fresh fake IndexedDB per test, a clock that never sleeps,
// a small MoE model with many records, and byte-for-byte comparison through the WeightSource.

import 'fake-indexeddb/auto';
import { afterAll, beforeAll, expect } from 'vitest';
import { tensorRange } from '../../workers/engine/gguf/slices.ts';
import { idbBackend } from '../../workers/engine/store/backend.ts';
import type { StoreBackend } from '../../workers/engine/store/backend.ts';
import { ModelStore } from '../../workers/engine/store/modelStore.ts';
import type { ModelStoreOptions } from '../../workers/engine/store/modelStore.ts';
import type { Clock } from '../../workers/engine/store/retry.ts';
import { abortedError } from '../../workers/engine/store/errors.ts';
import type { WeightSource } from '../../workers/engine/model/weightSource.ts';
import type { HubSource } from '../../workers/engine/store/types.ts';
import { testModel } from '../helpers/testModels.ts';
import { startHubDouble } from '../helpers/hubDouble.ts';
import type { HubDouble } from '../helpers/hubDouble.ts';

/**
 * qwen3moe, 2 layers, 8 experts, Q8_0 weights: with 16 KiB records, ~90 records, and expert
 * slices (4,352 B) that start at unaligned offsets.
 */
export const small = testModel({
  arch: 'qwen3moe',
  seed: 3,
  nLayer: 2,
  nExpert: 8,
  nFf: 64,
  types: { embd: 'Q8_0', attn: 'Q8_0', router: 'F32', experts: 'Q8_0', shexp: 'Q8_0', output: 'Q8_0' },
}).bytes;

export const RECORD_BYTES = 16 * 1024;
export const REPO = 'pakar-test/tiny-moe-GGUF';
export const FILE = 'tiny-moe-Q8_0.gguf';
export const hubSource: HubSource = { kind: 'hub', repo: REPO, file: FILE, revision: 'main' };

let dbCount = 0;
/** A database no other test has used. */
export function freshDbName(): string {
  return `pakar-test-${process.pid}-${++dbCount}`;
}

/** Sleeps nothing; remembers the delays it was asked for. */
export function instantClock(): Clock & { delays: number[] } {
  const delays: number[] = [];
  let t = 0;
  return {
    delays,
    now: () => (t += 1000), // every progress tick is past the throttle interval
    random: () => 0.5,
    sleep: async (ms, signal) => {
      if (signal.aborted) throw abortedError('The download');
      delays.push(ms);
    },
  };
}

/** A store on the double with small records and no real sleeping (one "tab"). */
export function storeFor(hub: HubDouble, dbName: string, o: ModelStoreOptions = {}): ModelStore {
  return new ModelStore({
    hubBaseUrl: hub.baseUrl,
    backend: idbBackend(dbName),
    storage: null,
    clock: instantClock(),
    maxRecordBytes: RECORD_BYTES,
    ...o,
  });
}

export function backendFor(dbName: string): StoreBackend {
  return idbBackend(dbName);
}

/**
 * Every byte the weight source can give (header + each tensor range) equals the source file's
 * bytes at the same place; tensor reads go through the store's records.
 */
export async function expectSameBytes(ws: WeightSource, source: Uint8Array): Promise<void> {
  const header = await ws.read({ offset: 0, length: ws.file.dataOffset });
  expect(Buffer.compare(header, source.subarray(0, ws.file.dataOffset))).toBe(0);
  for (const t of ws.file.tensors) {
    const r = tensorRange(t);
    const got = await ws.read(r);
    expect(got.length, t.name).toBe(r.length);
    expect(Buffer.compare(got, source.subarray(r.offset, r.offset + r.length)), t.name).toBe(0);
  }
}

/** The whole file rebuilt from the weight source (padding between tensors is zero). */
export async function reassemble(ws: WeightSource, size: number): Promise<Uint8Array> {
  const out = new Uint8Array(size);
  out.set(await ws.read({ offset: 0, length: ws.file.dataOffset }));
  for (const t of ws.file.tensors) out.set(await ws.read(tensorRange(t)), t.byteOffset);
  return out;
}

/** Record ranges (first byte) the double served with 206, as `first-last` strings. */
export function servedRecordRanges(hub: HubDouble, headerEnd: number): string[] {
  return hub.stats.ranges.filter((r) => r.status === 206 && r.first >= headerEnd).map((r) => `${r.first}-${r.last}`);
}

/** Starts a Hub double serving the small model for the tests of this file; stops it after. */
export function withHub(use: (hub: HubDouble) => void): void {
  let hub: HubDouble | undefined;
  beforeAll(async () => {
    hub = await startHubDouble();
    hub.setFile(REPO, FILE, small);
    use(hub);
  });
  afterAll(() => hub?.close());
}
