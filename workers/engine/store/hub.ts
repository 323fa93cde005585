// Hugging Face Hub addresses (MOE-GGUF.md §5). The base URL is configuration, so tests and e2e
// point it at the local Hub double.

import { StoreError } from './errors.ts';
import type { ModelSource } from './types.ts';

export const DEFAULT_HUB_BASE_URL = 'https://huggingface.co';

export const REPO = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

export function trimBase(base: string): string {
  return base.replace(/\/+$/, '');
}

/** `${base}/${repo}/resolve/${revision}/${file}`: the revision is one segment (`refs%2Fpr%2F1`). */
export function hubResolveUrl(base: string, repo: string, revision: string, file: string): string {
  return `${trimBase(base)}/${repo}/resolve/${encodeURIComponent(revision)}/${encodePath(file)}`;
}

/** The URL a source's bytes are fetched from; rejects what cannot be a GGUF download. */
export function sourceUrl(source: ModelSource, hubBase: string): string {
  switch (source.kind) {
    case 'hub':
      if (!REPO.test(source.repo)) throw new StoreError('bad_request', `"${source.repo}" is not a Hub repository (expected owner/name)`);
      if (!source.file || source.file.startsWith('/') || source.file.split('/').includes('..')) {
        throw new StoreError('bad_request', `"${source.file}" is not a file path inside a repository`);
      }
      return hubResolveUrl(hubBase, source.repo, source.revision || 'main', source.file);
    case 'url': {
      let u: URL;
      try {
        u = new URL(source.url);
      } catch {
        throw new StoreError('bad_request', `"${source.url}" is not a URL`);
      }
      const local = u.hostname === 'localhost' || u.hostname === '127.0.0.1' || u.hostname === '[::1]';
      if (u.protocol !== 'https:' && !(u.protocol === 'http:' && local)) {
        throw new StoreError('bad_request', `${u.protocol}// links are not allowed: use an https:// URL of a .gguf file`);
      }
      return u.href;
    }
    case 'file':
      throw new StoreError('bad_request', 'a picked file has no URL: import it instead');
  }
}

export interface HubFileInfo {
  readonly size: number;
  /** SHA-256 of the file (the LFS oid), when the listing has one. */
  readonly sha256: string | undefined;
}

interface TreeEntry {
  type?: unknown;
  path?: unknown;
  size?: unknown;
  lfs?: { oid?: unknown; size?: unknown };
}

/**
 * The file's size and SHA-256 from `GET /api/models/{repo}/tree/{revision}/{dir}`. Best effort:
 * undefined when the listing cannot be read (the download does not depend on it).
 */
export async function hubFileInfo(fetchImpl: typeof fetch, base: string, repo: string, revision: string, file: string, signal: AbortSignal): Promise<HubFileInfo | undefined> {
  const dir = file.includes('/') ? `/${encodePath(file.slice(0, file.lastIndexOf('/')))}` : '';
  try {
    const res = await fetchImpl(`${trimBase(base)}/api/models/${repo}/tree/${encodeURIComponent(revision)}${dir}`, { signal });
    if (!res.ok) return undefined;
    const list: unknown = await res.json();
    if (!Array.isArray(list)) return undefined;
    const entry = (list as TreeEntry[]).find((e) => e.type === 'file' && e.path === file);
    if (!entry) return undefined;
    const size = typeof entry.lfs?.size === 'number' ? entry.lfs.size : entry.size;
    if (typeof size !== 'number') return undefined;
    return { size, sha256: typeof entry.lfs?.oid === 'string' ? entry.lfs.oid : undefined };
  } catch {
    return undefined;
  }
}
