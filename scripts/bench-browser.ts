// npm run bench:browser [-- --models tiny,demo --tokens N --prompt N --runs N --profile --no-wllama]
// The engine's WebGPU benchmark in Debian's Chromium (Playwright): the bench page
// (scripts/bench-browser/, vite.bench.config.ts) runs bench/webgpu.ts and the bandwidth probe
// in the browser on the same GGUF files `npm run bench` uses, then llama.cpp in WebAssembly
// (wllama, 2 threads, cross-origin isolated) on the same bytes as the peer, and this prints its
// JSON on stdout (progress on stderr). Models: tiny (generated into .cache/bench/ like npm run bench), demo
// (public/models), granite-q8 / granite-q4k with --quick's 2 layers.

import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { build } from 'vite';
import { benchModels, ensureModel } from './bench/models.ts';

const { values: v } = parseArgs({
  options: { models: { type: 'string' }, tokens: { type: 'string' }, prompt: { type: 'string' }, runs: { type: 'string' }, profile: { type: 'boolean' }, 'no-wllama': { type: 'boolean' } },
  strict: true,
});
const log = (m: string): void => void process.stderr.write(`[bench:browser] ${m}\n`);
const root = new URL('..', import.meta.url).pathname;
const outDir = `${root}.cache/bench-browser`;

// The files the page may fetch as /models/<name>.gguf.
const catalog = benchModels(true);
const names = (v.models ?? 'tiny,demo').split(',');
const files = new Map<string, string>();
for (const name of names) {
  const m = catalog.find((c) => c.name === name);
  if (!m) throw new Error(`unknown model ${name}; choose from ${catalog.map((c) => c.name).join(', ')}`);
  files.set(name, ensureModel(m, log));
}

log('building the bench page');
await build({ configFile: `${root}vite.bench.config.ts` });

const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' };
const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const model = /^\/models\/([\w-]+)\.gguf$/.exec(path)?.[1];
  const file = model ? files.get(model) : `${outDir}${path === '/' ? '/index.html' : path}`;
  if (!file || !existsSync(file)) {
    res.writeHead(404).end();
    return;
  }
  // Cross-origin isolated, so that wllama's multi-threaded WebAssembly (SharedArrayBuffer) runs.
  res.writeHead(200, {
    'Content-Type': types[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
  });
  res.end(readFileSync(file));
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
url.searchParams.set('models', names.join(','));
for (const k of ['tokens', 'prompt', 'runs'] as const) if (v[k]) url.searchParams.set(k, v[k]);
if (v.profile) url.searchParams.set('profile', '1');
if (!v['no-wllama']) url.searchParams.set('wllama', '1');

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--enable-unsafe-webgpu', '--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
});
try {
  const page = await browser.newPage();
  page.on('console', (m) => m.text().startsWith('[bench]') && log(m.text().slice(8)));
  log(`Chromium ${browser.version()}: ${url.href}`);
  await page.goto(url.href);
  await page.waitForFunction(() => window.pakarBench !== undefined, undefined, { timeout: 30 * 60_000, polling: 500 });
  const out = await page.evaluate(() => window.pakarBench);
  if (!out?.ok) throw new Error(`the bench page failed: ${out && !out.ok ? out.error : 'no result'}`);
  console.log(JSON.stringify({ benchmark: 'pakar npm run bench:browser', date: new Date().toISOString(), chromium: browser.version(), ...(out.result as object) }, null, 2));
} finally {
  await browser.close();
  server.close();
}
