// Argument parsing shared by the CLI commands: node:util parseArgs in strict mode, plus checked
// number conversions. Every problem becomes a CliError('bad_args') naming the flag.

import { parseArgs, type ParseArgsConfig } from 'node:util';

export type CliErrorCode = 'bad_args' | 'unsupported_backend';

export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly code: CliErrorCode,
    message: string,
  ) {
    super(message);
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;
type Values<O extends Options> = ReturnType<typeof parseArgs<{ options: O; strict: true; allowPositionals: false }>>['values'];

/** Strict parse: unknown flags, missing values and stray positionals are errors. */
export function parseFlags<O extends Options>(args: string[], options: O): Values<O> {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    throw new CliError('bad_args', `${e instanceof Error ? e.message : String(e)} (see --help)`);
  }
}

export function required<T>(value: T | undefined, flag: string): T {
  if (value === undefined) throw new CliError('bad_args', `--${flag} is required (see --help)`);
  return value;
}

/** A finite number within [min, max]. */
export function numberFlag(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    throw new CliError('bad_args', `--${flag} must be a number in [${min}, ${max}], got '${value}'`);
  }
  return n;
}

/** An integer within [min, max]. */
export function intFlag(value: string | undefined, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const n = numberFlag(value, flag, min, max);
  if (n !== undefined && !Number.isInteger(n)) throw new CliError('bad_args', `--${flag} must be an integer, got '${value}'`);
  return n;
}

/** `1,2,3` → [1, 2, 3]; every id an integer in [0, nVocab). */
export function tokenList(value: string, flag: string, nVocab: number): number[] {
  const parts = value.split(',').map((s) => s.trim());
  return parts.map((s) => {
    const id = Number(s);
    if (s === '' || !Number.isInteger(id) || id < 0 || id >= nVocab) {
      throw new CliError('bad_args', `--${flag}: '${s}' is not a token id of this model (0..${nVocab - 1})`);
    }
    return id;
  });
}
