// Deterministic fuzzing of the GGUF reader. Valid files are mutated (flipped bytes, huge
// counts, tensor offsets past the end, truncation, duplicated and shuffled header chunks);
// the reader must return or throw a GgufError (never another exception), fast, and must not
// trust a count it cannot back with bytes. A failure names the case seed; `mutate(base, seed)`
// rebuilds that exact case.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GgufError } from '../../workers/engine/gguf/errors.ts';
import type { GgufErrorCode } from '../../workers/engine/gguf/errors.ts';
import { parseGguf, readGguf } from '../../workers/engine/gguf/reader.ts';
import { bytesSource } from '../../workers/engine/gguf/sources.ts';
import { GgufValueType as V } from '../../workers/engine/gguf/types.ts';
import type { ByteSource, GgufFile, GgufKv, GgufValue } from '../../workers/engine/gguf/types.ts';
import { concatBytes } from '../../workers/engine/gguf/sources.ts';
import { kv, writeGguf } from '../../reference/gguf/writer.ts';
import type { TensorToWrite } from '../../reference/gguf/writer.ts';
import { ggmlTypeByName } from '../../workers/engine/quant/types.ts';
import type { GgmlTypeName } from '../../workers/engine/quant/types.ts';
import { uniform } from '../../scripts/model-gen/random.ts';
import { alignUp, layoutOf, patternBytes, randInt, RawBytes, setU64 } from './helpers.ts';
import type { Layout } from './helpers.ts';

const vocabFile = path.resolve(import.meta.dirname, '../../../shared/fixtures/vocab/ggml-vocab-llama-spm.gguf');

const tensor = (name: string, type: GgmlTypeName, dims: number[], seed: number): TensorToWrite => {
  const t = ggmlTypeByName(type);
  const rows = dims.slice(1).reduce((a, b) => a * b, 1);
  return { name, dims, type: t, data: patternBytes((dims[0] / t.blockSize) * t.typeSize * rows, seed) };
};

/** Real tokenizer metadata (llama-spm), arrays cut to their first 500 entries. */
function vocabBase(): Uint8Array {
  const real = parseGguf(new Uint8Array(readFileSync(vocabFile)));
  const metadata: GgufKv[] = [...real.metadata.values()].map((m) => (Array.isArray(m.value) ? { ...m, value: m.value.slice(0, 500) } : m));
  return writeGguf({ metadata, tensors: [tensor('token_embd.weight', 'Q4_0', [32, 4], 1), tensor('output_norm.weight', 'F32', [8], 2)] });
}

function moeBase(): Uint8Array {
  return writeGguf({
    metadata: [kv.string('general.architecture', 'qwen3moe'), kv.u32('qwen3moe.expert_count', 4), kv.f32s('x.f32s', [1, 2, 3])],
    tensors: [
      tensor('blk.0.ffn_gate_inp.weight', 'F32', [64, 4], 3),
      tensor('blk.0.ffn_gate_exps.weight', 'Q8_0', [64, 4, 4], 4),
      tensor('blk.0.ffn_down_exps.weight', 'Q4_K', [256, 2, 2], 5),
      tensor('blk.0.ffn_up_exps.weight', 'MXFP4', [32, 2, 4], 6),
      tensor('blk.0.ffn_gate_exps.bias', 'F32', [4, 4], 7),
      tensor('token_embd.weight', 'F16', [16, 2], 8),
    ],
  });
}

function align64Base(): Uint8Array {
  const scalars: GgufKv[] = [
    { key: 'u8', type: V.U8, value: 7 },
    { key: 'i16', type: V.I16, value: -7 },
    { key: 'u64', type: V.U64, value: 2 ** 40 },
    { key: 'i64', type: V.I64, value: -5 },
    { key: 'f64', type: V.F64, value: 0.25 },
    { key: 'bool', type: V.BOOL, value: true },
    { key: 'arr.u64', type: V.ARRAY, itemType: V.U64, value: [1, 2, 3] },
    { key: 'arr.bool', type: V.ARRAY, itemType: V.BOOL, value: [true, false] },
    { key: 'arr.f64', type: V.ARRAY, itemType: V.F64, value: [0.5] },
  ];
  return writeGguf({
    metadata: [kv.u32('general.alignment', 64), kv.string('general.name', 'fuzz · 専門家'), ...scalars],
    tensors: [tensor('blk.0.attn_v.weight', 'Q6_K', [256, 2], 9), tensor('blk.0.attn_q.weight', 'BF16', [8, 2], 10), tensor('a', 'Q5_0', [32, 3], 11)],
  });
}

/** Nested arrays, which writeGguf cannot write, plus one tensor. */
function nestedBase(): Uint8Array {
  const b = new RawBytes().header(1, 3).str('nested').u32(V.ARRAY).u32(V.ARRAY).u64(2);
  b.u32(V.I32).u64(2).i32(-1).i32(5).u32(V.STRING).u64(2).str('é').str('');
  b.str('s').u32(V.STRING).str('hello').str('n').u32(V.U32).u32(3);
  b.str('w').u32(1).u64(8).u32(0).u64(0);
  const head = b.build();
  const out = new Uint8Array(alignUp(head.length, 32) + 32);
  out.set(head);
  out.set(patternBytes(32, 12), alignUp(head.length, 32));
  return out;
}

/** 2.2 MB of header: bigger than readGguf's 2 MiB first read, so the incremental path runs. */
function bigBase(): Uint8Array {
  const tokens = Array.from({ length: 200 }, (_, i) => `tok${i}`);
  return writeGguf({
    metadata: [
      kv.string('general.architecture', 'llama'),
      kv.strings('tokenizer.ggml.tokens', tokens),
      kv.string('pad', 'x'.repeat(2_200_000)),
      kv.f32s(
        'tokenizer.ggml.scores',
        tokens.map((_, i) => -i),
      ),
      kv.i32s(
        'tokenizer.ggml.token_type',
        tokens.map(() => 1),
      ),
      kv.strings('tokenizer.ggml.merges', ['a b', 'c d']),
    ],
    tensors: [tensor('token_embd.weight', 'Q8_0', [32, 8], 13), tensor('output.weight', 'F32', [8], 14)],
  });
}

interface Base {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly layout: Layout;
  readonly file: GgufFile;
  /** End of the last tensor's bytes: a cut before it loses data. */
  readonly dataEnd: number;
}

function makeBase(name: string, bytes: Uint8Array): Base {
  const file = parseGguf(bytes);
  const dataEnd = Math.max(file.dataOffset, ...file.tensors.map((t) => t.byteOffset + t.byteLength));
  return { name, bytes, layout: layoutOf(bytes), file, dataEnd };
}

const concat = (...parts: Uint8Array[]): Uint8Array => concatBytes(parts);

function shuffled<T>(rng: () => number, items: readonly T[]): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = randInt(rng, i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Positions of u64 counts and lengths: both counts, key/string lengths, array counts, name lengths, dims. */
function countFields(l: Layout): number[] {
  return [l.tensorCountPos, l.kvCountPos, ...l.kvs.flatMap((k) => k.countPos), ...l.tensors.flatMap((t) => [t.nameLenPos, ...t.dimPos])];
}

/** Starts of every field of the header: where flipped bytes do the most damage. */
function hotFields(l: Layout): number[] {
  return [0, 4, ...countFields(l), ...l.kvs.flatMap((k) => [k.typePos, k.typePos + 4]), ...l.tensors.flatMap((t) => [t.nDimsPos, t.typePos, t.offsetPos])];
}

const HUGE = [1n << 32n, (1n << 53n) - 1n, 1n << 63n, (1n << 64n) - 1n, (1n << 32n) + 7n, 1n << 40n];

type Kind = 'flip' | 'count' | 'offset' | 'truncate' | 'dupKv' | 'dupTensor' | 'shuffleKv' | 'shuffleTensors' | 'insertChunk' | 'combo';
const KINDS: readonly Kind[] = ['flip', 'flip', 'count', 'count', 'offset', 'truncate', 'truncate', 'dupKv', 'dupTensor', 'shuffleKv', 'shuffleTensors', 'insertChunk', 'combo', 'combo'];

interface Case {
  readonly kind: Kind;
  readonly bytes: Uint8Array;
  /** What the reader must answer: a particular code, some GgufError, success, or anything. */
  readonly expect: { readonly throws: true; readonly codes?: readonly GgufErrorCode[] } | { readonly throws: false } | undefined;
}

function flip(rng: () => number, base: Base, bytes: Uint8Array): void {
  const hot = hotFields(base.layout);
  const n = 1 + randInt(rng, 8);
  for (let i = 0; i < n; i++) {
    const pos = rng() < 0.6 ? hot[randInt(rng, hot.length)] + randInt(rng, 8) : randInt(rng, bytes.length);
    if (pos < bytes.length) bytes[pos] ^= 1 + randInt(rng, 255);
  }
}

function hugeCount(rng: () => number, base: Base, bytes: Uint8Array): void {
  const l = base.layout;
  // Half the time one of the counts that size an allocation (tensors, kvs, array items).
  const sizing = [l.tensorCountPos, l.kvCountPos, ...l.kvs.flatMap((k) => k.arrayCountPos)];
  const fields = rng() < 0.5 ? sizing : countFields(l);
  setU64(bytes, fields[randInt(rng, fields.length)], HUGE[randInt(rng, HUGE.length)]);
}

function insertChunk(rng: () => number, base: Base, bytes: Uint8Array): Uint8Array {
  const l = base.layout;
  const chunks = [...l.kvs, ...l.tensors];
  if (chunks.length === 0) return bytes;
  const c = chunks[randInt(rng, chunks.length)];
  const at = [24, ...chunks.map((x) => x.end)][randInt(rng, chunks.length + 1)];
  return concat(bytes.subarray(0, at), bytes.slice(c.start, c.end), bytes.subarray(at));
}

/** Builds case `seed` of `base`, deterministically. */
function mutate(base: Base, seed: number): Case {
  const rng = uniform(seed);
  const l = base.layout;
  const bytes = base.bytes.slice();
  const kind = KINDS[randInt(rng, KINDS.length)];
  const bumpU64 = (b: Uint8Array, pos: number): void => setU64(b, pos, new DataView(b.buffer).getBigUint64(pos, true) + 1n);
  switch (kind) {
    case 'flip':
      flip(rng, base, bytes);
      return { kind, bytes, expect: undefined };
    case 'count':
      hugeCount(rng, base, bytes);
      return { kind, bytes, expect: { throws: true } };
    case 'offset': {
      if (l.tensors.length === 0) return { kind, bytes, expect: { throws: false } };
      const t = l.tensors[randInt(rng, l.tensors.length)];
      const a = base.file.alignment;
      const past = [BigInt(alignUp(bytes.length - base.file.dataOffset, a) + a * randInt(rng, 4)), 1n << 40n, 1n << 63n];
      setU64(bytes, t.offsetPos, past[randInt(rng, past.length)]);
      return { kind, bytes, expect: { throws: true, codes: ['tensor_out_of_bounds'] } };
    }
    case 'truncate': {
      const cut = randInt(rng, bytes.length);
      const lost = cut < base.dataEnd;
      return { kind, bytes: bytes.slice(0, cut), expect: lost ? { throws: true, codes: ['truncated'] } : { throws: false } };
    }
    case 'dupKv': {
      if (l.kvs.length === 0) return { kind, bytes, expect: { throws: false } };
      const k = l.kvs[randInt(rng, l.kvs.length)];
      const out = concat(bytes.subarray(0, k.end), bytes.slice(k.start, k.end), bytes.subarray(k.end));
      bumpU64(out, l.kvCountPos);
      return { kind, bytes: out, expect: { throws: true, codes: ['duplicate_key'] } };
    }
    case 'dupTensor': {
      if (l.tensors.length === 0) return { kind, bytes, expect: { throws: false } };
      const t = l.tensors[randInt(rng, l.tensors.length)];
      const out = concat(bytes.subarray(0, t.end), bytes.slice(t.start, t.end), bytes.subarray(t.end));
      bumpU64(out, l.tensorCountPos);
      // The header grows, so the data section may move and an earlier tensor fall off the end.
      return { kind, bytes: out, expect: { throws: true, codes: ['duplicate_tensor', 'truncated', 'tensor_out_of_bounds'] } };
    }
    case 'shuffleKv':
    case 'shuffleTensors': {
      const chunks: readonly { start: number; end: number }[] = kind === 'shuffleKv' ? l.kvs : l.tensors;
      if (chunks.length === 0) return { kind, bytes, expect: { throws: false } };
      const first = chunks[0].start;
      const last = chunks[chunks.length - 1].end;
      const parts = shuffled(rng, chunks).map((c) => bytes.subarray(c.start, c.end));
      return { kind, bytes: concat(bytes.subarray(0, first), ...parts, bytes.subarray(last)), expect: { throws: false } };
    }
    case 'insertChunk':
      return { kind, bytes: insertChunk(rng, base, bytes), expect: undefined };
    case 'combo': {
      let out: Uint8Array = bytes;
      for (let i = 0, n = 2 + randInt(rng, 2); i < n; i++) {
        const op = randInt(rng, 4);
        if (op === 0) flip(rng, base, out);
        else if (op === 1 && out.length === bytes.length) hugeCount(rng, base, out);
        else if (op === 2) out = out.slice(0, randInt(rng, out.length + 1));
        else if (out.length === bytes.length) out = insertChunk(rng, base, out);
      }
      return { kind, bytes: out, expect: undefined };
    }
  }
}

/** Number of array items and string bytes in a value: what parsing it allocated. */
function weight(v: GgufValue): number {
  if (typeof v === 'string') return v.length;
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + 1 + weight(x), 0);
  return 1;
}

/** What a successful parse of `size` bytes must satisfy, whatever the bytes were. */
function structuralProblems(f: GgufFile, size: number): string[] {
  const bad: string[] = [];
  if (f.dataOffset % f.alignment !== 0) bad.push(`dataOffset ${f.dataOffset} not aligned`);
  for (const t of f.tensors) {
    if (t.byteOffset + t.byteLength > size) bad.push(`${t.name} ends at ${t.byteOffset + t.byteLength} > ${size}`);
    if (t.byteOffset < f.dataOffset || t.byteOffset % f.alignment !== 0) bad.push(`${t.name} at ${t.byteOffset}`);
    if (!Number.isSafeInteger(t.elementCount)) bad.push(`${t.name} has ${t.elementCount} elements`);
  }
  const sorted = [...f.tensors].sort((a, b) => a.byteOffset - b.byteOffset);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i - 1].byteOffset + sorted[i - 1].byteLength > sorted[i].byteOffset) bad.push(`${sorted[i].name} overlaps`);
  }
  if (f.tensorByName.size !== f.tensors.length) bad.push('duplicate tensor names kept');
  const allocated = [...f.metadata.values()].reduce((n, m) => n + m.key.length + weight(m.value), 0);
  if (allocated > size) bad.push(`metadata holds ${allocated} items/chars from ${size} bytes`);
  return bad;
}

type Outcome = { ok: true; file: GgufFile } | { ok: false; code: GgufErrorCode } | { ok: false; foreign: unknown };

function outcomeOf(f: () => GgufFile): Outcome {
  try {
    return { ok: true, file: f() };
  } catch (e) {
    return e instanceof GgufError ? { ok: false, code: e.code } : { ok: false, foreign: e };
  }
}

async function asyncOutcomeOf(f: () => Promise<GgufFile>): Promise<Outcome> {
  try {
    return { ok: true, file: await f() };
  } catch (e) {
    return e instanceof GgufError ? { ok: false, code: e.code } : { ok: false, foreign: e };
  }
}

const describeOutcome = (o: Outcome): string => (o.ok ? 'parsed' : 'code' in o ? o.code : `foreign ${String(o.foreign)}`);

/** Metadata and tensors as plain data, order-free, for comparing two parses. */
const contents = (f: GgufFile): unknown => ({
  metadata: [...f.metadata.values()].sort((a, b) => (a.key < b.key ? -1 : 1)),
  tensors: [...f.tensors].sort((a, b) => (a.name < b.name ? -1 : 1)),
  dataOffset: f.dataOffset,
  alignment: f.alignment,
});

function unsized(bytes: Uint8Array): ByteSource {
  return { size: undefined, read: async (o, l) => bytes.subarray(o, Math.min(bytes.length, o + l)) };
}

interface Stats {
  cases: number;
  incremental: number;
  maxMs: number;
  maxSeed: number;
  failures: string[];
}

function check(base: Base, seed: number, c: Case, o: Outcome, stats: Stats): void {
  const where = `seed ${seed} (${base.name}/${c.kind})`;
  if (!o.ok && 'foreign' in o) {
    stats.failures.push(`${where}: threw a non-GgufError: ${o.foreign instanceof Error ? o.foreign.stack : String(o.foreign)}`);
    return;
  }
  if (o.ok) {
    for (const p of structuralProblems(o.file, c.bytes.length)) stats.failures.push(`${where}: ${p}`);
    if (o.file.fileSize !== c.bytes.length) stats.failures.push(`${where}: fileSize ${o.file.fileSize}`);
  }
  const e = c.expect;
  if (e === undefined) return;
  if (e.throws && o.ok) stats.failures.push(`${where}: parsed, expected ${e.codes?.join('|') ?? 'a GgufError'}`);
  if (e.throws && !o.ok && 'code' in o && e.codes && !e.codes.includes(o.code)) stats.failures.push(`${where}: ${o.code}, expected ${e.codes.join('|')}`);
  if (!e.throws && !o.ok) stats.failures.push(`${where}: ${describeOutcome(o)}, expected a parse`);
  if (!e.throws && o.ok && c.kind !== 'offset' && c.kind !== 'dupKv' && c.kind !== 'dupTensor') {
    // Reordered chunks and cuts after the data change nothing that was read.
    try {
      expect(contents(o.file)).toEqual(contents(base.file));
    } catch {
      stats.failures.push(`${where}: parsed to different contents than the base file`);
    }
  }
}

/** readGguf over a sized and an unsized source must agree with parseGguf. */
async function checkIncremental(base: Base, seed: number, c: Case, o: Outcome, stats: Stats): Promise<void> {
  const where = `seed ${seed} (${base.name}/${c.kind})`;
  const sized = await asyncOutcomeOf(() => readGguf(bytesSource(c.bytes)));
  const open = await asyncOutcomeOf(() => readGguf(unsized(c.bytes)));
  stats.incremental++;
  for (const [label, r] of [
    ['sized', sized],
    ['unsized', open],
  ] as const) {
    if (!r.ok && 'foreign' in r) stats.failures.push(`${where}: readGguf(${label}) threw a non-GgufError: ${String(r.foreign)}`);
  }
  if (describeOutcome(sized) !== describeOutcome(o)) stats.failures.push(`${where}: readGguf(sized) ${describeOutcome(sized)}, parseGguf ${describeOutcome(o)}`);
  if (o.ok && !open.ok) stats.failures.push(`${where}: readGguf(unsized) ${describeOutcome(open)}, parseGguf parsed`);
  if (o.ok && open.ok) {
    try {
      expect(contents(open.file)).toEqual(contents(o.file));
    } catch {
      stats.failures.push(`${where}: readGguf(unsized) parsed to different contents`);
    }
  }
  // An unsized source cannot bound tensors by the file size; only then may it parse what parseGguf rejects.
  if (!o.ok && open.ok && open.file.fileSize !== undefined) stats.failures.push(`${where}: readGguf(unsized) parsed a file parseGguf rejects`);
}

describe('GGUF reader fuzzing', () => {
  it('survives >1,000 mutated files: only GgufErrors, bounded by the bytes, fast', async () => {
    const bases = [makeBase('vocab', vocabBase()), makeBase('moe', moeBase()), makeBase('align64', align64Base()), makeBase('nested', nestedBase())];
    const big = makeBase('big', bigBase());
    const plan: { base: Base; cases: number; incrementalEvery: number }[] = [...bases.map((base) => ({ base, cases: 280, incrementalEvery: 7 })), { base: big, cases: 160, incrementalEvery: 1 }];
    const stats: Stats = { cases: 0, incremental: 0, maxMs: 0, maxSeed: 0, failures: [] };
    const expectedKinds = new Map<Kind, number>();
    const start = performance.now();
    for (const [b, { base, cases, incrementalEvery }] of plan.entries()) {
      for (let i = 0; i < cases; i++) {
        const seed = (b + 1) * 100_000 + i;
        const c = mutate(base, seed);
        expectedKinds.set(c.kind, (expectedKinds.get(c.kind) ?? 0) + 1);
        const t0 = performance.now();
        const o = outcomeOf(() => parseGguf(c.bytes));
        check(base, seed, c, o, stats);
        if (i % incrementalEvery === 0) await checkIncremental(base, seed, c, o, stats);
        const ms = performance.now() - t0;
        if (ms > stats.maxMs) [stats.maxMs, stats.maxSeed] = [ms, seed];
        stats.cases++;
      }
    }
    const totalMs = performance.now() - start;
    expect(stats.failures.slice(0, 20), `${stats.failures.length} failures`).toEqual([]);
    expect(stats.cases).toBeGreaterThanOrEqual(1000);
    expect(stats.incremental).toBeGreaterThanOrEqual(100);
    expect([...expectedKinds.keys()].sort()).toEqual([...new Set(KINDS)].sort());
    expect(totalMs, 'all cases').toBeLessThan(60_000);
    expect(stats.maxMs, `slowest case: seed ${stats.maxSeed}`).toBeLessThan(1_000);
  });
});
