// `npm run test:fast`: the inner loop's lane. No GPU work (SwiftShader) and no llama.cpp oracle:
// parsers, tokenizers against their fixture vectors, quantization, the CPU reference, the store,
// decoding logic and the UI. `npm test` runs everything.

import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.ts';

export default mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: [
        'test/gpu/**',
        'test/oracle/**',
        'test/demo/**',
        'test/chat/**',
        'test/cli/**',
        'test/worker/service.test.ts',
        'test/decode/speculativeSampling.test.ts',
        'test/tokenizer/oracle.test.ts',
        'test/tokenizer/special.test.ts',
        '**/node_modules/**',
      ],
    },
  }),
);
