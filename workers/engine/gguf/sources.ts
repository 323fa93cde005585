// Byte sources the GGUF reader and the weight loader read from.

import { GgufError } from './errors.ts';
import type { ByteSource } from './types.ts';

export function bytesSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read: async (offset, length) => bytes.subarray(offset, Math.min(bytes.length, offset + length)),
  };
}

/** A File or Blob (a picked or dropped file; an IndexedDB record). */
export function blobSource(blob: Blob): ByteSource {
  return {
    size: blob.size,
    read: async (offset, length) => new Uint8Array(await blob.slice(offset, Math.min(blob.size, offset + length)).arrayBuffer()),
  };
}

/** The byte arrays one after another in one new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Sources laid end to end (the parts of a split file) as one; a read may span two of them. */
export function joinedSource(parts: readonly { readonly source: ByteSource; readonly size: number }[]): ByteSource {
  const total = parts.reduce((n, p) => n + p.size, 0);
  return {
    size: total,
    read: async (offset, length) => {
      const end = Math.min(total, offset + length);
      const out = new Uint8Array(Math.max(0, end - offset));
      let base = 0;
      for (const p of parts) {
        const from = Math.max(offset, base);
        const to = Math.min(end, base + p.size);
        if (from < to) out.set(await p.source.read(from - base, to - from), from - offset);
        base += p.size;
      }
      return out;
    },
  };
}

/** The total size from `Content-Range: bytes a-b/TOTAL`, or undefined when it is `*`. */
export function totalFromContentRange(header: string | null): number | undefined {
  const m = header?.match(/\/(\d+)\s*$/);
  return m ? Number(m[1]) : undefined;
}

/**
 * A remote file read with HTTP Range requests. Probes with `bytes=0-0` rather than HEAD
 * (the Hub's cached files can lose Content-Length on HEAD), and keeps requests CORS-simple.
 */
export async function urlSource(url: string, fetchImpl: typeof fetch = fetch): Promise<ByteSource> {
  const probe = await rangeFetch(fetchImpl, url, 0, 0);
  const size = totalFromContentRange(probe.headers.get('content-range'));
  await probe.body?.cancel();
  return {
    size,
    read: async (offset, length) => {
      const end = size === undefined ? offset + length : Math.min(size, offset + length);
      if (end <= offset) return new Uint8Array(0);
      const res = await rangeFetch(fetchImpl, url, offset, end - 1);
      const body = new Uint8Array(await res.arrayBuffer());
      // A server that ignores Range answers 200 with the whole file.
      return res.status === 200 ? body.subarray(offset, end) : body;
    },
  };
}

async function rangeFetch(fetchImpl: typeof fetch, url: string, first: number, last: number): Promise<Response> {
  let res: Response;
  try {
    res = await fetchImpl(url, { headers: { Range: `bytes=${first}-${last}` } });
  } catch (e) {
    throw new GgufError('read_failed', `network error reading ${url}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (res.status !== 206 && res.status !== 200) {
    throw new GgufError('read_failed', `${url} answered HTTP ${res.status} to a range request for bytes ${first}-${last}`);
  }
  return res;
}
