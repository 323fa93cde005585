// GGUF header, metadata and tensor table (ggml docs/gguf.md; src/gguf.cpp).
// Files are untrusted input: every count and length is checked against the bytes that
// can exist before anything is allocated, and every failure is a GgufError with a code.

import { ggmlTypeInfo, rowBytes } from '../quant/types.ts';
import { GgufError } from './errors.ts';
import { GgufValueType } from './types.ts';
import type { ByteSource, GgufFile, GgufKv, GgufTensorInfo, GgufValue, GgufValueTypeId } from './types.ts';

export const GGUF_MAGIC = 0x46554747; // "GGUF" little-endian
export const GGUF_DEFAULT_ALIGNMENT = 32;
const GGML_MAX_DIMS = 4;
const MAX_TENSOR_NAME = 64;
const MAX_ARRAY_DEPTH = 4;

/** Smallest encoded size of one value of each type: bounds counts before allocating. */
function minValueBytes(type: GgufValueTypeId): number {
  switch (type) {
    case GgufValueType.U8:
    case GgufValueType.I8:
    case GgufValueType.BOOL:
      return 1;
    case GgufValueType.U16:
    case GgufValueType.I16:
      return 2;
    case GgufValueType.U32:
    case GgufValueType.I32:
    case GgufValueType.F32:
      return 4;
    case GgufValueType.U64:
    case GgufValueType.I64:
    case GgufValueType.F64:
    case GgufValueType.STRING:
      return 8;
    case GgufValueType.ARRAY:
      return 12;
  }
}

function isValueType(t: number): t is GgufValueTypeId {
  return Number.isInteger(t) && t >= 0 && t <= 12;
}

/** Thrown inside the parser when the buffer ends before the header does. */
class NeedMoreBytes extends Error {}

class Cursor {
  private readonly view: DataView;
  // ignoreBOM: a leading U+FEFF is part of the value (a token can be exactly "\uFEFF"), not a mark to strip.
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  pos = 0;

  constructor(
    private readonly bytes: Uint8Array,
    /** Total size of the file (the buffer may hold only its start). */
    private readonly fileSize: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Bytes left in the whole file after the cursor. */
  get remaining(): number {
    return this.fileSize - this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.fileSize) {
      throw new GgufError('truncated', `file ends at byte ${this.fileSize} inside the header (needed ${n} more bytes at ${this.pos})`);
    }
    if (this.pos + n > this.bytes.length) throw new NeedMoreBytes();
  }

  u8(): number {
    this.need(1);
    return this.view.getUint8(this.pos++);
  }
  i8(): number {
    this.need(1);
    return this.view.getInt8(this.pos++);
  }
  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }
  i16(): number {
    this.need(2);
    const v = this.view.getInt16(this.pos, true);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  i32(): number {
    this.need(4);
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }
  f32(): number {
    this.need(4);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }
  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }
  /** u64 as a number; values past 2^53 lose precision (no real count or offset gets there). */
  u64(): number {
    this.need(8);
    const v = Number(this.view.getBigUint64(this.pos, true));
    this.pos += 8;
    return v;
  }
  i64(): number {
    this.need(8);
    const v = Number(this.view.getBigInt64(this.pos, true));
    this.pos += 8;
    return v;
  }

  /** A count of items of at least `minBytes` each; rejects counts the file cannot hold. */
  count(what: string, minBytes: number): number {
    const n = this.u64();
    if (n * minBytes > this.remaining) {
      throw new GgufError('truncated', `${what} count ${n} needs more bytes than the file has left (${this.remaining})`);
    }
    return n;
  }

  string(what: string): string {
    const len = this.count(`${what} length`, 1);
    this.need(len);
    const slice = this.bytes.subarray(this.pos, this.pos + len);
    this.pos += len;
    try {
      return this.utf8.decode(slice);
    } catch {
      throw new GgufError('bad_value', `${what} at byte ${this.pos - len} is not valid UTF-8`);
    }
  }
}

function readValue(c: Cursor, type: GgufValueTypeId, key: string, depth: number): GgufValue {
  switch (type) {
    case GgufValueType.U8:
      return c.u8();
    case GgufValueType.I8:
      return c.i8();
    case GgufValueType.U16:
      return c.u16();
    case GgufValueType.I16:
      return c.i16();
    case GgufValueType.U32:
      return c.u32();
    case GgufValueType.I32:
      return c.i32();
    case GgufValueType.F32:
      return c.f32();
    case GgufValueType.BOOL: {
      const b = c.u8();
      if (b > 1) throw new GgufError('bad_value', `metadata ${key}: bool byte ${b} is neither 0 nor 1`);
      return b === 1;
    }
    case GgufValueType.STRING:
      return c.string(`metadata ${key} string`);
    case GgufValueType.U64:
      return c.u64();
    case GgufValueType.I64:
      return c.i64();
    case GgufValueType.F64:
      return c.f64();
    case GgufValueType.ARRAY: {
      if (depth >= MAX_ARRAY_DEPTH) throw new GgufError('bad_value', `metadata ${key}: arrays nested deeper than ${MAX_ARRAY_DEPTH}`);
      const itemType = readValueType(c, key);
      const n = c.count(`metadata ${key} array`, minValueBytes(itemType));
      // Grown item by item, not preallocated: while the file size is unknown (readGguf on an
      // unsized source) `n` is bounded only by 2^53, and new Array(n) would throw or allocate n slots.
      const out: GgufValue[] = [];
      for (let i = 0; i < n; i++) out.push(readValue(c, itemType, key, depth + 1));
      return out;
    }
  }
}

function readValueType(c: Cursor, key: string): GgufValueTypeId {
  const t = c.u32();
  if (!isValueType(t)) throw new GgufError('bad_value', `metadata ${key}: unknown value type ${t}`);
  return t;
}

function readKv(c: Cursor): GgufKv {
  const key = c.string('metadata key');
  const type = readValueType(c, key);
  if (type === GgufValueType.ARRAY) {
    const start = c.pos;
    const itemType = readValueType(c, key);
    c.pos = start;
    return { key, type, itemType, value: readValue(c, type, key, 0) };
  }
  return { key, type, value: readValue(c, type, key, 0) };
}

interface RawTensor {
  name: string;
  dims: number[];
  typeId: number;
  offset: number;
}

function readTensorInfo(c: Cursor): RawTensor {
  const name = c.string('tensor name');
  if (name.length === 0 || new TextEncoder().encode(name).length > MAX_TENSOR_NAME) {
    throw new GgufError('bad_value', `tensor name "${name.slice(0, 80)}" is empty or longer than ${MAX_TENSOR_NAME} bytes`);
  }
  const nDims = c.u32();
  if (nDims < 1 || nDims > GGML_MAX_DIMS) throw new GgufError('bad_dims', `tensor ${name} has ${nDims} dimensions (1..${GGML_MAX_DIMS} allowed)`);
  const dims: number[] = [];
  for (let i = 0; i < nDims; i++) dims.push(c.u64());
  const typeId = c.u32();
  const offset = c.u64();
  return { name, dims, typeId, offset };
}

function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

function buildTensor(raw: RawTensor, dataOffset: number, alignment: number, fileSize: number, dataEnd: number): GgufTensorInfo {
  const { name, dims } = raw;
  const type = ggmlTypeInfo(raw.typeId);
  if (!type) throw new GgufError('unknown_type', `tensor ${name} has ggml type ${raw.typeId}, which Pakar does not know`);
  let elementCount = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) throw new GgufError('bad_dims', `tensor ${name} has dimension ${d}`);
    elementCount *= d;
  }
  if (!Number.isSafeInteger(elementCount)) throw new GgufError('bad_dims', `tensor ${name} has too many elements (${dims.join('×')})`);
  if (dims[0] % type.blockSize !== 0) {
    throw new GgufError('block_size_mismatch', `tensor ${name}: row length ${dims[0]} is not a multiple of the ${type.name} block size ${type.blockSize}`);
  }
  if (raw.offset % alignment !== 0) {
    throw new GgufError('bad_alignment', `tensor ${name}: data offset ${raw.offset} is not a multiple of the alignment ${alignment}`);
  }
  const byteLength = rowBytes(type, dims[0]) * (elementCount / Math.max(dims[0], 1));
  const byteOffset = dataOffset + raw.offset;
  if (byteOffset + byteLength > fileSize) {
    // Inside the span the tensor table describes: the file was cut short (a broken download).
    if (byteOffset + byteLength <= dataEnd) {
      throw new GgufError('truncated', `file is ${fileSize} bytes but its tensor data runs to ${dataEnd} (tensor ${name} is cut off); the file is incomplete`);
    }
    throw new GgufError('tensor_out_of_bounds', `tensor ${name}: bytes ${byteOffset}..${byteOffset + byteLength} lie past the end of the file (${fileSize} bytes)`);
  }
  return { name, dims, type, byteOffset, byteLength, elementCount };
}

/** Parses the header from `bytes`, which hold the start of a file of `fileSize` bytes. */
function parseHeader(bytes: Uint8Array, fileSize: number): GgufFile {
  const c = new Cursor(bytes, fileSize);
  const magic = c.u32();
  if (magic !== GGUF_MAGIC) {
    throw new GgufError('bad_magic', `not a GGUF file: the first bytes are 0x${magic.toString(16).padStart(8, '0')}, expected "GGUF"`);
  }
  const version = c.u32();
  if (version !== 2 && version !== 3) throw new GgufError('unsupported_version', `GGUF version ${version} is not supported (2 and 3 are)`);
  // A tensor info is at least 8 (name) + 1 + 4 + 8 + 4 + 8 bytes; a kv at least 8 + 1 + 4 + 1.
  const tensorCount = c.count('tensor', 33);
  const kvCount = c.count('metadata', 14);

  const metadata = new Map<string, GgufKv>();
  for (let i = 0; i < kvCount; i++) {
    const kv = readKv(c);
    if (metadata.has(kv.key)) throw new GgufError('duplicate_key', `metadata key ${kv.key} appears twice`);
    metadata.set(kv.key, kv);
  }

  let alignment = GGUF_DEFAULT_ALIGNMENT;
  const alignKv = metadata.get('general.alignment');
  if (alignKv) {
    const a = alignKv.value;
    if (alignKv.type !== GgufValueType.U32 || typeof a !== 'number' || a === 0 || (a & (a - 1)) !== 0) {
      throw new GgufError('bad_alignment', `general.alignment must be a u32 power of two, got ${String(a)}`);
    }
    alignment = a;
  }

  const raw: RawTensor[] = [];
  for (let i = 0; i < tensorCount; i++) raw.push(readTensorInfo(c));
  const dataOffset = alignUp(c.pos, alignment);

  // Where the data section ends when tensors are laid out back to back, as writers do.
  let dataEnd = dataOffset;
  for (const r of raw) {
    const type = ggmlTypeInfo(r.typeId);
    const elements = r.dims.reduce((a, b) => a * b, 1);
    if (type && r.dims[0] > 0) dataEnd += alignUp((elements / r.dims[0]) * rowBytes(type, r.dims[0]), alignment);
  }
  const tensors: GgufTensorInfo[] = [];
  const tensorByName = new Map<string, GgufTensorInfo>();
  for (const r of raw) {
    if (tensorByName.has(r.name)) throw new GgufError('duplicate_tensor', `tensor ${r.name} appears twice`);
    const t = buildTensor(r, dataOffset, alignment, fileSize, dataEnd);
    tensors.push(t);
    tensorByName.set(t.name, t);
  }
  const sorted = [...tensors].sort((a, b) => a.byteOffset - b.byteOffset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    if (prev.byteOffset + prev.byteLength > sorted[i].byteOffset) {
      throw new GgufError('tensor_overlap', `tensors ${prev.name} and ${sorted[i].name} overlap`);
    }
  }
  return { version, alignment, metadata, tensors, tensorByName, dataOffset, fileSize };
}

/** Parses a whole GGUF file held in memory. */
export function parseGguf(bytes: Uint8Array): GgufFile {
  try {
    return parseHeader(bytes, bytes.length);
  } catch (e) {
    if (e instanceof NeedMoreBytes) throw new GgufError('truncated', 'file ends inside the header');
    throw e;
  }
}

const FIRST_READ = 2 * 1024 * 1024;

/**
 * Reads the header from any byte source, fetching more of the file only while the header
 * continues (vocabularies can make headers of 10+ MB). Reads never exceed the file size.
 */
export async function readGguf(source: ByteSource): Promise<GgufFile> {
  const size = source.size;
  let want = size === undefined ? FIRST_READ : Math.min(FIRST_READ, size);
  let bytes = new Uint8Array(0);
  for (;;) {
    const more = await readSource(source, bytes.length, want - bytes.length);
    const joined = new Uint8Array(bytes.length + more.length);
    joined.set(bytes);
    joined.set(more, bytes.length);
    bytes = joined;
    const atEnd = more.length < want - (bytes.length - more.length) || bytes.length === size;
    const fileSize = size ?? (atEnd ? bytes.length : Number.MAX_SAFE_INTEGER);
    try {
      const file = parseHeader(bytes, fileSize);
      return size === undefined && !atEnd ? { ...file, fileSize: undefined } : file;
    } catch (e) {
      if (!(e instanceof NeedMoreBytes)) throw e;
      if (atEnd) throw new GgufError('truncated', `file ends at byte ${bytes.length} inside the header`);
      want = size === undefined ? bytes.length * 2 : Math.min(bytes.length * 2, size);
    }
  }
}

async function readSource(source: ByteSource, offset: number, length: number): Promise<Uint8Array> {
  if (length <= 0) return new Uint8Array(0);
  try {
    return await source.read(offset, length);
  } catch (e) {
    if (e instanceof GgufError) throw e;
    throw new GgufError('read_failed', `could not read bytes ${offset}..${offset + length}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
