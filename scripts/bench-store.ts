// Model store benchmark (not a test): npx tsx scripts/bench-store.ts
// Prints one JSON object:
//   download  throughput of a full download through the store from the local Hub double
//             (Range requests, checksums, IndexedDB writes) vs a plain fetch of the same file
//             in the same run, and their ratio;
//   load      time from IndexedDB to a fully read WeightSource (open + every tensor), per GiB.
// IndexedDB is fake-indexeddb here (in memory, structured clone): browser numbers differ.

import 'fake-indexeddb/auto';
import { tensorRange } from '../workers/engine/gguf/slices.ts';
import { idbBackend } from '../workers/engine/store/backend.ts';
import { ModelStore } from '../workers/engine/store/modelStore.ts';
import { startHubDouble } from '../test/helpers/hubDouble.ts';
import { testModel } from '../test/helpers/testModels.ts';

const GiB = 1024 ** 3;
const MB = 1e6;

// ~168 MB: 3 layers of 32 F32 experts (512 → 256 → 512), 4k vocabulary.
const model = testModel({ arch: 'qwen3moe', seed: 7, nLayer: 3, nEmbd: 512, nHead: 8, nHeadKv: 4, nExpert: 32, nExpertUsed: 4, nFf: 256, nVocab: 4096 });
const bytes = model.bytes;

const hub = await startHubDouble();
const repo = 'pakar-bench/bench-moe-GGUF';
const file = 'bench-moe-F32.gguf';
hub.setFile(repo, file, bytes);
const url = hub.resolveUrl(repo, file);

async function plainFetch(): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url);
  const body = new Uint8Array(await res.arrayBuffer());
  const s = (performance.now() - t0) / 1000;
  if (body.length !== bytes.length) throw new Error(`plain fetch got ${body.length} bytes`);
  return s;
}

async function storeDownload(db: string): Promise<{ seconds: number; records: number; store: ModelStore }> {
  const store = new ModelStore({ hubBaseUrl: hub.baseUrl, backend: idbBackend(db), storage: null });
  const t0 = performance.now();
  const info = await store.download('bench', { kind: 'hub', repo, file, revision: 'main' });
  return { seconds: (performance.now() - t0) / 1000, records: info.recordsTotal, store };
}

async function load(store: ModelStore): Promise<number> {
  const t0 = performance.now();
  const ws = await store.openWeights('bench');
  let n = 0;
  for (const t of ws.file.tensors) n += (await ws.read(tensorRange(t))).length;
  const s = (performance.now() - t0) / 1000;
  if (n !== ws.file.tensors.reduce((a, t) => a + t.byteLength, 0)) throw new Error('short load');
  return s;
}

// Warm up both paths once (JIT, sockets), then measure the best of three.
await plainFetch();
await storeDownload('bench-warmup');
const plain = Math.min(await plainFetch(), await plainFetch(), await plainFetch());
const runs = [await storeDownload('bench-1'), await storeDownload('bench-2'), await storeDownload('bench-3')];
const best = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
const loads = [await load(best.store), await load(best.store), await load(best.store)];
const loadS = Math.min(...loads);
await hub.close();

const tensorBytes = bytes.length; // header included: it is small
console.log(
  JSON.stringify(
    {
      model: { bytes: bytes.length, records: best.records, recordBytesMax: 64 * 1024 * 1024 },
      download: {
        plainFetchMBps: +(bytes.length / MB / plain).toFixed(1),
        storeMBps: +(bytes.length / MB / best.seconds).toFixed(1),
        ratio: +(plain / best.seconds).toFixed(3),
        plainFetchSeconds: +plain.toFixed(3),
        storeSeconds: +best.seconds.toFixed(3),
        concurrency: 4,
      },
      load: {
        seconds: +loadS.toFixed(3),
        secondsPerGiB: +(loadS / (tensorBytes / GiB)).toFixed(3),
        GiBps: +(tensorBytes / GiB / loadS).toFixed(2),
      },
      env: { node: process.version, indexedDB: 'fake-indexeddb (in memory)', server: 'local Hub double (127.0.0.1)' },
    },
    null,
    2,
  ),
);
