// Importing a picked file: stored as the same records as a download with no network; a
// truncated or corrupt file is rejected with the GGUF reader's code and nothing is stored.

import { describe, expect, it } from 'vitest';
import { parseGguf } from '../../workers/engine/gguf/reader.ts';
import { ModelStore } from '../../workers/engine/store/modelStore.ts';
import { idbBackend } from '../../workers/engine/store/backend.ts';
import { loadManifest } from '../../workers/engine/store/manifest.ts';
import { splitGguf, splitPartName } from '../../scripts/model-gen/split.ts';
import { tensorRange } from '../../workers/engine/gguf/slices.ts';
import { expectSameBytes, freshDbName, instantClock, RECORD_BYTES, small } from './helpers.ts';

function offlineStore(db: string): ModelStore {
  const noNetwork: typeof fetch = () => Promise.reject(new Error('an import must not touch the network'));
  return new ModelStore({ backend: idbBackend(db), fetch: noNetwork, storage: null, clock: instantClock(), maxRecordBytes: RECORD_BYTES });
}

const file = (bytes: Uint8Array, name = 'tiny.gguf'): File => new File([bytes.slice()], name, { lastModified: 1_700_000_000_000 });

describe('local import', () => {
  it('stores a picked file as the same records as a download, with no network', async () => {
    const db = freshDbName();
    const store = offlineStore(db);
    const info = await store.importFile('local-tiny', file(small));
    expect(info).toMatchObject({ state: 'complete', size: small.length, source: { kind: 'file', name: 'tiny.gguf', size: small.length } });
    await expectSameBytes(await store.openWeights('local-tiny'), small);
    const m = (await loadManifest(idbBackend(db), 'local-tiny'))!.manifest;
    expect(m.records[0].key).toBe('t/token_embd.weight/0');
    expect(m.url).toBeUndefined();
  });

  it('stores the parts of a split file picked in any order as one model, and refuses parts of two models', async () => {
    const store = offlineStore(freshDbName());
    const parts = splitGguf(small, 3).map((p, k) => file(p, splitPartName('tiny', k, 3)));
    const info = await store.importFile('split', [parts[2], parts[0], parts[1]]);
    expect(info).toMatchObject({ state: 'complete', architecture: 'qwen3moe', source: { kind: 'file', name: 'tiny-00001-of-00003.gguf' } });
    const ws = await store.openWeights('split');
    for (const t of parseGguf(small).tensors) {
      const got = await ws.read(tensorRange(ws.file.tensorByName.get(t.name)!));
      expect(Buffer.compare(got, small.subarray(t.byteOffset, t.byteOffset + t.byteLength)), t.name).toBe(0);
    }
    const otherHalf = file(splitGguf(small, 2)[1], 'tiny-00002-of-00002.gguf');
    await expect(store.importFile('mixed', [parts[0], otherHalf])).rejects.toMatchObject({ code: 'invalid_gguf', detail: 'bad_split' });
    expect(await store.info('mixed')).toBeUndefined();
  });

  it('resumes an interrupted import of the same file and refuses a different one under the same id', async () => {
    const store = offlineStore(freshDbName());
    const ctl = new AbortController();
    await expect(store.importFile('t', file(small), { onProgress: (p) => p.recordsDone >= 10 && ctl.abort(), signal: ctl.signal })).rejects.toMatchObject({ code: 'aborted' });
    expect((await store.info('t'))?.state).toBe('partial');
    const other = new File([small.slice()], 'tiny.gguf', { lastModified: 1_800_000_000_000 });
    await expect(store.importFile('t', other)).rejects.toMatchObject({ code: 'remote_changed' });
    expect((await store.importFile('t', file(small))).state).toBe('complete');
    await expectSameBytes(await store.openWeights('t'), small);
  });

  const dataOffset = parseGguf(small).dataOffset;
  const badMagic = small.slice();
  badMagic.set([0x47, 0x47, 0x4d, 0x4c]); // "GGML"
  const cases: [string, Uint8Array, string, RegExp][] = [
    ['cut inside the header', small.subarray(0, 2000), 'truncated', /file ends at byte 2000|needs more bytes than the file has left/],
    ['cut inside the tensor data', small.subarray(0, dataOffset + 5000), 'truncated', /incomplete/],
    ['with a wrong magic number', badMagic, 'bad_magic', /not a GGUF file/],
    ['empty', new Uint8Array(0), 'truncated', /file ends/],
  ];
  for (const [what, bytes, code, message] of cases) {
    it(`rejects a file ${what} with GgufError code ${code} and stores nothing`, async () => {
      const db = freshDbName();
      const store = offlineStore(db);
      const err = await store.importFile('bad', file(bytes, 'bad.gguf')).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'StoreError', code: 'invalid_gguf', detail: code });
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).toMatch(/bad\.gguf .*\(/);
      expect(await idbBackend(db).keys('')).toEqual([]);
    });
  }
});
