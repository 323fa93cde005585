// A hybrid's DeltaNet state on WebGPU (gpu/deltaNetState.ts) goes back exactly: whether a
// truncation swaps buffers, replays the recurrence over the last pass's first tokens, restores
// the prompt checkpoint or a drafter's savepoint, or starts from 0 and reruns, the logits after it equal those of one
// uninterrupted run bit for bit (the kernels are batch-invariant), and reported memory is there.

import { describe, expect, it } from 'vitest';
import { loadGpuModel } from '../helpers/gpuModels.ts';
import { testModel } from '../helpers/testModels.ts';
import { Rng } from '../../scripts/model-gen/random.ts';

describe.each(['qwen3next', 'qwen35moe'] as const)('%s state rollback on the GPU', (arch) => {
  const { bytes } = testModel({ arch, nLayer: 3 });
  const rng = new Rng(11);
  const tokens = Array.from({ length: 24 }, () => Math.floor(rng.next() * 300));

  it('every way back gives the logits of one run', async () => {
    const ref = await loadGpuModel(bytes, { maxTokens: 4, nCtx: 64 });
    const gpu = await loadGpuModel(bytes, { maxTokens: 4, nCtx: 64 });
    try {
      const want = await ref.forwardLogits(tokens);
      expect(gpu.lastStep.recurrentStateBytes).toBeGreaterThan(0);
      await gpu.forwardLogits(tokens.slice(0, 10));
      gpu.checkpoint();
      // Within the last pass: two of its four tokens stay (a replay of two tokens).
      await gpu.forwardLogits([tokens[10], tokens[11], 99, 98]);
      gpu.truncate(12);
      expect(gpu.nPast).toBe(12);
      expect(await gpu.forwardLogits(tokens.slice(12, 14))).toEqual(want.slice(12, 14));
      // Back to the start of the last pass: the buffer before it.
      gpu.truncate(12);
      expect(await gpu.forwardLogits(tokens.slice(12, 16))).toEqual(want.slice(12, 16));
      // Before the last pass, after the checkpoint: the checkpoint and a rerun of one token.
      gpu.truncate(11);
      expect(gpu.nPast).toBe(11);
      expect(await gpu.forwardLogits(tokens.slice(11, 20))).toEqual(want.slice(11, 20));
      // Several passes undone at once (a drafter's): the copy saved before them.
      await gpu.savepoint();
      for (const t of [7, 8, 9]) await gpu.forwardLogits([t]);
      gpu.truncate(20);
      expect(gpu.recurrentBytes).toBeGreaterThan(3 * gpu.lastStep.recurrentStateBytes);
      expect(await gpu.forwardLogits(tokens.slice(20))).toEqual(want.slice(20));
      // Before the checkpoint and the savepoint: from 0, rerunning five tokens.
      gpu.truncate(5);
      expect(await gpu.forwardLogits(tokens.slice(5))).toEqual(want.slice(5));
      gpu.truncate(0);
      expect(await gpu.forwardLogits(tokens)).toEqual(want);
    } finally {
      ref.destroy();
      gpu.destroy();
    }
  });
});
