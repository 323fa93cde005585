// Errors that cross the worker boundary. Comlink's own handler keeps only name, message and
// stack of a thrown Error, so a GgufError's `code` would be lost; this one sends `{code, message}`
// and rethrows it on the UI side as an EngineError. Both sides must install it.

import { transferHandlers, type TransferHandler } from 'comlink';
import type { EngineErrorInfo } from './api.ts';

/** Any engine failure as the UI sees it: a stable `code` and a message for a person. */
export class EngineError extends Error implements EngineErrorInfo {
  override readonly name = 'EngineError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The code and message of anything thrown. Typed engine errors (GgufError, TemplateError, …)
 * keep their `code`; anything else is a bug or a platform failure and becomes `internal`.
 */
export function toEngineErrorInfo(thrown: unknown): EngineErrorInfo {
  if (thrown instanceof Error) {
    const code: unknown = (thrown as Error & { code?: unknown }).code;
    // DOMException has a numeric legacy `code`; only string codes are ours.
    if (typeof code === 'string' && code !== '') return { code, message: thrown.message };
    return { code: 'internal', message: `${thrown.name}: ${thrown.message}` };
  }
  if (isErrorInfo(thrown)) return { code: thrown.code, message: thrown.message };
  return { code: 'internal', message: String(thrown) };
}

export function toEngineError(thrown: unknown): EngineError {
  if (thrown instanceof EngineError) return thrown;
  const { code, message } = toEngineErrorInfo(thrown);
  return new EngineError(code, message);
}

function isErrorInfo(v: unknown): v is EngineErrorInfo {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o.code === 'string' && typeof o.message === 'string';
}

/** Replaces Comlink's `throw` handler. Idempotent; call once per side before the first call. */
export function installEngineErrorTransfer(): void {
  const builtin = transferHandlers.get('throw');
  if (!builtin || builtin === engineThrowHandler) return;
  // Comlink marks thrown values with a private symbol; only its own handler can recognise them.
  recogniseThrown = builtin.canHandle;
  transferHandlers.set('throw', engineThrowHandler);
}

let recogniseThrown: (value: unknown) => boolean = () => false;

const engineThrowHandler: TransferHandler<unknown, EngineErrorInfo> = {
  canHandle: (value: unknown): value is unknown => recogniseThrown(value),
  // Comlink hands over `{ value: thrown, [marker]: 0 }`.
  serialize: (wrapped: unknown) => [toEngineErrorInfo((wrapped as { value: unknown }).value), []],
  deserialize: (info: EngineErrorInfo) => {
    throw new EngineError(info.code, info.message);
  },
};
