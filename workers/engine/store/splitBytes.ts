// A split GGUF (`-00001-of-0000N.gguf` parts, gguf/split.ts) as one byte source: part k's bytes
// lie after the parts before it, the headers are read and joined into one GgufFile, and each
// record is fetched from the one part that holds it (a tensor never spans two parts).

import { GgufError } from '../gguf/errors.ts';
import { concatBytes } from '../gguf/sources.ts';
import { joinSplitParts, splitPartNames } from '../gguf/split.ts';
import type { ModelBytes } from './acquire.ts';
import { StoreError } from './errors.ts';
import type { ModelHeader } from './header.ts';
import type { ModelSource } from './types.ts';

/** The sources of every part of a split file, or just `source` for a whole file. */
export function partSources(source: ModelSource): ModelSource[] {
  switch (source.kind) {
    case 'hub':
      return splitPartNames(source.file)?.map((file) => ({ ...source, file })) ?? [source];
    case 'url': {
      let u: URL;
      try {
        u = new URL(source.url);
      } catch {
        return [source];
      }
      const names = splitPartNames(u.pathname);
      return names?.map((pathname) => ({ kind: 'url', url: new URL(`${pathname}${u.search}`, u).href })) ?? [source];
    }
    case 'file':
      return [source];
  }
}

/** Lays `parts` end to end as the bytes of `source`. */
export function splitModelBytes(source: ModelSource, parts: readonly ModelBytes[]): ModelBytes {
  let sizes: number[] | undefined;
  const bases = (): number[] => {
    if (!sizes) throw new Error('split model read before identify');
    let at = 0;
    return sizes.map((s) => ((at += s), at - s));
  };
  return {
    source,
    url: parts[0].url,
    revision: parts[0].revision,
    verb: parts[0].verb,
    async identify(signal) {
      const ids = await Promise.all(parts.map((p) => p.identify(signal)));
      sizes = ids.map((id) => id.size);
      return { size: sizes.reduce((a, b) => a + b, 0), etag: ids.every((id) => id.etag === undefined) ? undefined : ids.map((id) => id.etag ?? '-').join(' ') };
    },
    async readHeader(signal): Promise<ModelHeader> {
      const headers = await Promise.all(parts.map((p) => p.readHeader(signal)));
      const s = sizes ?? [];
      let file;
      try {
        file = joinSplitParts(headers.map((h, k) => ({ file: h.file, size: s[k] })));
      } catch (e) {
        if (e instanceof GgufError)
          throw new StoreError('invalid_gguf', `${parts[0].url ?? 'The file'} is not a usable split GGUF (${e.code}): ${e.message}. Nothing was stored`, { detail: e.code, cause: e });
        throw e;
      }
      return { file, header: concatBytes(headers.map((h) => h.header)), parts: headers.map((h, k) => ({ size: s[k], headerLength: h.header.length })) };
    },
    sha256: async () => undefined,
    fetchRecord(spec, signal, onBytes) {
      const b = bases();
      let k = b.length - 1;
      while (k > 0 && b[k] > spec.offset) k--;
      const size = (sizes ?? [])[k];
      if (spec.offset + spec.length > b[k] + size) throw new RangeError(`${spec.key} spans two parts of the split file`);
      return parts[k].fetchRecord({ ...spec, offset: spec.offset - b[k] }, signal, onBytes);
    },
  };
}
