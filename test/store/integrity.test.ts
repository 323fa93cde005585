// Integrity of stored records: the checksum (xxHash32 known answers), a damaged record is
// refused with `corrupt` and refetched by the next download, model ids and sources are checked.

import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { xxh32 } from '../../workers/engine/store/checksum.ts';
import { idbBackend } from '../../workers/engine/store/backend.ts';
import { loadManifest } from '../../workers/engine/store/manifest.ts';
import { recordKey } from '../../workers/engine/store/keys.ts';
import { modelIdFor } from '../../workers/engine/store/keys.ts';
import { hubResolveUrl } from '../../workers/engine/store/hub.ts';
import type { HubDouble } from '../helpers/hubDouble.ts';
import { expectSameBytes, freshDbName, hubSource, servedRecordRanges, small, storeFor, withHub } from './helpers.ts';

let hub: HubDouble;
withHub((h) => (hub = h));

describe('xxh32', () => {
  it('matches the reference implementation on known inputs, aligned or not', () => {
    const enc = new TextEncoder();
    expect(xxh32(new Uint8Array(0))).toBe(0x02cc5d05);
    expect(xxh32(enc.encode('a'))).toBe(0x550d7456);
    expect(xxh32(enc.encode('abc'))).toBe(0x32d153ff);
    expect(xxh32(enc.encode('Nobody inspects the spammish repetition'))).toBe(0xe2293b2f);
    const padded = new Uint8Array(100);
    padded.set(enc.encode('Nobody inspects the spammish repetition'), 3);
    expect(xxh32(padded.subarray(3, 3 + 39))).toBe(0xe2293b2f);
  });
});

describe('damaged records', () => {
  it('are refused with `corrupt`, never used, and refetched (alone) by the next download', async () => {
    const db = freshDbName();
    const store = storeFor(hub, db);
    await store.download('tiny', hubSource);
    const backend = idbBackend(db);
    const { manifest } = (await loadManifest(backend, 'tiny'))!;
    const victim = manifest.records.find((r) => r.key === 'x/1/ffn_up_exps.weight/6')!;
    const [bytes] = (await backend.getMany([recordKey('tiny', victim.key)])) as Uint8Array[];
    const flipped = bytes.slice();
    flipped[100] ^= 1;
    await backend.setMany([[recordKey('tiny', victim.key), flipped]]);

    const ws = await store.openWeights('tiny');
    await expect(ws.read({ offset: victim.offset, length: victim.length })).rejects.toMatchObject({ code: 'corrupt', detail: 'checksum', message: expect.stringMatching(/resume the download/) });
    await new Promise((r) => setTimeout(r, 50)); // the damaged flag is written in the background
    expect((await store.info('tiny'))?.state).toBe('partial');

    hub.resetStats();
    await store.download('tiny', hubSource);
    expect(servedRecordRanges(hub, 0).filter((r) => r !== '0-0')).toEqual([`${victim.offset}-${victim.offset + victim.length - 1}`]);
    await expectSameBytes(await store.openWeights('tiny'), small);
  });

  it('a damaged header is refused on open', async () => {
    const db = freshDbName();
    const store = storeFor(hub, db);
    await store.download('tiny', hubSource);
    const backend = idbBackend(db);
    await backend.setMany([['model/tiny/header', new Uint8Array(10)]]);
    await expect(store.openWeights('tiny')).rejects.toMatchObject({ code: 'corrupt' });
  });
});

describe('ids and sources', () => {
  it('builds Hub URLs from configuration and readable ids from sources', () => {
    expect(hubResolveUrl('https://huggingface.co/', 'Qwen/Qwen3-30B-A3B-GGUF', 'main', 'Qwen3-30B-A3B-Q4_K_M.gguf')).toBe(
      'https://huggingface.co/Qwen/Qwen3-30B-A3B-GGUF/resolve/main/Qwen3-30B-A3B-Q4_K_M.gguf',
    );
    expect(hubResolveUrl('http://127.0.0.1:9', 'a/b', 'refs/pr/1', 'sub dir/x.gguf')).toBe('http://127.0.0.1:9/a/b/resolve/refs%2Fpr%2F1/sub%20dir/x.gguf');
    expect(modelIdFor({ kind: 'hub', repo: 'bartowski/granite-GGUF', file: 'g-Q4_K_M.gguf', revision: 'main' })).toBe('bartowski~granite-GGUF~g-Q4_K_M.gguf@main');
  });

  it('rejects ids with slashes, plain-http URLs and repos that are not owner/name', async () => {
    const store = storeFor(hub, freshDbName());
    await expect(store.download('a/b', hubSource)).rejects.toMatchObject({ code: 'bad_request' });
    await expect(store.download('x', { kind: 'url', url: 'http://example.com/m.gguf' })).rejects.toMatchObject({ code: 'bad_request', message: expect.stringMatching(/https/) });
    await expect(store.download('x', { ...hubSource, repo: 'no-owner' })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(store.openWeights('missing')).rejects.toMatchObject({ code: 'not_found' });
  });
});
