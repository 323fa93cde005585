import { modelIdFor } from '../../workers/engine/store/keys.ts';

/**
 * A store id for local files: `file~<name>~<size>` with only the characters ids allow; for the
 * parts of a split file, the first part's name (they sort in part order) and the total size.
 */
export function localModelId(files: readonly { name: string; size: number }[]): string {
  const first = [...files].sort((a, b) => a.name.localeCompare(b.name))[0];
  return modelIdFor({ kind: 'file', name: first.name, size: files.reduce((n, f) => n + f.size, 0), lastModified: 0 });
}
