import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Reference tests (llama.cpp oracle, CPU forward passes, SwiftShader GPU work) are slow on a
    // 2-core machine, and slower still when it is shared; a limit, not a speed target.
    testTimeout: 300_000,
    pool: 'forks',
  },
});
