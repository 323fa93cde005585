// Loading a GGUF for the CLI: the whole file in memory (fine for the CPU reference).

import { readFileSync } from 'node:fs';
import { GgufError } from '../../workers/engine/gguf/errors.ts';

export function readModelFile(path: string): Uint8Array {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new GgufError('read_failed', `cannot read the model file ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}
