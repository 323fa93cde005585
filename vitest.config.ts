import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Reference tests (llama.cpp oracle, CPU forward passes) are slow on a 2-core machine.
    testTimeout: 120_000,
    pool: 'forks',
  },
});
