// The browser benchmark's page (scripts/bench-browser/), built apart from the app: no PWA, no
// service worker, never shipped. `npm run bench:browser` builds and serves it.

import { resolve } from 'node:path';
import { defineConfig } from 'vite';

export default defineConfig({
  root: resolve(import.meta.dirname, 'scripts/bench-browser'),
  build: { outDir: resolve(import.meta.dirname, '.cache/bench-browser'), emptyOutDir: true, target: 'es2022' },
  logLevel: 'warn',
});
