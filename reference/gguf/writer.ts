// Writes GGUF v3 files (the inverse of reader.ts): used by the test-model generator and the
// fuzz tests. Layout as ggml's gguf.cpp: header, kvs, tensor infos, padding, aligned data.

import { rowBytes } from '../../workers/engine/quant/types.ts';
import type { GgmlTypeInfo } from '../../workers/engine/quant/types.ts';
import { GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC } from '../../workers/engine/gguf/reader.ts';
import { GgufValueType } from '../../workers/engine/gguf/types.ts';
import type { GgufKv, GgufValue, GgufValueTypeId } from '../../workers/engine/gguf/types.ts';

export interface TensorToWrite {
  readonly name: string;
  /** ggml ne (dims[0] contiguous). */
  readonly dims: readonly number[];
  readonly type: GgmlTypeInfo;
  readonly data: Uint8Array;
}

/** Constructors for typed metadata entries. */
export const kv = {
  u16: (key: string, value: number): GgufKv => ({ key, type: GgufValueType.U16, value }),
  u32: (key: string, value: number): GgufKv => ({ key, type: GgufValueType.U32, value }),
  i32: (key: string, value: number): GgufKv => ({ key, type: GgufValueType.I32, value }),
  f32: (key: string, value: number): GgufKv => ({ key, type: GgufValueType.F32, value }),
  bool: (key: string, value: boolean): GgufKv => ({ key, type: GgufValueType.BOOL, value }),
  string: (key: string, value: string): GgufKv => ({ key, type: GgufValueType.STRING, value }),
  strings: (key: string, value: string[]): GgufKv => ({ key, type: GgufValueType.ARRAY, itemType: GgufValueType.STRING, value }),
  i32s: (key: string, value: number[]): GgufKv => ({ key, type: GgufValueType.ARRAY, itemType: GgufValueType.I32, value }),
  f32s: (key: string, value: number[]): GgufKv => ({ key, type: GgufValueType.ARRAY, itemType: GgufValueType.F32, value }),
};

class ByteWriter {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  private readonly utf8 = new TextEncoder();
  pos = 0;

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void {
    this.reserve(1);
    this.view.setUint8(this.pos++, v);
  }
  i8(v: number): void {
    this.reserve(1);
    this.view.setInt8(this.pos++, v);
  }
  u16(v: number): void {
    this.reserve(2);
    this.view.setUint16(this.pos, v, true);
    this.pos += 2;
  }
  i16(v: number): void {
    this.reserve(2);
    this.view.setInt16(this.pos, v, true);
    this.pos += 2;
  }
  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
  }
  i32(v: number): void {
    this.reserve(4);
    this.view.setInt32(this.pos, v, true);
    this.pos += 4;
  }
  f32(v: number): void {
    this.reserve(4);
    this.view.setFloat32(this.pos, v, true);
    this.pos += 4;
  }
  f64(v: number): void {
    this.reserve(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }
  u64(v: number): void {
    this.reserve(8);
    this.view.setBigUint64(this.pos, BigInt(v), true);
    this.pos += 8;
  }
  i64(v: number): void {
    this.reserve(8);
    this.view.setBigInt64(this.pos, BigInt(v), true);
    this.pos += 8;
  }
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  string(s: string): void {
    const b = this.utf8.encode(s);
    this.u64(b.length);
    this.bytes(b);
  }
  padTo(alignment: number): void {
    const target = Math.ceil(this.pos / alignment) * alignment;
    this.reserve(target - this.pos);
    this.buf.fill(0, this.pos, target);
    this.pos = target;
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

function writeValue(w: ByteWriter, type: GgufValueTypeId, value: GgufValue, itemType: GgufValueTypeId | undefined, key: string): void {
  const num = (): number => {
    if (typeof value !== 'number') throw new TypeError(`metadata ${key}: expected a number`);
    return value;
  };
  switch (type) {
    case GgufValueType.U8:
      return w.u8(num());
    case GgufValueType.I8:
      return w.i8(num());
    case GgufValueType.U16:
      return w.u16(num());
    case GgufValueType.I16:
      return w.i16(num());
    case GgufValueType.U32:
      return w.u32(num());
    case GgufValueType.I32:
      return w.i32(num());
    case GgufValueType.F32:
      return w.f32(num());
    case GgufValueType.U64:
      return w.u64(num());
    case GgufValueType.I64:
      return w.i64(num());
    case GgufValueType.F64:
      return w.f64(num());
    case GgufValueType.BOOL:
      if (typeof value !== 'boolean') throw new TypeError(`metadata ${key}: expected a bool`);
      return w.u8(value ? 1 : 0);
    case GgufValueType.STRING:
      if (typeof value !== 'string') throw new TypeError(`metadata ${key}: expected a string`);
      return w.string(value);
    case GgufValueType.ARRAY: {
      if (!Array.isArray(value) || itemType === undefined) throw new TypeError(`metadata ${key}: expected an array with an item type`);
      w.u32(itemType);
      w.u64(value.length);
      // Nested arrays carry their own item type; only flat arrays are written here.
      for (const item of value) writeValue(w, itemType, item, undefined, key);
      return;
    }
  }
}

export interface GgufToWrite {
  readonly metadata: readonly GgufKv[];
  readonly tensors: readonly TensorToWrite[];
}

export function writeGguf({ metadata, tensors }: GgufToWrite): Uint8Array {
  const alignKv = metadata.find((m) => m.key === 'general.alignment');
  const alignment = typeof alignKv?.value === 'number' ? alignKv.value : GGUF_DEFAULT_ALIGNMENT;
  const w = new ByteWriter();
  w.u32(GGUF_MAGIC);
  w.u32(3);
  w.u64(tensors.length);
  w.u64(metadata.length);
  for (const m of metadata) {
    w.string(m.key);
    w.u32(m.type);
    writeValue(w, m.type, m.value, m.itemType, m.key);
  }
  let offset = 0;
  for (const t of tensors) {
    const elements = t.dims.reduce((a, b) => a * b, 1);
    const expected = rowBytes(t.type, t.dims[0]) * (elements / t.dims[0]);
    if (t.data.length !== expected) throw new RangeError(`tensor ${t.name}: ${t.data.length} bytes given, ${expected} expected`);
    w.string(t.name);
    w.u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    w.u32(t.type.id);
    w.u64(offset);
    offset += Math.ceil(t.data.length / alignment) * alignment;
  }
  w.padTo(alignment);
  for (const t of tensors) {
    w.bytes(t.data);
    w.padTo(alignment);
  }
  return w.result();
}
