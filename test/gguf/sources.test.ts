// readGguf over every kind of byte source: a Blob, HTTP Range requests against a local server
// (206, a redirect, a server that ignores Range, errors, an unknown total size) and a source
// that cannot tell its size. A header bigger than the first read must be fetched in pieces
// without downloading the tensor data behind it.

import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GgufError } from '../../workers/engine/gguf/errors.ts';
import { parseGguf, readGguf } from '../../workers/engine/gguf/reader.ts';
import { expertSlice } from '../../workers/engine/gguf/slices.ts';
import { blobSource, bytesSource, totalFromContentRange, urlSource } from '../../workers/engine/gguf/sources.ts';
import type { ByteSource, GgufFile } from '../../workers/engine/gguf/types.ts';
import { kv, writeGguf } from '../../reference/gguf/writer.ts';
import { ggmlTypeByName } from '../../workers/engine/quant/types.ts';
import { layoutOf, patternBytes, setU64 } from './helpers.ts';

const small = writeGguf({
  metadata: [kv.string('general.architecture', 'qwen3moe'), kv.strings('tokenizer.ggml.tokens', ['a', 'b', '専門'])],
  tensors: [
    { name: 'blk.0.ffn_gate_exps.weight', dims: [64, 16, 8], type: ggmlTypeByName('Q8_0'), data: patternBytes(8704, 7) },
    { name: 'output_norm.weight', dims: [17], type: ggmlTypeByName('F32'), data: patternBytes(68, 8) },
  ],
});

// A ~3.4 MB header (120k tokens), bigger than the reader's 2 MiB first read, then 8 MiB of data.
const bigTokens = Array.from({ length: 120_000 }, (_, i) => `token_${String(i).padStart(6, '0')}_abcdefg`);
const bigData = new Uint8Array(8 << 20);
for (let i = 0; i < bigData.length; i += 4096) bigData[i] = (i >> 12) & 0xff;
const big = writeGguf({
  metadata: [kv.string('general.architecture', 'llama'), kv.strings('tokenizer.ggml.tokens', bigTokens)],
  tensors: [{ name: 'token_embd.weight', dims: [1024, 2048], type: ggmlTypeByName('F32'), data: bigData }],
});
const bigFile = parseGguf(big);

const files: Record<string, Uint8Array> = { '/small.gguf': small, '/big.gguf': big };

/** Body bytes the server has sent, and the Range headers it saw, since the last reset. */
let sent = 0;
let ranges: string[] = [];

/** Answers `range` (a Range header, or undefined to send the whole body with 200). */
function serveRange(range: string | undefined, res: ServerResponse, body: Uint8Array, totalKnown: boolean): void {
  const m = /^bytes=(\d+)-(\d*)$/.exec(range ?? '');
  if (!m) {
    res.writeHead(200, { 'Content-Length': body.length });
    sent += body.length;
    res.end(body);
    return;
  }
  const first = Number(m[1]);
  const last = Math.min(m[2] === '' ? body.length - 1 : Number(m[2]), body.length - 1);
  if (first > last) {
    res.writeHead(416, { 'Content-Range': `bytes */${body.length}` });
    res.end();
    return;
  }
  const part = body.subarray(first, last + 1);
  res.writeHead(206, { 'Content-Length': part.length, 'Content-Range': `bytes ${first}-${last}/${totalKnown ? body.length : '*'}` });
  sent += part.length;
  res.end(part);
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? '/';
  ranges.push(`${url} ${req.headers.range ?? '-'}`);
  const [, prefix, name] = /^(\/[a-z]+)?(\/[a-z]+\.gguf)$/.exec(url) ?? [];
  const body = name === undefined ? undefined : files[name];
  if (body === undefined || url === '/fail.gguf') {
    res.writeHead(url === '/fail.gguf' ? 500 : 404);
    res.end('no');
    return;
  }
  switch (prefix) {
    case undefined:
      return serveRange(req.headers.range, res, body, true);
    case '/redirect':
      res.writeHead(302, { Location: name });
      res.end();
      return;
    case '/norange':
      return serveRange(undefined, res, body, true);
    case '/nosize':
      return serveRange(req.headers.range, res, body, false);
    case '/flaky':
      // Answers the 1-byte probe, then fails every read after it.
      if (req.headers.range === 'bytes=0-0') return serveRange(req.headers.range, res, body, true);
      res.writeHead(503);
      res.end();
      return;
    default:
      res.writeHead(404);
      res.end();
  }
}

let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  sent = 0;
  ranges = [];
});

/** A source that does not know its size, over `bytes`; counts what it hands out. */
function unsizedSource(bytes: Uint8Array): ByteSource & { readonly handedOut: () => number } {
  let n = 0;
  return {
    size: undefined,
    read: async (offset, length) => {
      const part = bytes.subarray(offset, Math.min(bytes.length, offset + length));
      n += part.length;
      return part;
    },
    handedOut: () => n,
  };
}

/** `f` with its fileSize blanked, to compare parses whose sources knew different sizes. */
const withoutSize = (f: GgufFile): GgufFile => ({ ...f, fileSize: 0 });

describe('readGguf over a Blob', () => {
  it('reads the small file', async () => {
    expect(await readGguf(blobSource(new Blob([small.slice()])))).toEqual(parseGguf(small));
  });
  it('reads a header bigger than the first read', async () => {
    expect(await readGguf(blobSource(new Blob([big.slice()])))).toEqual(bigFile);
  });
});

describe('readGguf over HTTP Range requests', () => {
  it('reads the small file with 206 answers, and expert slices read back the written bytes', async () => {
    const source = await urlSource(`${base}/small.gguf`);
    expect(source.size).toBe(small.length);
    const file = await readGguf(source);
    expect(file).toEqual(parseGguf(small));
    expect(ranges[0]).toBe('/small.gguf bytes=0-0');
    const gate = file.tensorByName.get('blk.0.ffn_gate_exps.weight');
    if (!gate) throw new Error('gate missing');
    const slice = expertSlice(gate, 5);
    expect(ranges.length).toBe(2);
    const got = await source.read(slice.offset, slice.length);
    expect(ranges[2]).toBe(`/small.gguf bytes=${slice.offset}-${slice.offset + 1087}`);
    expect(got).toEqual(small.subarray(slice.offset, slice.offset + 1088));
  });

  it('follows a 302 redirect', async () => {
    const file = await readGguf(await urlSource(`${base}/redirect/small.gguf`));
    expect(file).toEqual(parseGguf(small));
    expect(ranges).toContain('/small.gguf bytes=0-0');
  });

  it('copes with a server that ignores Range and answers 200 with the whole body', async () => {
    const source = await urlSource(`${base}/norange/small.gguf`);
    const file = await readGguf(source);
    expect(withoutSize(file)).toEqual(withoutSize(parseGguf(small)));
    expect(await source.read(100, 10)).toEqual(small.subarray(100, 110));
  });

  it('fetches a 3.4 MB header in pieces without downloading the tensor data', async () => {
    const file = await readGguf(await urlSource(`${base}/big.gguf`));
    expect(file).toEqual(bigFile);
    const header = bigFile.dataOffset;
    expect(header).toBeGreaterThan(3_000_000);
    expect(sent).toBeGreaterThanOrEqual(header);
    expect(sent).toBeLessThan(2 * header);
    expect(sent).toBeLessThan(big.length / 2);
  });

  it('reads a header when Content-Range gives no total (bytes a-b/*)', async () => {
    const source = await urlSource(`${base}/nosize/big.gguf`);
    expect(source.size).toBeUndefined();
    const file = await readGguf(source);
    expect(file.fileSize).toBeUndefined();
    expect(withoutSize(file)).toEqual(withoutSize(bigFile));
    expect(sent).toBeLessThan(2 * bigFile.dataOffset);
  });

  it('turns HTTP 500 into GgufError read_failed naming the status', async () => {
    const err = await urlSource(`${base}/fail.gguf`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GgufError);
    expect(err).toMatchObject({ code: 'read_failed' });
    expect(String((err as GgufError).message)).toContain('500');
  });

  it('turns a failure after the probe into read_failed', async () => {
    const source = await urlSource(`${base}/flaky/small.gguf`);
    await expect(readGguf(source)).rejects.toMatchObject({ name: 'GgufError', code: 'read_failed', message: expect.stringContaining('503') });
  });

  it('turns a refused connection into read_failed', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(urlSource(`http://127.0.0.1:${port}/x.gguf`)).rejects.toMatchObject({ code: 'read_failed' });
  });
});

describe('readGguf over other sources', () => {
  it('reads a small file from a source of unknown size, learning the size at its end', async () => {
    const file = await readGguf(unsizedSource(small));
    expect(file).toEqual(parseGguf(small));
  });

  it('reads a big header from a source of unknown size without reading the data', async () => {
    const source = unsizedSource(big);
    const file = await readGguf(source);
    expect(file.fileSize).toBeUndefined();
    expect(withoutSize(file)).toEqual(withoutSize(bigFile));
    expect(source.handedOut()).toBeLessThan(2 * bigFile.dataOffset);
  });

  it('rejects a 2^32 array count early in a header of unknown size as truncated (not a RangeError)', async () => {
    // While the size is unknown the count cannot be bounded by the file; the reader must not
    // preallocate it (new Array(2^32) throws RangeError; smaller counts allocate huge arrays).
    for (const count of [1n << 32n, 1n << 40n, 15_000_000n]) {
      const bytes = big.slice();
      setU64(bytes, layoutOf(big).kvs[1].arrayCountPos[0], count);
      await expect(readGguf(unsizedSource(bytes))).rejects.toMatchObject({ name: 'GgufError', code: 'truncated' });
    }
  });

  it('reports a truncated file of unknown size as truncated', async () => {
    await expect(readGguf(unsizedSource(small.subarray(0, 100)))).rejects.toMatchObject({ code: 'truncated' });
    await expect(readGguf(unsizedSource(big.subarray(0, 3_000_000)))).rejects.toMatchObject({ code: 'truncated' });
  });

  it('wraps an exception of the source in read_failed', async () => {
    const broken: ByteSource = { size: 1000, read: () => Promise.reject(new Error('disk gone')) };
    await expect(readGguf(broken)).rejects.toMatchObject({ code: 'read_failed', message: expect.stringContaining('disk gone') });
  });

  it('reads only the header from a sized source too', async () => {
    let n = 0;
    const inner = bytesSource(big);
    const counting: ByteSource = { size: big.length, read: async (o, l) => ((n += l), inner.read(o, l)) };
    expect(await readGguf(counting)).toEqual(bigFile);
    expect(n).toBeLessThan(2 * bigFile.dataOffset);
  });

  it('parses Content-Range totals', () => {
    expect(totalFromContentRange('bytes 0-0/12345')).toBe(12345);
    expect(totalFromContentRange('bytes 0-0/*')).toBeUndefined();
    expect(totalFromContentRange(null)).toBeUndefined();
  });
});
