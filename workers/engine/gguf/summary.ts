// A parsed GGUF header reduced to what a person wants to see about a file, as plain data that
// can cross the worker boundary (the GgufFile itself holds Maps and multi-MB vocabularies).

import { optArray, optString } from './metadata.ts';
import { GgufValueType, type GgufFile, type GgufKv, type GgufValue, type GgufValueTypeId } from './types.ts';

/** Arrays up to this many items are shown in full. */
const MAX_INLINE_ITEMS = 16;
/** Strings (chat templates!) are cut to this many characters. */
const MAX_STRING_CHARS = 240;

export function summarizeGguf(file: GgufFile): GgufSummary {
  let parameterCount = 0;
  let tensorBytes = 0;
  const byType = new Map<string, QuantTypeUsage>();
  for (const t of file.tensors) {
    parameterCount += t.elementCount;
    tensorBytes += t.byteLength;
    const usage = byType.get(t.type.name) ?? {
      type: t.type.name,
      tensors: 0,
      parameters: 0,
      bytes: 0,
      supported: t.type.supported,
    };
    usage.tensors += 1;
    usage.parameters += t.elementCount;
    usage.bytes += t.byteLength;
    byType.set(t.type.name, usage);
  }

  return {
    version: file.version,
    architecture: optString(file, 'general.architecture'),
    name: optString(file, 'general.name'),
    fileSize: file.fileSize,
    tensorCount: file.tensors.length,
    parameterCount,
    tensorBytes,
    quantTypes: [...byType.values()].sort((a, b) => b.bytes - a.bytes || a.type.localeCompare(b.type)),
    tokenizer: tokenizerSummary(file),
    hasChatTemplate: [...file.metadata.keys()].some((k) => k.startsWith('tokenizer.chat_template')),
    metadata: [...file.metadata.values()].map(metadataEntry),
  };
}

function tokenizerSummary(file: GgufFile): TokenizerSummary | undefined {
  const model = optString(file, 'tokenizer.ggml.model');
  const pre = optString(file, 'tokenizer.ggml.pre');
  const tokenCount = optArray(file, 'tokenizer.ggml.tokens')?.length;
  if (model === undefined && pre === undefined && tokenCount === undefined) return undefined;
  return { model, pre, tokenCount };
}

export function metadataEntry(kv: GgufKv): MetadataEntry {
  if (kv.type === GgufValueType.ARRAY) {
    const item = kv.itemType === undefined ? 'unknown' : typeName(kv.itemType);
    return { key: kv.key, type: `array<${item}>`, value: formatArray(kv.value, kv.itemType) };
  }
  return { key: kv.key, type: typeName(kv.type), value: formatScalar(kv.value, kv.type) };
}

function formatArray(value: GgufValue, itemType: GgufValueTypeId | undefined): string {
  const items = Array.isArray(value) ? value : [value];
  if (items.length > MAX_INLINE_ITEMS) return `array of ${items.length} ${plural(itemType)}`;
  const shown = items.map((v) => (Array.isArray(v) ? `array of ${v.length}` : formatScalar(v, itemType, true)));
  return `[${shown.join(', ')}]`;
}

function formatScalar(value: GgufValue, type: GgufValueTypeId | undefined, quoteStrings = false): string {
  if (typeof value === 'string') {
    const cut = value.length > MAX_STRING_CHARS ? `${value.slice(0, MAX_STRING_CHARS)}… (${value.length} characters)` : value;
    return quoteStrings ? JSON.stringify(cut) : cut;
  }
  // f32 values are stored as the nearest double; 7 significant digits print what was written (1e-6, not 9.99…e-7).
  if (typeof value === 'number' && type === GgufValueType.F32) return String(Number(value.toPrecision(7)));
  return String(value);
}

const TYPE_NAMES: Record<GgufValueTypeId, string> = {
  [GgufValueType.U8]: 'u8',
  [GgufValueType.I8]: 'i8',
  [GgufValueType.U16]: 'u16',
  [GgufValueType.I16]: 'i16',
  [GgufValueType.U32]: 'u32',
  [GgufValueType.I32]: 'i32',
  [GgufValueType.F32]: 'f32',
  [GgufValueType.BOOL]: 'bool',
  [GgufValueType.STRING]: 'string',
  [GgufValueType.ARRAY]: 'array',
  [GgufValueType.U64]: 'u64',
  [GgufValueType.I64]: 'i64',
  [GgufValueType.F64]: 'f64',
};

function typeName(id: GgufValueTypeId): string {
  return TYPE_NAMES[id] ?? `type ${id}`;
}

function plural(itemType: GgufValueTypeId | undefined): string {
  switch (itemType) {
    case GgufValueType.STRING:
      return 'strings';
    case GgufValueType.BOOL:
      return 'booleans';
    case GgufValueType.ARRAY:
      return 'arrays';
    case undefined:
      return 'items';
    default:
      return `${typeName(itemType)} values`;
  }
}

export interface GgufSummary {
  version: number;
  /** `general.architecture`, e.g. `qwen3moe`. */
  architecture: string | undefined;
  /** `general.name`. */
  name: string | undefined;
  /** Bytes; undefined when the source could not tell. */
  fileSize: number | undefined;
  tensorCount: number;
  /** Sum of the tensors' element counts. */
  parameterCount: number;
  /** Bytes of tensor data the header describes. */
  tensorBytes: number;
  /** One row per ggml type used by the tensors, largest share of bytes first. */
  quantTypes: QuantTypeUsage[];
  tokenizer: TokenizerSummary | undefined;
  hasChatTemplate: boolean;
  /** Every metadata key in file order, values summarised for display. */
  metadata: MetadataEntry[];
}

export interface QuantTypeUsage {
  /** ggml type name, e.g. `Q4_K`. */
  type: string;
  tensors: number;
  parameters: number;
  bytes: number;
  /** Whether Pakar can dequantize this type. */
  supported: boolean;
}

export interface TokenizerSummary {
  /** `tokenizer.ggml.model`: `gpt2` (byte-level BPE), `llama` (SentencePiece), … */
  model: string | undefined;
  /** `tokenizer.ggml.pre`: the pre-tokenizer name. */
  pre: string | undefined;
  /** Length of `tokenizer.ggml.tokens`. */
  tokenCount: number | undefined;
}

export interface MetadataEntry {
  key: string;
  /** GGUF value type, e.g. `u32`, `string`, `array<string>`. */
  type: string;
  /** The value as text; long arrays and strings are summarised ("array of 151936 strings"). */
  value: string;
}
