import type { GgmlTypeInfo } from '../quant/types.ts';

/** GGUF metadata value type ids (`gguf_metadata_value_type`). */
export const GgufValueType = {
  U8: 0,
  I8: 1,
  U16: 2,
  I16: 3,
  U32: 4,
  I32: 5,
  F32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  U64: 10,
  I64: 11,
  F64: 12,
} as const;
export type GgufValueTypeId = (typeof GgufValueType)[keyof typeof GgufValueType];

/**
 * A decoded metadata value. Integers of every width (u64/i64 included) become numbers;
 * arrays become JS arrays (nested arrays stay nested).
 */
export type GgufValue = number | boolean | string | GgufValue[];

/** One key/value pair, with its GGUF type so that it can be written back unchanged. */
export interface GgufKv {
  readonly key: string;
  readonly type: GgufValueTypeId;
  /** Element type when `type` is ARRAY. */
  readonly itemType?: GgufValueTypeId;
  readonly value: GgufValue;
}

export interface GgufTensorInfo {
  readonly name: string;
  /** ggml `ne`: dims[0] is the contiguous axis (PyTorch order reversed). */
  readonly dims: readonly number[];
  readonly type: GgmlTypeInfo;
  /** Offset of the data from the start of the file. */
  readonly byteOffset: number;
  readonly byteLength: number;
  readonly elementCount: number;
}

export interface GgufFile {
  readonly version: number;
  readonly alignment: number;
  readonly metadata: ReadonlyMap<string, GgufKv>;
  readonly tensors: readonly GgufTensorInfo[];
  readonly tensorByName: ReadonlyMap<string, GgufTensorInfo>;
  /** Start of the tensor data section (aligned). */
  readonly dataOffset: number;
  /** Total file size in bytes when the source knows it. */
  readonly fileSize: number | undefined;
}

/** Anything the reader can take bytes from: a Blob/File, a URL (HTTP Range), a buffer. */
export interface ByteSource {
  /** Total size, when known before reading. */
  readonly size: number | undefined;
  /** Returns up to `length` bytes at `offset` (fewer only at the end of the source). */
  read(offset: number, length: number): Promise<Uint8Array>;
}
