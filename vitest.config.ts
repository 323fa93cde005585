import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Reference tests (llama.cpp oracle, CPU forward passes, SwiftShader GPU work) are slow on a
    // 2-core machine, and slower still when it is shared; a limit, not a speed target.
    testTimeout: 300_000,
    pool: 'forks',
    // Every core, two at least (Vitest leaves one free by default): many files are one JS thread
    // (the CPU reference, tokenizers, the store); on this 2-core machine two workers finish the
    // suite in about 760 s against 900 s for one.
    maxWorkers: Math.max(2, availableParallelism()),
  },
});
