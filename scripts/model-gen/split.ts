// Cuts a GGUF file into parts the way llama.cpp's gguf-split does (`--split-max-tensors`): every
// part carries split.no (u16), split.count (u16) and split.tensors.count (i32); the first part
// also carries all the metadata; the tensors go to the parts in file order.

import { parseGguf } from '../../workers/engine/gguf/reader.ts';
import { kv, writeGguf } from '../../reference/gguf/writer.ts';

export function splitGguf(bytes: Uint8Array, parts: number): Uint8Array[] {
  const file = parseGguf(bytes);
  if (!(parts >= 2 && parts <= file.tensors.length)) throw new RangeError(`cannot cut ${file.tensors.length} tensors into ${parts} parts`);
  const n = file.tensors.length;
  return Array.from({ length: parts }, (_, k) => {
    const split = [kv.u16('split.no', k), kv.u16('split.count', parts), kv.i32('split.tensors.count', n)];
    const tensors = file.tensors.slice(Math.floor((k * n) / parts), Math.floor(((k + 1) * n) / parts)).map((t) => ({
      name: t.name,
      dims: t.dims,
      type: t.type,
      data: bytes.subarray(t.byteOffset, t.byteOffset + t.byteLength),
    }));
    return writeGguf({ metadata: k === 0 ? [...split, ...file.metadata.values()] : split, tensors });
  });
}

/** `<stem>-00001-of-0000N.gguf`, llama.cpp's part names. */
export function splitPartName(stem: string, k: number, parts: number): string {
  return `${stem}-${String(k + 1).padStart(5, '0')}-of-${String(parts).padStart(5, '0')}.gguf`;
}
