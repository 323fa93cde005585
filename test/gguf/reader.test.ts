// Known-answer tests of the GGUF reader: a file written with every metadata value type and
// several ggml tensor types (3-D expert tensors included) must read back exactly; each way a
// file can be broken must fail with its own GgufError code; the real vocab files must parse.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GgufError } from '../../workers/engine/gguf/errors.ts';
import type { GgufErrorCode } from '../../workers/engine/gguf/errors.ts';
import { parseGguf, readGguf } from '../../workers/engine/gguf/reader.ts';
import { expertSlice, tensorRange, tensorRowBytes } from '../../workers/engine/gguf/slices.ts';
import { bytesSource } from '../../workers/engine/gguf/sources.ts';
import { GgufValueType as V } from '../../workers/engine/gguf/types.ts';
import type { GgufFile, GgufKv } from '../../workers/engine/gguf/types.ts';
import { kv, writeGguf } from '../../reference/gguf/writer.ts';
import type { TensorToWrite } from '../../reference/gguf/writer.ts';
import { ggmlTypeByName } from '../../workers/engine/quant/types.ts';
import type { GgmlTypeName } from '../../workers/engine/quant/types.ts';
import { alignUp, layoutOf, patternBytes, RawBytes, setU32, setU64 } from './helpers.ts';

const vocabDir = path.resolve(import.meta.dirname, '../../../shared/fixtures/vocab');

/** Calls `f` and returns the GgufError it throws (fails the test if it throws anything else). */
function ggufError(f: () => unknown): GgufError {
  try {
    f();
  } catch (e) {
    if (e instanceof GgufError) return e;
    throw new Error(`expected a GgufError, got ${String(e)}`, { cause: e });
  }
  throw new Error('expected a GgufError, but the call returned');
}

const metadata: GgufKv[] = [
  { key: 'general.architecture', type: V.STRING, value: 'qwen3moe' },
  { key: 't.u8', type: V.U8, value: 255 },
  { key: 't.i8', type: V.I8, value: -128 },
  { key: 't.u16', type: V.U16, value: 65535 },
  { key: 't.i16', type: V.I16, value: -32768 },
  { key: 't.u32', type: V.U32, value: 4294967295 },
  { key: 't.i32', type: V.I32, value: -2147483648 },
  { key: 't.f32', type: V.F32, value: -1.25 },
  { key: 't.bool.true', type: V.BOOL, value: true },
  { key: 't.bool.false', type: V.BOOL, value: false },
  { key: 't.string', type: V.STRING, value: 'Pakar · 専門家 · ملف · 🧠' },
  // A leading U+FEFF is a character of the value, not a byte-order mark to strip.
  { key: 't.string.bom', type: V.STRING, value: '\uFEFFbom' },
  { key: 't.string.empty', type: V.STRING, value: '' },
  { key: 't.u64', type: V.U64, value: 2 ** 53 - 1 },
  { key: 't.i64', type: V.I64, value: -(2 ** 53 - 1) },
  { key: 't.f64', type: V.F64, value: Math.PI },
  { key: '専門家.キー', type: V.U32, value: 7 },
  kv.strings('tokenizer.ggml.tokens', ['<s>', '</s>', '▁the', '\uFEFF', '', '日本', '🧠', 'Ġhello']),
  { key: 't.arr.u8', type: V.ARRAY, itemType: V.U8, value: [0, 1, 255] },
  { key: 't.arr.i8', type: V.ARRAY, itemType: V.I8, value: [-128, 0, 127] },
  { key: 't.arr.u16', type: V.ARRAY, itemType: V.U16, value: [0, 65535] },
  { key: 't.arr.i16', type: V.ARRAY, itemType: V.I16, value: [-32768, 32767] },
  { key: 't.arr.u32', type: V.ARRAY, itemType: V.U32, value: [0, 4294967295] },
  kv.i32s('t.arr.i32', [-2147483648, 2147483647, 151643]),
  kv.f32s('t.arr.f32', [Math.fround(0.1), -0.5, Math.fround(1e30), 0]),
  { key: 't.arr.bool', type: V.ARRAY, itemType: V.BOOL, value: [true, false, true] },
  { key: 't.arr.u64', type: V.ARRAY, itemType: V.U64, value: [0, 2 ** 53 - 1] },
  { key: 't.arr.i64', type: V.ARRAY, itemType: V.I64, value: [-(2 ** 53 - 1), 1] },
  { key: 't.arr.f64', type: V.ARRAY, itemType: V.F64, value: [Math.E, -0.1] },
  { key: 't.arr.empty', type: V.ARRAY, itemType: V.STRING, value: [] },
];

interface Spec {
  readonly name: string;
  readonly type: GgmlTypeName;
  readonly dims: readonly number[];
  /** Bytes of one row, worked out by hand: (ne0 / block) * typeSize (MOE-GGUF.md §1). */
  readonly rowBytes: number;
}

const specs: readonly Spec[] = [
  { name: 'blk.0.ffn_gate_exps.weight', type: 'Q8_0', dims: [64, 16, 8], rowBytes: 68 }, // 2 blocks × 34
  { name: 'output_norm.weight', type: 'F32', dims: [17], rowBytes: 68 }, // 68 B: padding follows
  { name: 'blk.0.ffn_down_exps.weight', type: 'Q4_K', dims: [256, 4, 3], rowBytes: 144 }, // 1 block
  { name: 'blk.0.ffn_up_exps.weight', type: 'MXFP4', dims: [32, 2, 4], rowBytes: 17 },
  { name: 'blk.0.ffn_gate_exps.bias', type: 'F32', dims: [5, 8], rowBytes: 20 }, // gpt-oss bias [n, n_expert]
  { name: 'token_embd.weight', type: 'F16', dims: [8, 3], rowBytes: 16 },
  { name: 'blk.0.attn_v.weight', type: 'Q6_K', dims: [256, 2], rowBytes: 210 },
  { name: 'blk.0.attn_q.weight', type: 'BF16', dims: [4, 2, 1, 3], rowBytes: 8 },
];

const rowsOf = (dims: readonly number[]): number => dims.slice(1).reduce((a, b) => a * b, 1);

function knownTensors(): TensorToWrite[] {
  return specs.map((s, i) => ({
    name: s.name,
    dims: s.dims,
    type: ggmlTypeByName(s.type),
    data: patternBytes(s.rowBytes * rowsOf(s.dims), 1000 + i),
  }));
}

describe.each([
  { label: 'default alignment 32', alignment: 32, extra: [] as GgufKv[] },
  { label: 'general.alignment = 64', alignment: 64, extra: [kv.u32('general.alignment', 64)] },
])('known-answer file, $label', ({ alignment, extra }) => {
  const md = [...metadata, ...extra];
  const tensors = knownTensors();
  const bytes = writeGguf({ metadata: md, tensors });
  const file = parseGguf(bytes);
  const layout = layoutOf(bytes);
  const dataStart = alignUp(layout.headerEnd, alignment);

  it('starts with magic, version 3 and both counts', () => {
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    expect([...bytes.subarray(0, 4)]).toEqual([0x47, 0x47, 0x55, 0x46]);
    expect(view.getUint32(4, true)).toBe(3);
    expect(view.getBigUint64(8, true)).toBe(BigInt(specs.length));
    expect(view.getBigUint64(16, true)).toBe(BigInt(md.length));
    expect(file.version).toBe(3);
    expect(file.alignment).toBe(alignment);
    expect(file.fileSize).toBe(bytes.length);
  });

  it('reads back every metadata value with its type, in file order', () => {
    expect([...file.metadata.keys()]).toEqual(md.map((m) => m.key));
    for (const m of md) {
      const got = file.metadata.get(m.key);
      expect(got, m.key).toEqual(m);
    }
    expect(file.metadata.get('t.string.bom')?.value).toBe('\uFEFFbom');
    expect(file.metadata.get('tokenizer.ggml.tokens')?.value).toContain('\uFEFF');
  });

  it('puts the data section at the first aligned byte after the tensor infos', () => {
    expect(file.dataOffset).toBe(dataStart);
    expect(file.dataOffset % alignment).toBe(0);
    expect(file.dataOffset - layout.headerEnd).toBeLessThan(alignment);
  });

  it('reads dims, type, aligned byteOffset and byteLength of every tensor', () => {
    expect(file.tensors.map((t) => t.name)).toEqual(specs.map((s) => s.name));
    let offset = dataStart;
    specs.forEach((s, i) => {
      const t = file.tensorByName.get(s.name);
      expect(t, s.name).toBeDefined();
      if (!t) return;
      const length = s.rowBytes * rowsOf(s.dims);
      expect(t.dims).toEqual(s.dims);
      expect(t.type.name).toBe(s.type);
      expect(t.elementCount).toBe(s.dims.reduce((a, b) => a * b, 1));
      expect(t.byteOffset, s.name).toBe(offset);
      expect(t.byteOffset % alignment).toBe(0);
      expect(t.byteLength).toBe(length);
      expect(tensorRange(t)).toEqual({ offset, length });
      expect(tensorRowBytes(t)).toBe(s.rowBytes);
      expect(bytes.subarray(t.byteOffset, t.byteOffset + t.byteLength)).toEqual(tensors[i].data);
      offset += alignUp(length, alignment);
    });
    expect(offset).toBe(bytes.length);
  });

  it('slices every expert of the expert tensors at byteOffset + e * rows * rowBytes', () => {
    const experts = specs.filter((s) => s.name.includes('_exps'));
    expect(experts.length).toBe(4);
    for (const s of experts) {
      const t = file.tensorByName.get(s.name);
      if (!t) throw new Error(`${s.name} missing`);
      const nExpert = s.dims[s.dims.length - 1];
      const expertBytes = s.rowBytes * rowsOf(s.dims.slice(0, -1));
      const data = tensors[specs.indexOf(s)].data;
      for (let e = 0; e < nExpert; e++) {
        const slice = expertSlice(t, e);
        expect(slice).toEqual({ offset: t.byteOffset + e * expertBytes, length: expertBytes });
        expect(bytes.subarray(slice.offset, slice.offset + slice.length)).toEqual(data.subarray(e * expertBytes, (e + 1) * expertBytes));
      }
      for (const bad of [-1, nExpert, nExpert + 7, 0.5, Number.NaN]) {
        expect(ggufError(() => expertSlice(t, bad)).code, `${s.name} expert ${bad}`).toBe('bad_dims');
      }
    }
    const gate = file.tensorByName.get('blk.0.ffn_gate_exps.weight');
    if (!gate) throw new Error('gate missing');
    expect(expertSlice(gate, 1)).toEqual({ offset: gate.byteOffset + 1088, length: 1088 });
    const norm = file.tensorByName.get('output_norm.weight');
    if (!norm) throw new Error('norm missing');
    expect(ggufError(() => expertSlice(norm, 0)).code).toBe('bad_dims');
  });

  it('reads the same file through readGguf(bytesSource)', async () => {
    expect(await readGguf(bytesSource(bytes))).toEqual(file);
  });
});

describe('other well-formed files', () => {
  it('accepts version 2 (same layout)', () => {
    const bytes = writeGguf({ metadata: [kv.string('general.architecture', 'llama')], tensors: [] });
    setU32(bytes, 4, 2);
    expect(parseGguf(bytes).version).toBe(2);
  });

  it('reads nested arrays, and rejects nesting deeper than 4', () => {
    const nested = new RawBytes().header(0, 1).str('nested').u32(V.ARRAY).u32(V.ARRAY).u64(2).u32(V.I32).u64(2).i32(-1).i32(5).u32(V.STRING).u64(1).str('é').build();
    expect(parseGguf(nested).metadata.get('nested')).toEqual({ key: 'nested', type: V.ARRAY, itemType: V.ARRAY, value: [[-1, 5], ['é']] });

    const deep = new RawBytes().header(0, 1).str('deep').u32(V.ARRAY);
    for (let d = 0; d < 5; d++) deep.u32(V.ARRAY).u64(1);
    deep.u32(V.U8).u64(0);
    expect(ggufError(() => parseGguf(deep.build())).code).toBe('bad_value');
  });

  it('reads a file without tensors or metadata', () => {
    const file = parseGguf(new RawBytes().header(0, 0).build());
    expect(file.tensors).toEqual([]);
    expect(file.metadata.size).toBe(0);
    expect(file.dataOffset).toBe(32);
  });

  it('accepts zero-size tensors', () => {
    const bytes = writeGguf({ metadata: [], tensors: [{ name: 'empty', dims: [32, 0], type: ggmlTypeByName('Q8_0'), data: new Uint8Array(0) }] });
    const t = parseGguf(bytes).tensorByName.get('empty');
    expect(t?.byteLength).toBe(0);
    expect(t?.elementCount).toBe(0);
  });
});

describe('broken files fail with their own error code', () => {
  const q8 = ggmlTypeByName('Q8_0');
  const f32 = ggmlTypeByName('F32');
  const baseTensors: TensorToWrite[] = [
    { name: 'blk.0.ffn_gate_exps.weight', dims: [64, 16, 8], type: q8, data: patternBytes(8704, 1) },
    { name: 'output_norm.weight', dims: [17], type: f32, data: patternBytes(68, 2) },
  ];
  const baseMeta = [kv.string('general.architecture', 'qwen3moe'), kv.u32('general.alignment', 32), kv.strings('tokenizer.ggml.tokens', ['a', 'bc', 'déf'])];
  const base = writeGguf({ metadata: baseMeta, tensors: baseTensors });
  const L = layoutOf(base);
  const [gate, norm] = L.tensors;
  const alignKv = L.kvs[1];
  const copy = (): Uint8Array => base.slice();
  const patched = (f: (b: Uint8Array) => void): Uint8Array => {
    const b = copy();
    f(b);
    return b;
  };
  const normOffset = parseGguf(base).tensors[1].byteOffset;
  const withMeta = (md: GgufKv[], tensors: TensorToWrite[] = baseTensors): Uint8Array => writeGguf({ metadata: md, tensors });

  const cases: { name: string; code: GgufErrorCode; bytes: () => Uint8Array }[] = [
    { name: 'bad magic', code: 'bad_magic', bytes: () => patched((b) => (b[0] = 0x48)) },
    { name: 'file shorter than the magic', code: 'truncated', bytes: () => base.slice(0, 3) },
    { name: 'empty file', code: 'truncated', bytes: () => new Uint8Array(0) },
    { name: 'version 1', code: 'unsupported_version', bytes: () => patched((b) => setU32(b, 4, 1)) },
    { name: 'version 4', code: 'unsupported_version', bytes: () => patched((b) => setU32(b, 4, 4)) },
    { name: 'cut inside the counts', code: 'truncated', bytes: () => base.slice(0, 20) },
    { name: 'cut inside a key', code: 'truncated', bytes: () => base.slice(0, L.kvs[1].start + 12) },
    { name: 'cut inside a string array', code: 'truncated', bytes: () => base.slice(0, L.kvs[2].end - 2) },
    { name: 'cut inside a tensor info', code: 'truncated', bytes: () => base.slice(0, norm.start + 10) },
    { name: 'cut at the end of the tensor infos', code: 'truncated', bytes: () => base.slice(0, L.headerEnd) },
    { name: 'cut inside the tensor data', code: 'truncated', bytes: () => base.slice(0, normOffset + 10) },
    { name: 'tensor count 2^63', code: 'truncated', bytes: () => patched((b) => setU64(b, 8, 1n << 63n)) },
    { name: 'kv count 2^53-1', code: 'truncated', bytes: () => patched((b) => setU64(b, 16, (1n << 53n) - 1n)) },
    { name: 'key length 2^32', code: 'truncated', bytes: () => patched((b) => setU64(b, L.kvs[0].start, 1n << 32n)) },
    { name: 'string array count 2^32', code: 'truncated', bytes: () => patched((b) => setU64(b, L.kvs[2].countPos[1], 1n << 32n)) },
    { name: 'tensor offset far past the end', code: 'tensor_out_of_bounds', bytes: () => patched((b) => setU64(b, norm.offsetPos, 1n << 40n)) },
    { name: 'tensor offset just past the end', code: 'tensor_out_of_bounds', bytes: () => patched((b) => setU64(b, norm.offsetPos, BigInt(base.length))) },
    { name: 'tensor offset 2^63', code: 'tensor_out_of_bounds', bytes: () => patched((b) => setU64(b, norm.offsetPos, 1n << 63n)) },
    { name: 'tensor offset not aligned', code: 'bad_alignment', bytes: () => patched((b) => setU64(b, norm.offsetPos, 8704n + 4n)) },
    { name: 'ggml type 99', code: 'unknown_type', bytes: () => patched((b) => setU32(b, gate.typePos, 99)) },
    { name: 'Q8_0 with ne0 = 33', code: 'block_size_mismatch', bytes: () => patched((b) => setU64(b, gate.dimPos[0], 33n)) },
    { name: 'dimension 2^63', code: 'bad_dims', bytes: () => patched((b) => setU64(b, gate.dimPos[2], 1n << 63n)) },
    { name: 'element count past 2^53', code: 'bad_dims', bytes: () => patched((b) => setU64(b, gate.dimPos[1], 1n << 48n)) },
    { name: 'general.alignment = 3', code: 'bad_alignment', bytes: () => withMeta([kv.u32('general.alignment', 3)]) },
    { name: 'general.alignment = 0', code: 'bad_alignment', bytes: () => patched((b) => setU32(b, alignKv.typePos + 4, 0)) },
    { name: 'general.alignment typed f32', code: 'bad_alignment', bytes: () => withMeta([kv.f32('general.alignment', 32)]) },
    { name: 'duplicate key', code: 'duplicate_key', bytes: () => withMeta([kv.u32('a', 1), kv.string('b', 'x'), kv.u32('a', 2)]) },
    { name: 'duplicate tensor', code: 'duplicate_tensor', bytes: () => withMeta([], [baseTensors[1], { ...baseTensors[1], data: patternBytes(68, 3) }]) },
    { name: 'n_dims 0', code: 'bad_dims', bytes: () => patched((b) => setU32(b, gate.nDimsPos, 0)) },
    { name: 'n_dims 5', code: 'bad_dims', bytes: () => patched((b) => setU32(b, gate.nDimsPos, 5)) },
    { name: 'invalid UTF-8 in a key', code: 'bad_value', bytes: () => patched((b) => (b[L.kvs[0].start + 8] = 0xff)) },
    { name: 'invalid UTF-8 in a string value', code: 'bad_value', bytes: () => patched((b) => (b[L.kvs[0].end - 1] = 0xc3)) },
    { name: 'invalid UTF-8 in a tensor name', code: 'bad_value', bytes: () => patched((b) => (b[gate.nameLenPos + 8] = 0x80)) },
    { name: 'unknown value type 13', code: 'bad_value', bytes: () => patched((b) => setU32(b, L.kvs[0].typePos, 13)) },
    {
      name: 'bool byte 2',
      code: 'bad_value',
      bytes: () => {
        const b = withMeta([{ key: 'b', type: V.BOOL, value: true }]);
        b[layoutOf(b).kvs[0].end - 1] = 2;
        return b;
      },
    },
    { name: 'empty tensor name', code: 'bad_value', bytes: () => withMeta([], [{ ...baseTensors[1], name: '' }]) },
    { name: 'tensor name over 64 bytes', code: 'bad_value', bytes: () => withMeta([], [{ ...baseTensors[1], name: 'é'.repeat(33) }]) },
    { name: 'overlapping tensors', code: 'tensor_overlap', bytes: () => patched((b) => setU64(b, norm.offsetPos, 0n)) },
    { name: 'partly overlapping tensors', code: 'tensor_overlap', bytes: () => patched((b) => setU64(b, norm.offsetPos, 8704n - 32n)) },
  ];

  it.each(cases)('$name → $code', async ({ bytes, code }) => {
    const b = bytes();
    const err = ggufError(() => parseGguf(b));
    expect(err.code).toBe(code);
    expect(err.message.length).toBeGreaterThan(10);
    // The incremental reader over a byte source reaches the same verdict.
    await expect(readGguf(bytesSource(b))).rejects.toMatchObject({ name: 'GgufError', code });
  });

  it('the untouched base file parses (so each case above fails for its one change)', () => {
    expect(parseGguf(base).tensors.length).toBe(2);
  });
});

describe('real vocab fixtures', () => {
  const fixtures = [
    { file: 'ggml-vocab-gpt-2.gguf', arch: 'gpt2', model: 'gpt2', tokens: 50257, first: '!', last: '<|endoftext|>', merges: 50000 },
    { file: 'ggml-vocab-llama-bpe.gguf', arch: 'llama', model: 'gpt2', tokens: 128256, first: '!', last: '<|reserved_special_token_250|>', merges: 280147 },
    { file: 'ggml-vocab-llama-spm.gguf', arch: 'llama', model: 'llama', tokens: 32000, first: '<unk>', last: '给', merges: undefined },
    { file: 'ggml-vocab-qwen2.gguf', arch: 'qwen2', model: 'gpt2', tokens: 151936, first: '!', last: '[PAD151935]', merges: 151387 },
    { file: 'ggml-vocab-refact.gguf', arch: 'refact', model: 'gpt2', tokens: 49216, first: '<|endoftext|>', last: '[PAD49215]', merges: 48891 },
    { file: 'ggml-vocab-starcoder.gguf', arch: 'starcoder2', model: 'gpt2', tokens: 49152, first: '<|endoftext|>', last: 'sdb', merges: 48872 },
  ];

  it.each(fixtures)('$file parses: $arch, $tokens tokens', (f) => {
    const file: GgufFile = parseGguf(new Uint8Array(readFileSync(path.join(vocabDir, f.file))));
    const value = (key: string): unknown => file.metadata.get(key)?.value;
    expect(file.version).toBe(3);
    expect(file.tensors).toEqual([]);
    expect(value('general.architecture')).toBe(f.arch);
    expect(value('tokenizer.ggml.model')).toBe(f.model);
    const tokens = value('tokenizer.ggml.tokens');
    if (!Array.isArray(tokens)) throw new Error('tokens is not an array');
    expect(tokens.length).toBe(f.tokens);
    expect(tokens[0]).toBe(f.first);
    expect(tokens[tokens.length - 1]).toBe(f.last);
    expect(file.metadata.get('tokenizer.ggml.tokens')?.itemType).toBe(V.STRING);
    const types = value('tokenizer.ggml.token_type');
    expect(Array.isArray(types) && types.length).toBe(f.tokens);
    const merges = value('tokenizer.ggml.merges');
    expect(Array.isArray(merges) ? merges.length : undefined).toBe(f.merges);
  });
});
