// "Add a model": what a person pastes (a repository `owner/name`, `owner/name:Q4_K_M`, a
// huggingface.co or hf.co link to a repository, folder or file, or any https URL of a .gguf)
// turned into the GGUF files one can download, from the Hub's tree API. The parts of a split
// file (`-00001-of-0000N.gguf`) are one choice; vision projectors (mmproj) are not models.

import { splitPartNames } from '../gguf/split.ts';
import { abortedError, StoreError } from './errors.ts';
import { REPO, trimBase } from './hub.ts';
import type { HubSource, UrlSource } from './types.ts';

/** What a pasted text names. */
export type ModelRef =
  { readonly kind: 'hub'; readonly repo: string; readonly revision: string; readonly path: string | undefined; readonly quant: string | undefined } | { readonly kind: 'url'; readonly url: string };

/** One file (or split set) a person can download. */
export interface ModelFileChoice {
  readonly source: HubSource | UrlSource;
  /** Path in the repository (the first part's, for a split file), or the URL's file name. */
  readonly path: string;
  /** Bytes of the file (all parts); undefined when the listing did not say. */
  readonly size: number | undefined;
  /** The quantization named in the file name, e.g. `Q4_K_M`; undefined when it names none. */
  readonly quant: string | undefined;
  /** 1, or the number of parts of a split file. */
  readonly parts: number;
}

export interface ModelFileListing {
  /** The repository, for Hub references. */
  readonly repo: string | undefined;
  readonly revision: string | undefined;
  readonly files: ModelFileChoice[];
}

const HUB_HOSTS = new Set(['huggingface.co', 'www.huggingface.co', 'hf.co']);

/**
 * Reads a pasted reference. `hubBase` is the Hub this build downloads from: links to it (or to
 * huggingface.co / hf.co) are Hub references, any other https link must be a .gguf file.
 */
export function parseModelRef(input: string, hubBase: string): ModelRef {
  const text = input.trim();
  if (!text) throw new StoreError('bad_request', 'Paste a Hub repository (owner/name), a huggingface.co or hf.co link, or the URL of a .gguf file');
  const tagged = /^([^/:\s]+\/[^/:\s]+?)(?::([A-Za-z0-9_.-]+))?$/.exec(text);
  if (tagged && REPO.test(tagged[1])) return { kind: 'hub', repo: tagged[1], revision: 'main', path: undefined, quant: tagged[2] };
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
  } catch {
    throw new StoreError('bad_request', `"${text.slice(0, 100)}" is neither a Hub repository (owner/name) nor a link`);
  }
  let hubOrigin: string | undefined;
  try {
    hubOrigin = new URL(hubBase).origin;
  } catch {
    hubOrigin = undefined;
  }
  if (HUB_HOSTS.has(url.hostname) || url.origin === hubOrigin) return hubRefOf(url);
  if (!/\.gguf$/i.test(url.pathname)) {
    throw new StoreError('bad_request', `${url.host} is not the Hugging Face Hub, and ${url.pathname} is not a .gguf file: paste a link to a .gguf file or a Hub repository`);
  }
  return { kind: 'url', url: url.href };
}

function hubRefOf(url: URL): ModelRef {
  const seg = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (seg[0] === 'datasets' || seg[0] === 'spaces') throw new StoreError('bad_request', `${url.href} is a ${seg[0].slice(0, -1)}, not a model repository`);
  if (seg[0] === 'api' && seg[1] === 'models') seg.splice(0, 2);
  const [owner, name, verb, revision, ...rest] = seg;
  const repo = `${owner}/${name?.replace(/:.*$/, '')}`;
  if (!owner || !name || !REPO.test(repo)) throw new StoreError('bad_request', `${url.href} does not name a model repository (https://huggingface.co/owner/name)`);
  const quant = name.includes(':') ? name.slice(name.indexOf(':') + 1) : undefined;
  if (verb === undefined) return { kind: 'hub', repo, revision: 'main', path: undefined, quant };
  if ((verb === 'tree' || verb === 'blob' || verb === 'resolve') && revision) {
    return { kind: 'hub', repo, revision, path: rest.length > 0 ? rest.join('/') : undefined, quant };
  }
  throw new StoreError('bad_request', `${url.href} is not a repository, folder or file link`);
}

/** The quantization in a GGUF file name: `…-Q4_K_M.gguf`, `….IQ4_XS-00001-of-00002.gguf`, `…-mxfp4.gguf`. */
export function quantOfName(path: string): string | undefined {
  const name = path.slice(path.lastIndexOf('/') + 1).replace(/-\d{5}-of-\d{5}(?=\.gguf$)/i, '');
  const m = /(?:^|[-_.])((?:UD-)?(?:I?Q\d(?:_[A-Z0-9]{1,3})*|TQ\d_\d|BF16|F16|F32|MXFP4(?:_MOE)?))(?=\.gguf$|[-_.])/i.exec(name);
  return m?.[1].toUpperCase();
}

interface TreeEntry {
  readonly type?: unknown;
  readonly path?: unknown;
  readonly size?: unknown;
  readonly lfs?: { readonly size?: unknown };
}

const MAX_PAGES = 50;

/** Every entry of the repository's tree (recursive), following the `Link: rel="next"` pages. */
async function listTree(fetchImpl: typeof fetch, base: string, repo: string, revision: string, signal: AbortSignal): Promise<TreeEntry[]> {
  const entries: TreeEntry[] = [];
  let next: string | undefined = `${trimBase(base)}/api/models/${repo}/tree/${encodeURIComponent(revision)}?recursive=true`;
  for (let page = 0; next && page < MAX_PAGES; page++) {
    let res: Response;
    try {
      res = await fetchImpl(next, { signal });
    } catch (e) {
      if (signal.aborted) throw abortedError('The listing');
      throw new StoreError('network', `could not reach ${new URL(next).host} to list ${repo} (${e instanceof Error ? e.message : String(e)}); check the connection`, { cause: e });
    }
    if (res.status === 401 || res.status === 404) {
      throw new StoreError('remote_missing', `The Hub has no repository ${repo}${revision === 'main' ? '' : ` at ${revision}`} (HTTP ${res.status}); check the name, or it may be private`, {
        status: res.status,
      });
    }
    if (res.status === 403) throw new StoreError('access_denied', `The Hub refused to list ${repo} (HTTP 403)`, { status: res.status });
    if (!res.ok) throw new StoreError('http', `The Hub answered HTTP ${res.status} when listing ${repo}`, { status: res.status });
    const list: unknown = await res.json().catch(() => undefined);
    if (!Array.isArray(list)) throw new StoreError('http', `The Hub's listing of ${repo} was not a file list`);
    entries.push(...(list as TreeEntry[]));
    next = nextLink(res.headers.get('link'), next);
  }
  return entries;
}

function nextLink(header: string | null, current: string): string | undefined {
  const m = header && /<([^>]+)>\s*;\s*rel="?next"?/.exec(header);
  return m ? new URL(m[1], current).href : undefined;
}

/** The GGUF files `ref` names, smallest first. */
export async function listModelFiles(fetchImpl: typeof fetch, hubBase: string, ref: ModelRef, signal: AbortSignal): Promise<ModelFileListing> {
  if (ref.kind === 'url') {
    const url = new URL(ref.url);
    const first = splitPartNames(url.pathname)?.[0] ?? url.pathname;
    const source: UrlSource = { kind: 'url', url: new URL(`${first}${url.search}`, url).href };
    const name = decodeURIComponent(first.slice(first.lastIndexOf('/') + 1));
    return { repo: undefined, revision: undefined, files: [{ source, path: name, size: undefined, quant: quantOfName(name), parts: splitPartNames(first)?.length ?? 1 }] };
  }
  const entries = await listTree(fetchImpl, hubBase, ref.repo, ref.revision, signal);
  const sizes = new Map<string, number | undefined>();
  for (const e of entries) {
    if (e.type !== 'file' || typeof e.path !== 'string' || !/\.gguf$/i.test(e.path)) continue;
    if (/(^|\/)mmproj[^/]*$/i.test(e.path)) continue;
    const size = typeof e.lfs?.size === 'number' ? e.lfs.size : typeof e.size === 'number' ? e.size : undefined;
    sizes.set(e.path, size);
  }
  const files: ModelFileChoice[] = [];
  const seen = new Set<string>();
  for (const path of sizes.keys()) {
    const parts = splitPartNames(path) ?? [path];
    if (seen.has(parts[0])) continue;
    seen.add(parts[0]);
    // A split set is offered only when every part is there.
    if (!parts.every((p) => sizes.has(p))) continue;
    const partSizes = parts.map((p) => sizes.get(p));
    const size = partSizes.every((s) => s !== undefined) ? partSizes.reduce((a: number, b) => a + (b ?? 0), 0) : undefined;
    files.push({ source: { kind: 'hub', repo: ref.repo, file: parts[0], revision: ref.revision }, path: parts[0], size, quant: quantOfName(parts[0]), parts: parts.length });
  }
  files.sort((a, b) => (a.size ?? Infinity) - (b.size ?? Infinity) || a.path.localeCompare(b.path));
  const wanted = files.filter((f) => matches(f, ref));
  if (wanted.length === 0) {
    if (files.length === 0)
      throw new StoreError(
        'remote_missing',
        `${ref.repo} has no GGUF files${ref.revision === 'main' ? '' : ` at ${ref.revision}`}: Pakar runs GGUF models; look for a repository with "GGUF" in its name`,
      );
    const what = ref.quant ? `no ${ref.quant} GGUF file` : `no GGUF file at ${ref.path}`;
    const has = [...new Set(files.map((f) => f.quant ?? f.path))].join(', ');
    throw new StoreError('remote_missing', `${ref.repo} has ${what}; it has ${has}`);
  }
  return { repo: ref.repo, revision: ref.revision, files: wanted };
}

function matches(f: ModelFileChoice, ref: Extract<ModelRef, { kind: 'hub' }>): boolean {
  if (ref.quant && f.quant?.replace(/^UD-/, '') !== ref.quant.toUpperCase().replace(/^UD-/, '')) return false;
  if (!ref.path) return true;
  if (/\.gguf$/i.test(ref.path)) return f.path === (splitPartNames(ref.path)?.[0] ?? ref.path);
  return f.path.startsWith(`${ref.path.replace(/\/+$/, '')}/`);
}
