// Split GGUF files (llama.cpp's gguf-split): a model cut into `<name>-00001-of-0000N.gguf` parts.
// Every part is a GGUF file of its own with `split.no`, `split.count` and `split.tensors.count`;
// the first holds all the metadata, each holds some of the tensors, with offsets into its own
// data section. Pakar reads the parts as one file: part k's bytes lie at the sum of the earlier
// parts' sizes, so a tensor's byteOffset in the joined file is unique and a range never spans
// two parts.

import { GgufError } from './errors.ts';
import { optNumber } from './metadata.ts';
import { readGguf } from './reader.ts';
import { joinedSource } from './sources.ts';
import type { ByteSource, GgufFile, GgufTensorInfo } from './types.ts';

const SPLIT_NAME = /^(.*)-(\d{5})-of-(\d{5})\.gguf$/i;

/** The names of every part of the split file `path` belongs to, in order; undefined for a whole file. */
export function splitPartNames(path: string): string[] | undefined {
  const m = SPLIT_NAME.exec(path);
  if (!m) return undefined;
  const count = Number(m[3]);
  if (count < 1 || Number(m[2]) < 1 || Number(m[2]) > count) return undefined;
  const ext = path.slice(-'.gguf'.length);
  return Array.from({ length: count }, (_, i) => `${m[1]}-${String(i + 1).padStart(5, '0')}-of-${m[3]}${ext}`);
}

export interface SplitInfo {
  /** 0-based index of this part. */
  readonly no: number;
  readonly count: number;
  /** Tensors in all parts together. */
  readonly tensors: number;
}

/** The part's `split.*` keys; undefined for a file that is not a part of a split model. */
export function splitInfo(file: GgufFile): SplitInfo | undefined {
  const count = optNumber(file, 'split.count');
  if (count === undefined || count <= 1) return undefined;
  return { no: optNumber(file, 'split.no') ?? 0, count, tensors: optNumber(file, 'split.tensors.count') ?? file.tensors.length };
}

/** Where each part lies in the joined file. */
export interface SplitPart {
  readonly file: GgufFile;
  /** Bytes of the part file. */
  readonly size: number;
}

/**
 * The parts of a split model as one GgufFile: the first part's metadata (less `split.*`), every
 * part's tensors at offsets into the joined file. Checks that the parts are the whole set, in order.
 */
export function joinSplitParts(parts: readonly SplitPart[]): GgufFile {
  if (parts.length === 1) return parts[0].file;
  const first = splitInfo(parts[0].file);
  if (!first || first.count !== parts.length) {
    throw new GgufError('bad_split', `the first part says the model has ${first?.count ?? 1} parts, but ${parts.length} were given`);
  }
  const tensors: GgufTensorInfo[] = [];
  const tensorByName = new Map<string, GgufTensorInfo>();
  let base = 0;
  parts.forEach((part, k) => {
    const info = splitInfo(part.file);
    if (!info || info.no !== k || info.count !== first.count) {
      throw new GgufError('bad_split', `part ${k + 1} of ${parts.length} says it is part ${(info?.no ?? 0) + 1} of ${info?.count ?? 1}: the parts do not belong together`);
    }
    for (const t of part.file.tensors) {
      if (tensorByName.has(t.name)) throw new GgufError('duplicate_tensor', `tensor ${t.name} appears in two parts`);
      const joined = { ...t, byteOffset: base + t.byteOffset };
      tensors.push(joined);
      tensorByName.set(t.name, joined);
    }
    base += part.size;
  });
  if (tensors.length !== first.tensors) {
    throw new GgufError('bad_split', `the parts hold ${tensors.length} tensors, the first says the model has ${first.tensors}`);
  }
  // The joined file is whole: without its split.* keys it reads as one file everywhere.
  const metadata = new Map([...parts[0].file.metadata].filter(([key]) => !key.startsWith('split.')));
  return { ...parts[0].file, metadata, tensors, tensorByName, fileSize: base };
}

/**
 * Files picked together (in any order) as one model: a whole file, or every part of a split
 * one, put in part order. The joined source reads the parts laid end to end.
 */
export async function openParts<T extends ByteSource>(sources: readonly T[]): Promise<{ file: GgufFile; ordered: T[]; source: ByteSource }> {
  if (sources.length === 1) return { file: await readGguf(sources[0]), ordered: [...sources], source: sources[0] };
  const files = await Promise.all(sources.map((s) => readGguf(s)));
  const order = files.map((_, i) => i).sort((a, b) => (splitInfo(files[a])?.no ?? 0) - (splitInfo(files[b])?.no ?? 0));
  const ordered = order.map((i) => sources[i]);
  const file = joinSplitParts(order.map((i) => ({ file: files[i], size: sizeOf(sources[i]) })));
  return { file, ordered, source: joinedSource(ordered.map((s) => ({ source: s, size: sizeOf(s) }))) };
}

function sizeOf(source: ByteSource): number {
  if (source.size === undefined) throw new GgufError('bad_split', 'a part of a split model has no known size');
  return source.size;
}

/** Opening one part alone: the model needs the others. */
export function checkWholeFile(file: GgufFile, what: string): void {
  const info = splitInfo(file);
  if (info) {
    throw new GgufError(
      'split_part',
      `${what} is part ${info.no + 1} of ${info.count} of a split model: it cannot run without the other parts: open all of them together, or download the model from the Hub, which fetches every part`,
    );
  }
}
