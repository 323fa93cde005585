// One remote file read by HTTP Range requests: resolve (follow the Hub's 302 to a signed CDN
// URL), then ranges from the CDN URL, each response checked against the file's identity
// (size from Content-Range, ETag) and read to exactly the requested length. Requests stay
// CORS-simple: GET with only a Range header, so no preflight (MOE-GGUF.md §5).

import { totalFromContentRange } from '../gguf/sources.ts';
import { abortedError, formatBytes, isAbortError, StoreError } from './errors.ts';

export interface RemoteIdentity {
  readonly size: number;
  readonly etag: string | undefined;
}

export class RemoteFile {
  /** The URL ranges are fetched from: the resolve URL after redirects (a signed CDN URL). */
  private current: string;
  private identity: RemoteIdentity | undefined;
  private refreshing: Promise<void> | undefined;

  constructor(
    /** The stable URL (Hub resolve URL, or the user's URL). */
    readonly url: string,
    private readonly fetchImpl: typeof fetch,
  ) {
    this.current = url;
  }

  /** Follows the redirects with a `bytes=0-0` probe (not HEAD: see MOE-GGUF.md §5). */
  async resolve(signal: AbortSignal, sizeFallback?: () => Promise<number | undefined>): Promise<RemoteIdentity> {
    const { url, identity } = await this.probe(signal, sizeFallback);
    this.current = url;
    this.identity = identity;
    return identity;
  }

  private async probe(signal: AbortSignal, sizeFallback?: () => Promise<number | undefined>): Promise<{ url: string; identity: RemoteIdentity }> {
    const res = await this.get(this.url, 0, 0, signal, true);
    await res.body?.cancel().catch(() => {});
    if (res.status !== 206) {
      throw new StoreError('http', `${host(this.url)} ignored the Range request (HTTP ${res.status}); Pakar needs range requests to download a model piece by piece`, { status: res.status });
    }
    const size = totalFromContentRange(res.headers.get('content-range')) ?? (await sizeFallback?.());
    if (size === undefined) {
      throw new StoreError('http', `${host(this.url)} did not say how big the file is (no readable Content-Range); Pakar cannot plan the download`, { status: res.status });
    }
    return { url: res.url || this.url, identity: { size, etag: res.headers.get('etag') ?? undefined } };
  }

  /**
   * After a 403 on `failedUrl` (an expired signed link): resolve again, once for all concurrent
   * callers, and check the file is still the same one. Returns false when there is nothing to
   * refresh (the stable URL itself refused).
   */
  async refresh(failedUrl: string, signal: AbortSignal): Promise<boolean> {
    if (failedUrl === this.url && this.current === this.url) return false;
    if (failedUrl !== this.current) return true; // someone already refreshed it
    this.refreshing ??= (async () => {
      try {
        const fresh = await this.probe(signal);
        // A changed file must not be read through the new link as if it were the old one.
        if (this.identity) checkSame(this.identity, fresh.identity, this.url);
        this.current = fresh.url;
      } finally {
        this.refreshing = undefined;
      }
    })();
    await this.refreshing;
    return true;
  }

  /** The URL the next range request goes to (for `refresh`). */
  get rangeUrl(): string {
    return this.current;
  }

  /** Bytes [offset, offset + length) as one request; `onBytes` hears each chunk as it arrives. */
  async range(offset: number, length: number, signal: AbortSignal, onBytes: (n: number) => void): Promise<Uint8Array> {
    const id = this.identity;
    if (!id) throw new Error('RemoteFile.range before resolve');
    const url = this.current;
    const res = await this.get(url, offset, offset + length - 1, signal, false);
    if (res.status !== 206) {
      await res.body?.cancel().catch(() => {});
      throw new StoreError('http', `${host(url)} answered HTTP ${res.status} instead of 206 to a range request`, { status: res.status });
    }
    const contentRange = res.headers.get('content-range');
    const total = totalFromContentRange(contentRange);
    const etag = res.headers.get('etag') ?? undefined;
    if ((total !== undefined && total !== id.size) || (etag !== undefined && id.etag !== undefined && etag !== id.etag)) {
      await res.body?.cancel().catch(() => {});
      checkSame(id, { size: total ?? id.size, etag: etag ?? id.etag }, this.url);
    }
    const m = contentRange?.match(/^bytes (\d+)-(\d+)\//);
    if (m && (Number(m[1]) !== offset || Number(m[2]) !== offset + length - 1)) {
      await res.body?.cancel().catch(() => {});
      throw new StoreError('corrupt', `${host(url)} sent bytes ${m[1]}-${m[2]} when asked for ${offset}-${offset + length - 1}`, { detail: 'range' });
    }
    return readExactly(res, length, signal, onBytes, `bytes ${offset}-${offset + length - 1} from ${host(url)}`);
  }

  private async get(url: string, first: number, last: number, signal: AbortSignal, fresh: boolean): Promise<Response> {
    let res: Response;
    try {
      // Only Range: any other header (Authorization, custom ones) would cost a preflight, which
      // the Hub's CDN has been seen to fail.
      res = await this.fetchImpl(url, { headers: { Range: `bytes=${first}-${last}` }, signal, redirect: 'follow', ...(fresh ? { cache: 'no-store' as const } : {}) });
    } catch (e) {
      if (signal.aborted || isAbortError(e)) throw abortedError('The download');
      throw new StoreError('network', `could not reach ${host(url)} (${e instanceof Error ? e.message : String(e)}); check the connection`, { cause: e });
    }
    if (res.status === 206 || res.status === 200) return res;
    await res.body?.cancel().catch(() => {});
    throw httpError(res, url);
  }
}

function checkSame(before: RemoteIdentity, now: RemoteIdentity, url: string): void {
  if (before.size !== now.size || (before.etag !== undefined && now.etag !== undefined && before.etag !== now.etag)) {
    const what = before.size !== now.size ? `its size went from ${before.size} to ${now.size} bytes` : `its ETag went from ${before.etag} to ${now.etag}`;
    throw new StoreError('remote_changed', `The file at ${url} changed on the server (${what}). The stored part belongs to the old file: delete it and download again to get the new one`);
  }
}

function httpError(res: Response, url: string): StoreError {
  const s = res.status;
  const retryAfter = Number(res.headers.get('retry-after'));
  const extra = { status: s, retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined };
  if (s === 401 || s === 403) {
    return new StoreError('access_denied', `${host(url)} refused access (HTTP ${s}): the repository may be gated or private (accept its licence on the Hub), or the link expired`, extra);
  }
  if (s === 404 || s === 410) return new StoreError('remote_missing', `${url} was not found (HTTP ${s}): check the repository, file name and revision`, extra);
  if (s === 416) return new StoreError('remote_changed', `${host(url)} says the requested bytes are past the end of the file (HTTP 416): the file changed on the server`, extra);
  if (s === 429) return new StoreError('http', `${host(url)} is rate-limiting downloads (HTTP 429)`, extra);
  return new StoreError('http', `${host(url)} answered HTTP ${s}${s >= 500 ? ' (a problem on the server)' : ''}`, extra);
}

/** Reads the body into exactly `length` bytes; a shorter or longer body is `corrupt`. */
async function readExactly(res: Response, length: number, signal: AbortSignal, onBytes: (n: number) => void, what: string): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let n = 0;
  if (!res.body) throw new StoreError('corrupt', `${what}: the response had no body`, { detail: 'length' });
  const reader = res.body.getReader();
  try {
    for (;;) {
      // Done as soon as every byte asked for is here: a Content-Length larger than the body
      // makes the browser fail the stream after them, which is not a dropped connection.
      if (n === length) {
        await reader.cancel().catch(() => {});
        break;
      }
      const { done, value } = await reader.read();
      if (done) break;
      if (n + value.length > length) {
        throw new StoreError('corrupt', `${what}: the server sent more than the ${formatBytes(length)} asked for`, { detail: 'length' });
      }
      out.set(value, n);
      n += value.length;
      onBytes(value.length);
    }
  } catch (e) {
    await reader.cancel().catch(() => {});
    if (e instanceof StoreError) throw e;
    if (signal.aborted || isAbortError(e)) throw abortedError('The download');
    throw new StoreError('network', `${what}: the connection dropped after ${n} of ${length} bytes`, { cause: e });
  }
  if (n !== length) {
    const declared = res.headers.get('content-length');
    const why = declared !== null && Number(declared) !== length ? ` (the server declared Content-Length ${declared} for a range of ${length})` : '';
    throw new StoreError('corrupt', `${what}: the body ended after ${n} of ${length} bytes${why}`, { detail: 'length' });
  }
  return out;
}

function host(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
