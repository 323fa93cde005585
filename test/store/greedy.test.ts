// End to end through the store: a model downloaded from the Hub double generates exactly the
// same greedy tokens on the CPU reference as the same file loaded directly.

import { expect, it } from 'vitest';
import { CpuModel } from '../../reference/cpu/model.ts';
import { cpuGreedy } from '../helpers/testModels.ts';
import type { HubDouble } from '../helpers/hubDouble.ts';
import { freshDbName, hubSource, reassemble, small, storeFor, withHub } from './helpers.ts';

let hub: HubDouble;
withHub((h) => (hub = h));

it('a downloaded model generates exactly the tokens of the file loaded directly', async () => {
  const store = storeFor(hub, freshDbName());
  // A dropped connection on the way must not change a thing.
  hub.faults = { drop: { skip: 30, afterBytes: 3000, count: 1 } };
  await store.download('tiny', hubSource);
  hub.faults = {};
  const ws = await store.openWeights('tiny');
  // The CPU reference takes the whole file; the GGUF table it uses is the one parsed from the store.
  const model = new CpuModel(ws.file, await reassemble(ws, small.length));

  const prompt = [5, 17, 42, 99, 3];
  const direct = cpuGreedy(small, prompt, 16).tokens;
  expect(cpuGreedy(model, prompt, 16).tokens).toEqual(direct);
  expect(new Set(direct).size).toBeGreaterThan(1);
});
