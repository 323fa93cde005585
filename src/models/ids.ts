/** A store id for a local file: `file~<name>~<size>` with only the characters ids allow. */
export function localModelId(file: { name: string; size: number }): string {
  return `file~${file.name}~${file.size}`.replace(/\//g, '~').replace(/[^A-Za-z0-9._~+@=-]/g, '_').slice(0, 200);
}
