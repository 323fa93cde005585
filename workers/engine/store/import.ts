// A GGUF file the user picked or dropped, as the byte source of a store: validated by its
// header, then stored as the same records as a download, with no network. Its identity is
// size + lastModified, so picking a different file under the same id is caught, and picking the
// same file again resumes an interrupted import.

import type { ModelBytes } from './acquire.ts';
import { abortedError, StoreError } from './errors.ts';
import { readModelHeader } from './header.ts';
import { GgufError } from '../gguf/errors.ts';
import { blobSource } from '../gguf/sources.ts';
import { openParts } from '../gguf/split.ts';
import { splitModelBytes } from './splitBytes.ts';
import type { FileSource, ModelSource } from './types.ts';

async function slice(blob: Blob, offset: number, length: number, name: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
  } catch (e) {
    // A file that was moved or changed after it was picked can no longer be read.
    throw new StoreError('not_found', `${name} could not be read any more (${e instanceof Error ? e.message : String(e)}); pick the file again`, { cause: e });
  }
}

/** Picked files as one model: a whole file, or the parts of a split one put in part order. */
export async function localModelBytes(files: readonly Blob[]): Promise<ModelBytes> {
  if (files.length === 1) return blobModelBytes(files[0]);
  let ordered: Blob[];
  try {
    ordered = (await openParts(files.map((f) => Object.assign(blobSource(f), { blob: f })))).ordered.map((s) => s.blob);
  } catch (e) {
    if (e instanceof GgufError) throw new StoreError('invalid_gguf', `The picked files are not one split GGUF model (${e.code}): ${e.message}. Nothing was stored`, { detail: e.code, cause: e });
    throw e;
  }
  const parts = ordered.map((f) => blobModelBytes(f));
  const first = parts[0].source as FileSource;
  return splitModelBytes({ ...first, size: files.reduce((n, f) => n + f.size, 0) }, parts);
}

export function blobModelBytes(blob: Blob, name?: string): ModelBytes {
  const fileName = name ?? (blob instanceof File ? blob.name : 'model.gguf');
  const lastModified = blob instanceof File ? blob.lastModified : 0;
  const source: ModelSource = { kind: 'file', name: fileName, size: blob.size, lastModified };
  return {
    source,
    url: undefined,
    revision: undefined,
    verb: 'import',
    identify: async () => ({ size: blob.size, etag: `file:${blob.size}:${lastModified}` }),
    readHeader: () => readModelHeader((offset, length) => slice(blob, offset, length, fileName), blob.size, fileName),
    sha256: async () => undefined,
    fetchRecord: async (spec, signal, onBytes) => {
      if (signal.aborted) throw abortedError('The import');
      const bytes = await slice(blob, spec.offset, spec.length, fileName);
      onBytes(bytes.length);
      return bytes;
    },
  };
}
