// Builds of the app (vite build with a chosen build id) and a static server whose folder can be
// swapped while it runs: "a new version deployed under the same URL" for the update test.

import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');

/**
 * A build into .cache/pwa-e2e/<buildId>, with PAKAR_BUILD_ID set; returns the folder. By default a
 * test build (`?hub=` honoured); `env` adds or replaces build settings (PAKAR_HUB_URL, …).
 */
export function buildApp(buildId: string, env: Readonly<Record<string, string>> = { PAKAR_TEST_HUB: '1' }): string {
  const outDir = path.join(root, '.cache/pwa-e2e', buildId);
  execFileSync('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: root,
    env: { ...process.env, PAKAR_TEST_HUB: '', PAKAR_HUB_URL: '', PAKAR_BUILD_ID: buildId, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return outDir;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
};

export interface AppServer {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** The folder served from now on. */
  serve(dir: string): void;
  close(): Promise<void>;
}

/** Serves a built app like a static host: files by path, index.html for any other path. */
export async function startAppServer(dir: string): Promise<AppServer> {
  let current = dir;
  const server = createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    let file = path.join(current, path.normalize(decodeURIComponent(pathname)));
    if (!file.startsWith(current) || !existsSync(file) || statSync(file).isDirectory()) file = path.join(current, 'index.html');
    // Revalidate every time, as hosts do for index.html and sw.js; hashed assets never change.
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    serve: (next) => {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
