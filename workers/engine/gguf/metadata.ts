// Typed access to metadata values; a missing or mistyped required key is a GgufError.

import { GgufError } from './errors.ts';
import type { GgufFile, GgufValue } from './types.ts';

function get(file: GgufFile, key: string): GgufValue | undefined {
  return file.metadata.get(key)?.value;
}

function wrongType(key: string, want: string, v: GgufValue): GgufError {
  return new GgufError('bad_value', `metadata ${key} should be ${want}, found ${Array.isArray(v) ? 'an array' : typeof v}`);
}

function required<T>(key: string, v: T | undefined): T {
  if (v === undefined) throw new GgufError('missing_key', `metadata key ${key} is missing`);
  return v;
}

export function optNumber(file: GgufFile, key: string): number | undefined {
  const v = get(file, key);
  if (v === undefined) return undefined;
  if (typeof v !== 'number') throw wrongType(key, 'a number', v);
  return v;
}

export function optString(file: GgufFile, key: string): string | undefined {
  const v = get(file, key);
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw wrongType(key, 'a string', v);
  return v;
}

export function optBool(file: GgufFile, key: string): boolean | undefined {
  const v = get(file, key);
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw wrongType(key, 'a bool', v);
  return v;
}

export function optArray(file: GgufFile, key: string): GgufValue[] | undefined {
  const v = get(file, key);
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw wrongType(key, 'an array', v);
  return v;
}

export function optNumberArray(file: GgufFile, key: string): number[] | undefined {
  const a = optArray(file, key);
  if (a === undefined) return undefined;
  for (const x of a) if (typeof x !== 'number') throw wrongType(key, 'an array of numbers', x);
  return a as number[];
}

export function optStringArray(file: GgufFile, key: string): string[] | undefined {
  const a = optArray(file, key);
  if (a === undefined) return undefined;
  for (const x of a) if (typeof x !== 'string') throw wrongType(key, 'an array of strings', x);
  return a as string[];
}

/** A number, or one entry of a per-layer array (GGUF allows either for some hparams). */
export function optNumberPerLayer(file: GgufFile, key: string, layer: number): number | undefined {
  const v = get(file, key);
  if (v === undefined) return undefined;
  if (typeof v === 'number') return v;
  if (Array.isArray(v) && typeof v[layer] === 'number') return v[layer];
  throw wrongType(key, 'a number or a per-layer array of numbers', v);
}

export const metaNumber = (f: GgufFile, k: string): number => required(k, optNumber(f, k));
export const metaString = (f: GgufFile, k: string): string => required(k, optString(f, k));
export const metaBool = (f: GgufFile, k: string): boolean => required(k, optBool(f, k));
export const metaArray = (f: GgufFile, k: string): GgufValue[] => required(k, optArray(f, k));
export const metaNumberArray = (f: GgufFile, k: string): number[] => required(k, optNumberArray(f, k));
export const metaStringArray = (f: GgufFile, k: string): string[] => required(k, optStringArray(f, k));
