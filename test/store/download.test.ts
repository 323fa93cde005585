// A full download from the local Hub double: byte-identical records, the record plan and its
// order, the manifest, progress events, and a second download that fetches nothing.

import { describe, expect, it } from 'vitest';
import { parseGguf } from '../../workers/engine/gguf/reader.ts';
import { kv, writeGguf } from '../../reference/gguf/writer.ts';
import { ggmlTypeByName } from '../../workers/engine/quant/types.ts';
import { archOf } from '../../workers/engine/model/archs/index.ts';
import { expertSlice } from '../../workers/engine/gguf/slices.ts';
import { xxh32 } from '../../workers/engine/store/checksum.ts';
import { loadManifest } from '../../workers/engine/store/manifest.ts';
import { planRecords } from '../../workers/engine/store/plan.ts';
import type { DownloadProgress } from '../../workers/engine/store/types.ts';
import type { HubDouble } from '../helpers/hubDouble.ts';
import { backendFor, expectSameBytes, FILE, freshDbName, hubSource, RECORD_BYTES, REPO, servedRecordRanges, small, storeFor, withHub } from './helpers.ts';

let hub: HubDouble;
withHub((h) => (hub = h));

describe('record plan', () => {
  const file = parseGguf(small);
  const records = planRecords(file, RECORD_BYTES);

  it('covers every tensor byte exactly once, each record at most the record size', () => {
    const covered = records.map((r) => [r.offset, r.offset + r.length]).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < covered.length; i++) expect(covered[i][0]).toBeGreaterThanOrEqual(covered[i - 1][1]);
    expect(records.reduce((n, r) => n + r.length, 0)).toBe(file.tensors.reduce((n, t) => n + t.byteLength, 0));
    for (const r of records) expect(r.length).toBeLessThanOrEqual(RECORD_BYTES);
    expect(new Set(records.map((r) => r.key)).size).toBe(records.length);
  });

  it('puts what the first token needs first, then each expert of each layer as its own record', () => {
    expect(records[0].key).toBe('t/token_embd.weight/0');
    const firstExpert = records.findIndex((r) => r.key.startsWith('x/'));
    expect(records.slice(firstExpert).every((r) => r.key.startsWith('x/'))).toBe(true);
    const dense = records.slice(0, firstExpert).map((r) => r.key);
    expect(dense.indexOf('t/blk.0.attn_q.weight/0')).toBeLessThan(dense.indexOf('t/blk.1.attn_q.weight/0'));
    expect(dense.indexOf('t/blk.1.ffn_gate_inp.weight/0')).toBeLessThan(dense.indexOf('t/output.weight/0'));
    expect(records.slice(firstExpert, firstExpert + 4).map((r) => r.key)).toEqual([
      'x/0/ffn_gate_exps.weight/0',
      'x/0/ffn_up_exps.weight/0',
      'x/0/ffn_down_exps.weight/0',
      'x/0/ffn_gate_exps.weight/1',
    ]);
    const slice = expertSlice(file.tensorByName.get('blk.1.ffn_down_exps.weight')!, 5);
    expect(records.find((r) => r.key === 'x/1/ffn_down_exps.weight/5')).toEqual({ key: 'x/1/ffn_down_exps.weight/5', ...slice });
  });

  it('cuts big dense tensors into chunks and leaves 64 MiB records alone by default', () => {
    expect(records.filter((r) => r.key.startsWith('t/token_embd.weight/')).length).toBeGreaterThan(1);
    expect(planRecords(file).filter((r) => r.key.startsWith('t/token_embd.weight/')).length).toBe(1);
  });
});

describe('full download', () => {
  it('stores every record byte-identical to the source, with a manifest, and reports progress', async () => {
    const db = freshDbName();
    const store = storeFor(hub, db);
    const events: DownloadProgress[] = [];
    const info = await store.download('tiny', hubSource, { onProgress: (p) => events.push(p) });

    expect(info).toMatchObject({ id: 'tiny', state: 'complete', percent: 100, size: small.length, architecture: 'qwen3moe' });
    expect(info.recordsDone).toBe(info.recordsTotal);
    const ws = await store.openWeights('tiny');
    await expectSameBytes(ws, small);

    const stored = await loadManifest(backendFor(db), 'tiny');
    const m = stored!.manifest;
    expect(m.url).toBe(hub.resolveUrl(REPO, FILE));
    expect(m.revision).toBe('main');
    expect(m.etag).toMatch(/^"[0-9a-f]{64}"$/);
    expect(m.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(m.headerLength).toBe(parseGguf(small).dataOffset);
    expect(m.headerSum).toBe(xxh32(small.subarray(0, m.headerLength)));

    expect(events[0].state).toBe('checking');
    expect(events.at(-1)).toMatchObject({ state: 'complete', bytesDone: events.at(-1)!.bytesTotal, etaSeconds: 0 });
    const during = events.filter((e) => e.state === 'downloading');
    for (let i = 1; i < during.length; i++) expect(during[i].recordsDone).toBeGreaterThanOrEqual(during[i - 1].recordsDone);
    expect(await store.list()).toEqual([expect.objectContaining({ id: 'tiny', state: 'complete', bytesStored: m.headerLength + events.at(-1)!.bytesTotal })]);
  });

  it('asks only for the records with Range, each once, and a finished model fetches nothing again', async () => {
    const store = storeFor(hub, freshDbName());
    hub.resetStats();
    const info = await store.download('tiny', hubSource);
    const headerEnd = parseGguf(small).dataOffset;
    const served = servedRecordRanges(hub, headerEnd);
    expect(served.length).toBe(info.recordsTotal);
    expect(new Set(served).size).toBe(served.length);
    expect(hub.stats.ranges.every((r) => r.status === 206)).toBe(true);
    expect(hub.stats.resolveRequests).toBe(1); // ranges go to the CDN URL, not through the 302 again

    hub.resetStats();
    await storeFor(hub, freshDbName()).download('other', hubSource);
    hub.resetStats();
    const again = await store.download('tiny', hubSource);
    expect(again.state).toBe('complete');
    expect(servedRecordRanges(hub, headerEnd)).toEqual([]);
  });

  it('reads an expert slice as one record without copying the tensor', async () => {
    const store = storeFor(hub, freshDbName());
    await store.download('tiny', hubSource);
    const ws = await store.openWeights('tiny');
    const t = ws.file.tensorByName.get('blk.0.ffn_up_exps.weight')!;
    for (const e of [0, 3, 7]) {
      const s = expertSlice(t, e);
      expect(Buffer.compare(await ws.read(s), small.subarray(s.offset, s.offset + s.length))).toBe(0);
    }
  });

  it('rejects a missing file and a file that is not GGUF before storing anything', async () => {
    const store = storeFor(hub, freshDbName());
    await expect(store.download('nope', { ...hubSource, file: 'missing.gguf' })).rejects.toMatchObject({ code: 'remote_missing', status: 404 });
    hub.setFile(REPO, 'not-a-model.gguf', new TextEncoder().encode('<!doctype html><p>not a model</p>'.repeat(10)));
    await expect(store.download('html', { ...hubSource, file: 'not-a-model.gguf' })).rejects.toMatchObject({ code: 'invalid_gguf', detail: 'bad_magic' });
    expect(await store.list()).toEqual([]);
  });

  it('a stored model needs no network; "restart" checks for a newer file', async () => {
    const db = freshDbName();
    await storeFor(hub, db).download('tiny', hubSource);
    const offline = storeFor(hub, db, { fetch: () => Promise.reject(new TypeError('offline')) });
    expect((await offline.download('tiny', hubSource)).state).toBe('complete');
    await expectSameBytes(await offline.openWeights('tiny'), small);
    await expect(offline.download('tiny', hubSource, { restart: true })).rejects.toMatchObject({ code: 'network', message: expect.stringMatching(/offline/) });
  });

  it('lets the engine refuse an architecture it cannot run before anything is stored', async () => {
    const other = writeGguf({
      metadata: [kv.string('general.architecture', 'rwkv7')],
      tensors: [{ name: 'token_embd.weight', dims: [32, 8], type: ggmlTypeByName('F32'), data: new Uint8Array(1024) }],
    });
    hub.setFile(REPO, 'rwkv.gguf', other);
    const store = storeFor(hub, freshDbName());
    const err = await store.download('rwkv', { ...hubSource, file: 'rwkv.gguf' }, { validate: (f) => void archOf(f) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'unsupported', detail: 'unknown_arch', message: expect.stringMatching(/rwkv7.*not supported/) });
    expect(await store.list()).toEqual([]);
  });

  it('reads only the header of a remote file for "add a model"', async () => {
    // 16 MiB of tensor data behind a small header: the check must not download it.
    const big = writeGguf({
      metadata: [kv.string('general.architecture', 'qwen3moe')],
      tensors: [{ name: 'token_embd.weight', dims: [1024, 4096], type: ggmlTypeByName('F32'), data: new Uint8Array(16 << 20) }],
    });
    hub.setFile(REPO, 'big.gguf', big);
    const store = storeFor(hub, freshDbName());
    hub.resetStats();
    const head = await store.inspectRemote({ kind: 'url', url: hub.resolveUrl(REPO, 'big.gguf') });
    expect(head.size).toBe(big.length);
    expect(head.file.tensors.map((t) => t.name)).toEqual(['token_embd.weight']);
    expect(hub.stats.bytesServed).toBeLessThanOrEqual(2 * 1024 * 1024 + 1);
    expect(await store.list()).toEqual([]);
  });
});
