// Where an engine reads weight bytes from: a local file, a URL, or the IndexedDB model store.
// Backends ask for one tensor or one expert's slice at a time, so no source ever has to hold
// the whole file in memory.

import type { ByteRange } from '../gguf/slices.ts';
import type { ByteSource, GgufFile } from '../gguf/types.ts';

export interface WeightSource {
  readonly file: GgufFile;
  /** Exactly the bytes of `range` (a tensorRange or an expertSlice of `file`). */
  read(range: ByteRange): Promise<Uint8Array>;
}

/** Weights read straight from a byte source (File/Blob, URL, buffer). */
export function weightsFromByteSource(file: GgufFile, source: ByteSource): WeightSource {
  return {
    file,
    read: async ({ offset, length }) => {
      const bytes = await source.read(offset, length);
      if (bytes.length !== length) throw new RangeError(`read ${bytes.length} bytes at ${offset}, expected ${length}`);
      return bytes;
    },
  };
}
