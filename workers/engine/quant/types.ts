// The one table of ggml tensor types Pakar knows (ids from ggml `docs/gguf.md`,
// block sizes from `ggml.c` type_traits). Every other module asks this table.

export const GgmlType = {
  F32: 0,
  F16: 1,
  Q4_0: 2,
  Q4_1: 3,
  Q5_0: 6,
  Q5_1: 7,
  Q8_0: 8,
  Q2_K: 10,
  Q3_K: 11,
  Q4_K: 12,
  Q5_K: 13,
  Q6_K: 14,
  IQ4_NL: 20,
  IQ4_XS: 23,
  BF16: 30,
  MXFP4: 39,
} as const;

export type GgmlTypeName = keyof typeof GgmlType;
export type GgmlTypeId = (typeof GgmlType)[GgmlTypeName];

export interface GgmlTypeInfo {
  readonly id: GgmlTypeId;
  readonly name: GgmlTypeName;
  /** Elements per block. */
  readonly blockSize: number;
  /** Bytes per block. */
  readonly typeSize: number;
  /** Whether Pakar can dequantize it (CPU reference, and later the GPU kernels). */
  readonly supported: boolean;
}

const table: readonly GgmlTypeInfo[] = [
  { id: 0, name: 'F32', blockSize: 1, typeSize: 4, supported: true },
  { id: 1, name: 'F16', blockSize: 1, typeSize: 2, supported: true },
  { id: 2, name: 'Q4_0', blockSize: 32, typeSize: 18, supported: true },
  { id: 3, name: 'Q4_1', blockSize: 32, typeSize: 20, supported: true },
  { id: 6, name: 'Q5_0', blockSize: 32, typeSize: 22, supported: true },
  { id: 7, name: 'Q5_1', blockSize: 32, typeSize: 24, supported: true },
  { id: 8, name: 'Q8_0', blockSize: 32, typeSize: 34, supported: true },
  { id: 10, name: 'Q2_K', blockSize: 256, typeSize: 84, supported: false },
  { id: 11, name: 'Q3_K', blockSize: 256, typeSize: 110, supported: false },
  { id: 12, name: 'Q4_K', blockSize: 256, typeSize: 144, supported: true },
  { id: 13, name: 'Q5_K', blockSize: 256, typeSize: 176, supported: true },
  { id: 14, name: 'Q6_K', blockSize: 256, typeSize: 210, supported: true },
  { id: 20, name: 'IQ4_NL', blockSize: 32, typeSize: 18, supported: true },
  { id: 23, name: 'IQ4_XS', blockSize: 256, typeSize: 136, supported: true },
  { id: 30, name: 'BF16', blockSize: 1, typeSize: 2, supported: true },
  { id: 39, name: 'MXFP4', blockSize: 32, typeSize: 17, supported: true },
];

const byId = new Map<number, GgmlTypeInfo>(table.map((t) => [t.id, t]));

/** The type with this id, or undefined when ggml's id is not one Pakar knows. */
export function ggmlTypeInfo(id: number): GgmlTypeInfo | undefined {
  return byId.get(id);
}

export function ggmlTypeByName(name: GgmlTypeName): GgmlTypeInfo {
  const info = byId.get(GgmlType[name]);
  if (!info) throw new Error(`ggml type ${name} missing from the table`);
  return info;
}

export const allGgmlTypes: readonly GgmlTypeInfo[] = table;

/** Bytes of `n` elements of a row (`ggml_row_size`); n must be a multiple of the block size. */
export function rowBytes(info: GgmlTypeInfo, n: number): number {
  return (n / info.blockSize) * info.typeSize;
}
