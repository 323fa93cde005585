// Reading and validating a GGUF header before anything is stored: metadata and tensor table
// parsed by the GGUF reader, kept as the file's bytes [0, dataOffset) for the manifest.

import { GgufError } from '../gguf/errors.ts';
import { readGguf } from '../gguf/reader.ts';
import type { GgufFile } from '../gguf/types.ts';
import { StoreError } from './errors.ts';

export interface ModelHeader {
  readonly file: GgufFile;
  /** Bytes [0, file.dataOffset); for a split file, every part's header, one after another. */
  readonly header: Uint8Array;
  /** A split file's parts, in order (gguf/split.ts); absent for a whole file. */
  readonly parts?: readonly PartLayout[];
}

/** One part of a split file as the store keeps it. */
export interface PartLayout {
  /** Bytes of the part file. */
  readonly size: number;
  /** Bytes of its header within the stored header. */
  readonly headerLength: number;
}

/**
 * Parses the header of a `size`-byte file read through `read` (which returns exactly the bytes
 * asked for, short only at the end of the file). Only header bytes are read. A file the GGUF
 * reader rejects is a StoreError `invalid_gguf` whose `detail` is the GgufError code; a failure
 * of `read` itself comes out unchanged.
 */
export async function readModelHeader(read: (offset: number, length: number) => Promise<Uint8Array>, size: number, what: string): Promise<ModelHeader> {
  const pieces: Uint8Array[] = [];
  let readFailure: unknown;
  let file: GgufFile;
  try {
    file = await readGguf({
      size,
      read: async (offset, length) => {
        try {
          const bytes = await read(offset, length);
          pieces.push(bytes);
          return bytes;
        } catch (e) {
          readFailure = e;
          throw e;
        }
      },
    });
  } catch (e) {
    if (readFailure !== undefined) throw readFailure;
    if (e instanceof GgufError) {
      throw new StoreError('invalid_gguf', `${what} is not a usable GGUF file (${e.code}): ${e.message}. Nothing was stored`, { detail: e.code, cause: e });
    }
    throw e;
  }
  // The reader asks for consecutive ranges from 0, so the pieces are the file's first bytes.
  const have = pieces.reduce((n, p) => n + p.length, 0);
  if (have < file.dataOffset) pieces.push(await read(have, file.dataOffset - have));
  const header = new Uint8Array(file.dataOffset);
  let at = 0;
  for (const p of pieces) {
    if (at >= header.length) break;
    const take = p.subarray(0, header.length - at);
    header.set(take, at);
    at += take.length;
  }
  return { file, header };
}
