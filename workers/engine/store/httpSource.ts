// A remote GGUF file (a Hub file or any HTTPS URL) as the byte source of a download: resolved
// once, header read by range requests, records fetched with retries and link refreshes.

import type { ModelBytes } from './acquire.ts';
import type { StoreContext } from './context.ts';
import { readModelHeader } from './header.ts';
import type { ModelHeader } from './header.ts';
import { hubFileInfo, sourceUrl } from './hub.ts';
import type { HubFileInfo } from './hub.ts';
import { RemoteFile } from './remote.ts';
import type { RemoteIdentity } from './remote.ts';
import { withRetry } from './retry.ts';
import { partSources, splitModelBytes } from './splitBytes.ts';
import type { ModelSource } from './types.ts';

/** A remote file, or every part of a remote split file (`-00001-of-0000N.gguf`) as one. */
export function httpModelBytes(ctx: StoreContext, source: ModelSource): ModelBytes {
  const parts = partSources(source);
  return parts.length === 1
    ? remoteFileBytes(ctx, source)
    : splitModelBytes(
        source,
        parts.map((p) => remoteFileBytes(ctx, p)),
      );
}

function remoteFileBytes(ctx: StoreContext, source: ModelSource): ModelBytes {
  const url = sourceUrl(source, ctx.hubBaseUrl);
  const remote = new RemoteFile(url, ctx.fetch);
  let hubInfo: Promise<HubFileInfo | undefined> | undefined;
  const hubLookup = (signal: AbortSignal): Promise<HubFileInfo | undefined> => {
    if (source.kind !== 'hub') return Promise.resolve(undefined);
    hubInfo ??= hubFileInfo(ctx.fetch, ctx.hubBaseUrl, source.repo, source.revision || 'main', source.file, signal);
    return hubInfo;
  };
  let identity: RemoteIdentity | undefined;

  /** One range with retries; a 403 on a signed link re-resolves it first. */
  const range = (offset: number, length: number, signal: AbortSignal, onBytes: (n: number) => void, what: string): Promise<Uint8Array> => {
    let failedUrl = remote.rangeUrl;
    return withRetry(
      async () => {
        failedUrl = remote.rangeUrl;
        let got = 0;
        try {
          return await remote.range(offset, length, signal, (n) => {
            got += n;
            onBytes(n);
          });
        } catch (e) {
          if (got > 0) onBytes(-got);
          throw e;
        }
      },
      { policy: ctx.retry, clock: ctx.clock, signal, what, refresh: () => remote.refresh(failedUrl, signal) },
    );
  };

  return {
    source,
    url,
    revision: source.kind === 'hub' ? source.revision || 'main' : undefined,
    verb: 'download',
    async identify(signal) {
      identity = await withRetry(() => remote.resolve(signal, async () => (await hubLookup(signal))?.size), {
        policy: ctx.retry,
        clock: ctx.clock,
        signal,
        what: `Reaching ${url}`,
      });
      return identity;
    },
    readHeader(signal): Promise<ModelHeader> {
      if (!identity) throw new Error('readHeader before identify');
      const size = identity.size;
      return readModelHeader(
        async (offset, length) => {
          const n = Math.min(length, size - offset);
          return n > 0 ? range(offset, n, signal, () => {}, `Reading the header of ${url}`) : new Uint8Array(0);
        },
        size,
        url,
      );
    },
    async sha256(signal) {
      return (await hubLookup(signal))?.sha256;
    },
    fetchRecord: (spec, signal, onBytes) => range(spec.offset, spec.length, signal, onBytes, `Downloading ${spec.key}`),
  };
}
