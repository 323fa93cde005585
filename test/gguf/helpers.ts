// Test helpers for the GGUF tests: deterministic tensor bytes, a tiny raw
// byte builder for files the writer refuses to make, and an independent walker that maps
// where each field of a well-formed GGUF lies (so tests can patch one field precisely).

import { uniform } from '../../scripts/model-gen/random.ts';
import { GgufValueType } from '../../workers/engine/gguf/types.ts';

export const randInt = (rng: () => number, n: number): number => Math.floor(rng() * n);

/** `n` deterministic pseudo-random bytes (tensor payloads whose position is checkable). */
export function patternBytes(n: number, seed: number): Uint8Array {
  const rng = uniform(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = randInt(rng, 256);
  return out;
}

export const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

export function setU32(bytes: Uint8Array, pos: number, v: number): void {
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(pos, v, true);
}

export function setU64(bytes: Uint8Array, pos: number, v: bigint): void {
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setBigUint64(pos, v, true);
}

/** Little-endian byte builder for hand-made (often invalid) GGUF bytes. */
export class RawBytes {
  private readonly parts: number[] = [];
  u8(v: number): this {
    this.parts.push(v & 0xff);
    return this;
  }
  u32(v: number): this {
    for (let i = 0; i < 4; i++) this.parts.push((v >>> (8 * i)) & 0xff);
    return this;
  }
  u64(v: number | bigint): this {
    let b = BigInt(v);
    for (let i = 0; i < 8; i++) {
      this.parts.push(Number(b & 0xffn));
      b >>= 8n;
    }
    return this;
  }
  i32(v: number): this {
    return this.u32(v >>> 0);
  }
  bytes(b: Uint8Array | readonly number[]): this {
    for (const x of b) this.parts.push(x);
    return this;
  }
  str(s: string): this {
    const b = new TextEncoder().encode(s);
    return this.u64(b.length).bytes(b);
  }
  /** GGUF v3 header start: magic, version, tensor count, kv count. */
  header(tensorCount: number, kvCount: number, version = 3): this {
    return this.bytes([0x47, 0x47, 0x55, 0x46]).u32(version).u64(tensorCount).u64(kvCount);
  }
  build(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

export interface KvLayout {
  readonly key: string;
  /** [start, end) of the whole kv (key, type, value). */
  readonly start: number;
  readonly end: number;
  readonly typePos: number;
  /** Positions of u64 lengths and counts: the key length, string lengths, array counts. */
  readonly countPos: readonly number[];
  /** Positions of the array counts alone (outer and nested). */
  readonly arrayCountPos: readonly number[];
}

export interface TensorLayout {
  readonly name: string;
  readonly start: number;
  readonly end: number;
  readonly nameLenPos: number;
  readonly nDimsPos: number;
  readonly dimPos: readonly number[];
  readonly typePos: number;
  readonly offsetPos: number;
}

export interface Layout {
  readonly tensorCountPos: 8;
  readonly kvCountPos: 16;
  readonly kvs: readonly KvLayout[];
  readonly tensors: readonly TensorLayout[];
  /** End of the tensor infos (before alignment padding). */
  readonly headerEnd: number;
}

/**
 * Where every field of a WELL-FORMED GGUF lies. Deliberately written apart from the reader
 * (no validation, no shared code) so that tests do not check the reader against itself.
 */
export function layoutOf(bytes: Uint8Array): Layout {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 8;
  const u32 = (): number => {
    const v = view.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const u64 = (): number => {
    const v = Number(view.getBigUint64(pos, true));
    pos += 8;
    return v;
  };
  const counts: number[] = [];
  const arrayCounts: number[] = [];
  const str = (): string => {
    counts.push(pos);
    const n = u64();
    const s = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes.subarray(pos, pos + n));
    pos += n;
    return s;
  };
  const fixed: Partial<Record<number, number>> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
  const skipValue = (type: number): void => {
    const size = fixed[type];
    if (size !== undefined) pos += size;
    else if (type === GgufValueType.STRING) str();
    else if (type === GgufValueType.ARRAY) {
      const item = u32();
      counts.push(pos);
      arrayCounts.push(pos);
      const n = u64();
      for (let i = 0; i < n; i++) skipValue(item);
    } else throw new Error(`layoutOf: value type ${type} in a file that should be well-formed`);
  };
  const tensorCount = u64();
  const kvCount = u64();
  const kvs: KvLayout[] = [];
  for (let i = 0; i < kvCount; i++) {
    counts.length = 0;
    arrayCounts.length = 0;
    const start = pos;
    const key = str();
    const typePos = pos;
    skipValue(u32());
    kvs.push({ key, start, end: pos, typePos, countPos: [...counts], arrayCountPos: [...arrayCounts] });
  }
  const tensors: TensorLayout[] = [];
  for (let i = 0; i < tensorCount; i++) {
    const start = pos;
    const nameLenPos = pos;
    const name = str();
    const nDimsPos = pos;
    const nDims = u32();
    const dimPos: number[] = [];
    for (let d = 0; d < nDims; d++) {
      dimPos.push(pos);
      u64();
    }
    const typePos = pos;
    u32();
    const offsetPos = pos;
    u64();
    tensors.push({ name, start, end: pos, nameLenPos, nDimsPos, dimPos, typePos, offsetPos });
  }
  return { tensorCountPos: 8, kvCountPos: 16, kvs, tensors, headerEnd: pos };
}
