// The curated model catalog: validated data (catalog.json), plus whether the engine can run
// each entry's architecture. Unsupported entries are listed as such, never hidden.

import catalogText from './catalog.json?raw';
import { archs } from '../../workers/engine/model/archs/index.ts';
import type { HubSource, UrlSource } from '../../workers/engine/store/types.ts';

export interface CatalogEntry {
  /** Also the model's id in the store. */
  readonly id: string;
  readonly name: string;
  /** The Hub repository; undefined for a model bundled with the app. */
  readonly repo: string | undefined;
  readonly file: string;
  readonly revision: string | undefined;
  /** Shipped in `public/` with the app (no Hub download, works offline). */
  readonly bundled: boolean;
  /** The model a first visit loads by itself (at most one entry). */
  readonly isDefault: boolean;
  /** `general.architecture` of the file. */
  readonly architecture: string;
  readonly quant: string;
  readonly sizeBytes: number;
  /** The size was inferred, not read from this file's listing. */
  readonly sizeEstimated: boolean;
  readonly contextLength: number;
  readonly licence: string;
  /** See catalog.json `notes.memoryEstimateBytes`. */
  readonly memoryEstimateBytes: number;
  readonly parameters: { readonly total: number; readonly active: number };
  readonly experts: { readonly total: number; readonly used: number; readonly shared: number };
  readonly note: string | undefined;
  /** One sentence on what a narrow model can and cannot do, shown on its empty chat. */
  readonly scope: string | undefined;
  /** Prompts its empty chat offers (the tasks a narrow model was trained on). */
  readonly suggestions: readonly string[];
  /** The sampling temperature the model answers best at, used until the person chooses one (Settings). */
  readonly temperature: number | undefined;
  /** Whether this version of the engine runs the architecture. */
  readonly supported: boolean;
  /** Where the store downloads it from: the Hub, or the app's own origin for a bundled model. */
  readonly source: HubSource | UrlSource;
}

export class CatalogError extends Error {
  override readonly name = 'CatalogError';
  readonly code = 'invalid_catalog';
}

/** The architectures the engine runs (`general.architecture` values). */
export const supportedArchitectures: readonly string[] = archs.map((a) => a.name);

type Obj = Record<string, unknown>;

/** Reads fields of one JSON object, collecting every problem with its path. */
class Fields {
  constructor(
    private readonly o: Obj,
    private readonly path: string,
    private readonly problems: string[],
  ) {}

  string(key: string, pattern?: RegExp): string {
    const v = this.o[key];
    if (typeof v !== 'string' || v === '' || (pattern && !pattern.test(v))) this.problems.push(`${this.path}.${key} must be a ${pattern ? `string matching ${pattern}` : 'non-empty string'}`);
    return typeof v === 'string' ? v : '';
  }

  optString(key: string): string | undefined {
    return this.o[key] === undefined ? undefined : this.string(key);
  }

  /** An optional number in [min, max]. */
  optNumber(key: string, min: number, max: number): number | undefined {
    const v = this.o[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !(v >= min && v <= max)) {
      this.problems.push(`${this.path}.${key} must be a number from ${min} to ${max}`);
      return undefined;
    }
    return v;
  }

  /** An optional array of non-empty strings ([] when absent). */
  optStrings(key: string): string[] {
    const v = this.o[key];
    if (v === undefined) return [];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && x !== '')) {
      this.problems.push(`${this.path}.${key} must be an array of non-empty strings`);
      return [];
    }
    return v as string[];
  }

  count(key: string, min = 1): number {
    const v = this.o[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) this.problems.push(`${this.path}.${key} must be an integer ≥ ${min}`);
    return typeof v === 'number' ? v : 0;
  }

  bool(key: string): boolean {
    const v = this.o[key];
    if (typeof v !== 'boolean') this.problems.push(`${this.path}.${key} must be true or false`);
    return v === true;
  }

  object(key: string): Fields {
    const v = this.o[key];
    if (!isObj(v)) this.problems.push(`${this.path}.${key} must be an object`);
    return new Fields(isObj(v) ? v : {}, `${this.path}.${key}`, this.problems);
  }
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const ID = /^[a-z0-9][a-z0-9._-]*$/;
const REPO = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;
const GGUF_FILE = /\.gguf$/;
/** A path under `public/`, served by the app itself. */
const BUNDLED_PATH = /^(?:[a-z0-9_-]+\/)*[a-z0-9_.-]+\.gguf$/;

/** A bundled file's URL on the app's own origin (under Vite's base path). */
export function bundledUrl(path: string): string {
  return new URL(`${import.meta.env.BASE_URL}${path}`, globalThis.location?.href ?? 'http://127.0.0.1/').href;
}

/** Validates the catalog JSON; throws one CatalogError listing every problem. */
export function parseCatalog(json: unknown, supported: readonly string[] = supportedArchitectures): CatalogEntry[] {
  const problems: string[] = [];
  const root = isObj(json) ? json : {};
  if (!isObj(json) || json.version !== 1) problems.push('catalog.version must be 1');
  const models = Array.isArray(root.models) ? root.models : [];
  if (!Array.isArray(root.models) || models.length === 0) problems.push('catalog.models must be a non-empty array');

  const entries = models.map((m: unknown, i): CatalogEntry => {
    const f = new Fields(isObj(m) ? m : {}, `models[${i}]`, problems);
    if (!isObj(m)) problems.push(`models[${i}] must be an object`);
    const params = f.object('parameters');
    const experts = f.object('experts');
    const bundled = isObj(m) && m.bundled !== undefined ? f.string('bundled', BUNDLED_PATH) : undefined;
    const entry = {
      id: f.string('id', ID),
      name: f.string('name'),
      repo: bundled === undefined ? f.string('repo', REPO) : undefined,
      file: f.string('file', GGUF_FILE),
      revision: bundled === undefined ? f.string('revision') : undefined,
      isDefault: isObj(m) && m.default !== undefined ? f.bool('default') : false,
      architecture: f.string('architecture'),
      quant: f.string('quant'),
      sizeBytes: f.count('sizeBytes'),
      sizeEstimated: f.bool('sizeEstimated'),
      contextLength: f.count('contextLength'),
      licence: f.string('licence'),
      memoryEstimateBytes: f.count('memoryEstimateBytes'),
      parameters: { total: params.count('total'), active: params.count('active') },
      experts: { total: experts.count('total'), used: experts.count('used'), shared: experts.count('shared', 0) },
      note: f.optString('note'),
      scope: f.optString('scope'),
      suggestions: f.optStrings('suggestions'),
      temperature: f.optNumber('temperature', 0, 2),
    };
    if (entry.experts.used > entry.experts.total) problems.push(`models[${i}].experts.used exceeds experts.total`);
    if (entry.parameters.active > entry.parameters.total) problems.push(`models[${i}].parameters.active exceeds parameters.total`);
    if (entry.memoryEstimateBytes < entry.sizeBytes) problems.push(`models[${i}].memoryEstimateBytes is below the file size`);
    if (bundled !== undefined && !bundled.endsWith(`/${entry.file}`) && bundled !== entry.file) problems.push(`models[${i}].bundled must name the file ${entry.file}`);
    const source: HubSource | UrlSource = bundled === undefined ? { kind: 'hub', repo: entry.repo ?? '', file: entry.file, revision: entry.revision ?? '' } : { kind: 'url', url: bundledUrl(bundled) };
    return { ...entry, bundled: bundled !== undefined, supported: supported.includes(entry.architecture), source };
  });
  if (entries.filter((e) => e.isDefault).length > 1) problems.push('at most one model may be the default');
  const ids = new Set<string>();
  for (const e of entries) {
    if (ids.has(e.id)) problems.push(`model id ${e.id} appears twice`);
    ids.add(e.id);
  }
  if (problems.length > 0) throw new CatalogError(`The model catalog is invalid:\n- ${problems.join('\n- ')}`);
  return entries;
}

let cached: CatalogEntry[] | undefined;

/** The bundled catalog, validated once. */
export function loadCatalog(): CatalogEntry[] {
  cached ??= parseCatalog(JSON.parse(catalogText) as unknown);
  return cached;
}
