// A local HTTP server that behaves like the Hugging Face Hub for downloads (TESTING.md "A local
// Hub double"; MOE-GGUF.md §5): `/<owner>/<repo>/resolve/<rev>/<file>` answers 302 to a "CDN"
// URL with an expiring token, which answers Range requests with 206 + Content-Range + ETag;
// CORS headers as the Hub sends them; `/api/models/<owner>/<repo>/tree/<rev>[/<dir>]` lists
// files (`?recursive=true`, pages linked by `Link: rel="next"`). Faults are switchable, and
// every request and body byte is counted.

import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { concatBytes } from '../../workers/engine/gguf/sources.ts';

export interface HubFaults {
  /**
   * After skipping `skip` CDN range responses (default 0), the next `count` send only
   * `afterBytes` body bytes, then drop the connection.
   */
  drop?: { afterBytes: number; count: number; skip?: number };
  /** The next `count` requests (resolve or CDN) answer this status. */
  status?: { code: number; count: number; retryAfterSeconds?: number };
  /** After this many more CDN requests, every token handed out so far expires (403). */
  expireTokensAfter?: number;
  /** Every response waits this long before its headers. */
  latencyMs?: number;
  /** Body bytes are sent in chunks of this size with `chunkDelayMs` between them. */
  slowBody?: { chunkBytes: number; chunkDelayMs: number };
  /** After skipping `skip` CDN range responses, the next `count` bodies are `delta` bytes longer (> 0) or shorter (< 0). */
  wrongLength?: { delta: number; count: number; skip?: number };
  /**
   * After skipping `skip` CDN range responses, the next `count` send every byte asked for but
   * declare `extra` more in Content-Length, then close the connection (a broken proxy).
   */
  overstatedLength?: { extra: number; count: number; skip?: number };
}

export interface ServedRange {
  readonly path: string;
  readonly first: number;
  readonly last: number;
  readonly status: number;
}

export interface HubStats {
  requests: number;
  resolveRequests: number;
  cdnRequests: number;
  treeRequests: number;
  /** Body bytes written, dropped responses included. */
  bytesServed: number;
  /** Every range a CDN request asked for, with the status it got. */
  ranges: ServedRange[];
  statuses: number[];
}

export interface HubDouble {
  /** e.g. http://127.0.0.1:41234: use as the store's hubBaseUrl. */
  readonly baseUrl: string;
  faults: HubFaults;
  /** Entries per page of a tree listing (default: all on one page). */
  treePageSize: number | undefined;
  readonly stats: HubStats;
  /** Adds or replaces a file; a replaced file gets new bytes and a new ETag. */
  setFile(repo: string, path: string, bytes: Uint8Array, revision?: string): void;
  /** `${baseUrl}/${repo}/resolve/${revision}/${path}` */
  resolveUrl(repo: string, path: string, revision?: string): string;
  expireTokens(): void;
  resetStats(): void;
  close(): Promise<void>;
}

interface HostedFile {
  readonly bytes: Uint8Array;
  readonly etag: string;
  readonly sha256: string;
}

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'Content-Range, ETag, Content-Length, Accept-Ranges, X-Linked-Size, X-Linked-ETag, Link',
};

function emptyStats(): HubStats {
  return { requests: 0, resolveRequests: 0, cdnRequests: 0, treeRequests: 0, bytesServed: 0, ranges: [], statuses: [] };
}

export async function startHubDouble(): Promise<HubDouble> {
  const files = new Map<string, HostedFile>(); // key: `${repo}@${rev}:${path}`
  const tokens = new Map<string, { expired: boolean }>();
  let stats = emptyStats();
  const double = {
    faults: {} as HubFaults,
    treePageSize: undefined as number | undefined,
    get stats(): HubStats {
      return stats;
    },
  };

  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

  const send = (res: ServerResponse, status: number, headers: Record<string, string | number>, body?: Uint8Array | string): void => {
    stats.statuses.push(status);
    res.writeHead(status, { ...CORS, ...headers });
    if (body !== undefined) stats.bytesServed += typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    res.end(body === undefined ? undefined : typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.length));
  };

  /** Sends `body`; with `close`, drops the connection after it instead of ending the response. */
  async function sendBody(res: ServerResponse, body: Uint8Array, close = false): Promise<void> {
    const f = double.faults;
    let limit = body.length;
    let drop = close;
    if (f.drop && f.drop.count > 0 && (f.drop.skip ?? 0) > 0) {
      f.drop.skip = (f.drop.skip ?? 0) - 1;
    } else if (f.drop && f.drop.count > 0) {
      f.drop.count--;
      limit = Math.min(limit, f.drop.afterBytes);
      drop = true;
    }
    const chunk = f.slowBody?.chunkBytes ?? 256 * 1024;
    for (let at = 0; at < limit; at += chunk) {
      const part = body.subarray(at, Math.min(limit, at + chunk));
      stats.bytesServed += part.length;
      const ok = res.write(Buffer.from(part.buffer, part.byteOffset, part.length));
      if (f.slowBody) await sleep(f.slowBody.chunkDelayMs);
      else if (!ok) await new Promise((r) => res.once('drain', r));
      if (res.destroyed) return;
    }
    if (drop) {
      // Let the bytes leave before the connection dies mid-body.
      await sleep(5);
      res.socket?.destroy();
      return;
    }
    res.end();
  }

  function serveRange(req: IncomingMessage, res: ServerResponse, path: string, file: HostedFile): Promise<void> | void {
    const size = file.bytes.length;
    const head = { ETag: file.etag, 'Accept-Ranges': 'bytes' };
    const range = req.headers.range;
    if (!range) {
      stats.ranges.push({ path, first: 0, last: size - 1, status: 200 });
      stats.statuses.push(200);
      res.writeHead(200, { ...CORS, ...head, 'Content-Length': size });
      return sendBody(res, file.bytes);
    }
    const m = /^bytes=(\d*)-(\d*)$/.exec(range);
    let first = m && m[1] !== '' ? Number(m[1]) : NaN;
    let last = m && m[2] !== '' ? Number(m[2]) : size - 1;
    if (m && m[1] === '' && m[2] !== '') {
      first = Math.max(0, size - Number(m[2])); // suffix range: the last N bytes
      last = size - 1;
    }
    last = Math.min(last, size - 1);
    if (!m || !(first <= last)) {
      stats.ranges.push({ path, first, last, status: 416 });
      return send(res, 416, { ...head, 'Content-Range': `bytes */${size}` }, '');
    }
    let body = file.bytes.subarray(first, last + 1);
    const wrong = double.faults.wrongLength;
    if (wrong && wrong.count > 0 && (wrong.skip ?? 0) > 0) {
      wrong.skip = (wrong.skip ?? 0) - 1;
    } else if (wrong && wrong.count > 0) {
      wrong.count--;
      body = wrong.delta < 0 ? body.subarray(0, Math.max(0, body.length + wrong.delta)) : concatBytes([body, new Uint8Array(wrong.delta).fill(0xab)]);
    }
    let overstated = 0;
    const over = double.faults.overstatedLength;
    if (over && over.count > 0 && (over.skip ?? 0) > 0) {
      over.skip = (over.skip ?? 0) - 1;
    } else if (over && over.count > 0) {
      over.count--;
      overstated = over.extra;
    }
    stats.ranges.push({ path, first, last, status: 206 });
    stats.statuses.push(206);
    res.writeHead(206, { ...CORS, ...head, 'Content-Range': `bytes ${first}-${last}/${size}`, 'Content-Length': body.length + overstated });
    if (overstated > 0) return sendBody(res, body, true);
    return sendBody(res, body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    stats.requests++;
    const url = new URL(req.url ?? '/', 'http://double');
    const f = double.faults;
    if (req.method === 'OPTIONS') return send(res, 204, { 'Access-Control-Allow-Headers': 'Range', 'Access-Control-Allow-Methods': 'GET, HEAD' });
    if (f.latencyMs) await sleep(f.latencyMs);
    const parts = url.pathname.split('/').slice(1).map(decodeURIComponent);

    // /api/models/<owner>/<repo>/tree/<rev>[/<dir>][?recursive=true][&cursor=N]
    if (parts[0] === 'api' && parts[1] === 'models' && parts[4] === 'tree') {
      stats.treeRequests++;
      const repo = `${parts[2]}/${parts[3]}`;
      const rev = parts[5] ?? 'main';
      const dir = parts.slice(6).join('/');
      const recursive = url.searchParams.get('recursive') === 'true';
      const prefix = `${repo}@${rev}:`;
      const paths = [...files.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
      if (paths.length === 0) return send(res, 404, { 'Content-Type': 'application/json' }, '{"error":"Repository not found"}');
      const under = paths.filter((p) => !dir || p.startsWith(`${dir}/`)).map((p) => (dir ? p.slice(dir.length + 1) : p));
      const at = (p: string): string => (dir ? `${dir}/${p}` : p);
      const dirs = recursive ? [] : [...new Set(under.filter((p) => p.includes('/')).map((p) => p.slice(0, p.indexOf('/'))))];
      const entries = [
        ...dirs.map((d) => ({ type: 'directory', path: at(d), size: 0, oid: '0'.repeat(40) })),
        ...under
          .filter((p) => recursive || !p.includes('/'))
          .map((p) => {
            const file = files.get(`${prefix}${at(p)}`) as HostedFile;
            return { type: 'file', path: at(p), size: file.bytes.length, oid: file.sha256.slice(0, 40), lfs: { oid: file.sha256, size: file.bytes.length, pointerSize: 134 } };
          }),
      ];
      // Pages as the Hub sends them: a Link header with rel="next" until the last.
      const size = double.treePageSize ?? entries.length;
      const from = Number(url.searchParams.get('cursor') ?? 0);
      const page = entries.slice(from, from + size);
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      if (from + size < entries.length) {
        const next = new URL(url.pathname + url.search, baseUrl);
        next.searchParams.set('cursor', String(from + size));
        headers.Link = `<${next.href}>; rel="next"`;
      }
      return send(res, 200, headers, JSON.stringify(page));
    }

    if (f.status && f.status.count > 0) {
      f.status.count--;
      const retry: Record<string, number> = f.status.retryAfterSeconds === undefined ? {} : { 'Retry-After': f.status.retryAfterSeconds };
      return send(res, f.status.code, retry, `injected ${f.status.code}`);
    }

    // /<owner>/<repo>/resolve/<rev>/<file...>  →  302 to the CDN
    if (parts[2] === 'resolve' && parts.length >= 5) {
      stats.resolveRequests++;
      const repo = `${parts[0]}/${parts[1]}`;
      const rev = parts[3];
      const path = parts.slice(4).join('/');
      const file = files.get(`${repo}@${rev}:${path}`);
      if (!file) return send(res, 404, { 'X-Error-Code': 'EntryNotFound' }, 'Entry not found');
      const token = randomBytes(8).toString('hex');
      tokens.set(token, { expired: false });
      const cdn = `${baseUrl}/cdn/${repo}/${encodeURIComponent(rev)}/${parts.slice(4).map(encodeURIComponent).join('/')}?token=${token}&Expires=${Date.now() + 3_600_000}`;
      return send(res, 302, { Location: cdn, 'X-Linked-Size': file.bytes.length, 'X-Linked-ETag': file.etag }, '');
    }

    // /cdn/<owner>/<repo>/<rev>/<file...>?token=
    if (parts[0] === 'cdn' && parts.length >= 5) {
      stats.cdnRequests++;
      const token = tokens.get(url.searchParams.get('token') ?? '');
      if (f.expireTokensAfter !== undefined) {
        if (f.expireTokensAfter <= 0) {
          for (const t of tokens.values()) t.expired = true;
          f.expireTokensAfter = undefined;
        } else f.expireTokensAfter--;
      }
      if (!token || token.expired) return send(res, 403, { 'Content-Type': 'application/xml' }, '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
      const repo = `${parts[1]}/${parts[2]}`;
      const path = parts.slice(4).join('/');
      const file = files.get(`${repo}@${parts[3]}:${path}`);
      if (!file) return send(res, 404, {}, 'Not found');
      return serveRange(req, res, path, file);
    }
    return send(res, 404, {}, 'Not found');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, {}, String(e));
      else res.destroy();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return Object.assign(double, {
    baseUrl,
    setFile(repo: string, path: string, bytes: Uint8Array, revision = 'main'): void {
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      files.set(`${repo}@${revision}:${path}`, { bytes, sha256, etag: `"${sha256}"` });
    },
    resolveUrl: (repo: string, path: string, revision = 'main'): string => `${baseUrl}/${repo}/resolve/${revision}/${path}`,
    expireTokens(): void {
      for (const t of tokens.values()) t.expired = true;
    },
    resetStats(): void {
      stats = emptyStats();
    },
    close: (): Promise<void> =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  });
}
