// A split GGUF (three parts, llama.cpp's layout) downloaded from the Hub double as one model: the
// listing offers it as one choice with the parts' total size, every tensor reads back as the
// original file's bytes, a dropped connection resumes, a partial download runs with experts
// fetched from the right part, and the CPU reference gives the whole file's greedy tokens.

import { beforeAll, expect, it } from 'vitest';
import { CpuModel } from '../../reference/cpu/model.ts';
import { parseGguf } from '../../workers/engine/gguf/reader.ts';
import { expertSlice, tensorRange } from '../../workers/engine/gguf/slices.ts';
import { loadManifest } from '../../workers/engine/store/manifest.ts';
import type { HubSource } from '../../workers/engine/store/types.ts';
import { splitGguf, splitPartName } from '../../scripts/model-gen/split.ts';
import { cpuGreedy } from '../helpers/testModels.ts';
import type { HubDouble } from '../helpers/hubDouble.ts';
import { backendFor, freshDbName, reassemble, small, storeFor, withHub } from './helpers.ts';

let hub: HubDouble;
withHub((h) => (hub = h));

const SPLIT_REPO = 'pakar-test/split-moe-GGUF';
const parts = splitGguf(small, 3);
const names = parts.map((_, k) => splitPartName('Q8_0/tiny-moe-Q8_0', k, 3));
const original = parseGguf(small);

beforeAll(() => parts.forEach((p, k) => hub.setFile(SPLIT_REPO, names[k], p)));

/** The listing's one choice for the split file. */
async function choice(): Promise<HubSource> {
  const listing = await storeFor(hub, freshDbName()).findFiles(`https://huggingface.co/${SPLIT_REPO}/tree/main/Q8_0`);
  expect(listing.files).toHaveLength(1);
  expect(listing.files[0]).toMatchObject({ path: names[0], parts: 3, quant: 'Q8_0', size: parts.reduce((n, p) => n + p.length, 0) });
  return listing.files[0].source as HubSource;
}

/** Every tensor read through the store equals the original whole file's bytes. */
async function expectOriginalTensors(read: (r: { offset: number; length: number }) => Promise<Uint8Array>, file: typeof original): Promise<void> {
  for (const t of original.tensors) {
    const got = await read(tensorRange(file.tensorByName.get(t.name)!));
    expect(Buffer.compare(got, small.subarray(t.byteOffset, t.byteOffset + t.byteLength)), t.name).toBe(0);
  }
}

it('downloads the parts as one model, resuming a dropped connection, byte for byte the whole file', async () => {
  const source = await choice();
  const db = freshDbName();
  const store = storeFor(hub, db);
  hub.faults = { drop: { skip: 40, afterBytes: 2000, count: 1 } };
  const info = await store.download('split', source);
  hub.faults = {};
  expect(info).toMatchObject({ state: 'complete', architecture: 'qwen3moe', size: parts.reduce((n, p) => n + p.length, 0) });
  // Each part's records came from that part's file.
  expect(new Set(hub.stats.ranges.map((r) => r.path))).toEqual(new Set(names));
  const stored = await loadManifest(backendFor(db), 'split');
  expect(stored?.manifest.parts?.map((p) => p.size)).toEqual(parts.map((p) => p.length));

  const ws = await store.openWeights('split');
  expect(ws.file.tensors.length).toBe(original.tensors.length);
  await expectOriginalTensors(ws.read, ws.file);

  // The CPU reference on the joined model: the whole file's greedy tokens.
  const model = new CpuModel(ws.file, await reassemble(ws, ws.file.fileSize ?? 0));
  const prompt = [5, 17, 42, 99, 3];
  const direct = cpuGreedy(small, prompt, 12).tokens;
  expect(cpuGreedy(model, prompt, 12).tokens).toEqual(direct);
});

it('runs a partial split download with missing experts read from the part that holds them', async () => {
  const source = await choice();
  const store = storeFor(hub, freshDbName());
  const ctl = new AbortController();
  await expect(store.download('split', source, { signal: ctl.signal, onProgress: (p) => p.recordsTotal > 0 && p.recordsDone >= p.recordsTotal - 6 && ctl.abort() })).rejects.toMatchObject({
    code: 'aborted',
  });
  const ws = await store.openProgressive('split');
  // The last expert of the last layer is among the records not stored yet.
  const slice = expertSlice(ws.file.tensorByName.get('blk.1.ffn_down_exps.weight')!, 7);
  const want = expertSlice(original.tensorByName.get('blk.1.ffn_down_exps.weight')!, 7);
  let base = 0;
  const holder = parts.findIndex((p) => (base += p.length) > slice.offset);
  hub.resetStats();
  const got = await ws.read(slice);
  expect(Buffer.compare(got, small.subarray(want.offset, want.offset + want.length))).toBe(0);
  // Besides the first read's 0-0 probe of each part (which checks the parts are still the ones stored).
  expect(hub.stats.ranges.filter((r) => r.last > 0).map((r) => r.path)).toEqual([names[holder]]);
});
