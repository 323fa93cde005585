import { modelIdFor } from '../../workers/engine/store/keys.ts';

/** A store id for a local file: `file~<name>~<size>` with only the characters ids allow. */
export function localModelId(file: { name: string; size: number }): string {
  return modelIdFor({ kind: 'file', name: file.name, size: file.size, lastModified: 0 });
}
