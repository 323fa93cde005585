// Errors that cross the worker boundary. Comlink's own handler keeps only name, message and
// stack of a thrown Error, so a GgufError's `code` would be lost; this one sends `{code, message}`
// and rethrows it on the UI side as an EngineError. Both sides must install it.

import { transferHandlers, type TransferHandler } from 'comlink';
import { ChatError, type ChatErrorCode } from './chat/errors.ts';
import { DecodeError, type DecodeErrorCode } from './decode/errors.ts';
import { GgufError, type GgufErrorCode } from './gguf/errors.ts';
import { GpuError, type GpuErrorCode } from './gpu/errors.ts';
import { ModelError, type ModelErrorCode } from './model/errors.ts';
import { QuantError, type QuantErrorCode } from './quant/dequant.ts';
import { StoreError, type StoreErrorCode } from './store/errors.ts';
import { TemplateError, type TemplateErrorCode } from './template/errors.ts';
import { TokenizerError, type TokenizerErrorCode } from './tokenizer/errors.ts';

/** Every reason an engine call can fail with; `internal` is a bug or a platform failure. */
export type EngineErrorCode = GgufErrorCode | ModelErrorCode | QuantErrorCode | TokenizerErrorCode | TemplateErrorCode | GpuErrorCode | StoreErrorCode | DecodeErrorCode | ChatErrorCode | 'internal';

/** What the UI receives when an engine call fails (see `errors.ts`). */
export interface EngineErrorInfo {
  /** Stable machine-readable reason, e.g. a GgufError code such as `truncated`. */
  code: EngineErrorCode;
  /** What went wrong, for a person. */
  message: string;
}

/** Any engine failure as the UI sees it: a stable `code` and a message for a person. */
export class EngineError extends Error implements EngineErrorInfo {
  override readonly name = 'EngineError';
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The engine's typed errors: their codes are EngineErrorCodes by construction. */
const TYPED = [GgufError, ModelError, QuantError, TokenizerError, TemplateError, GpuError, StoreError, DecodeError, ChatError, EngineError];

/**
 * The code and message of anything thrown. Typed engine errors (GgufError, TemplateError, …)
 * keep their `code`; anything else (a platform error's own codes included) is a bug or a platform
 * failure and becomes `internal`.
 */
export function toEngineErrorInfo(thrown: unknown): EngineErrorInfo {
  if (TYPED.some((type) => thrown instanceof type)) {
    const e = thrown as Error & { code: EngineErrorCode };
    return { code: e.code, message: e.message };
  }
  if (thrown instanceof Error) return { code: 'internal', message: `${thrown.name}: ${thrown.message}` };
  return { code: 'internal', message: String(thrown) };
}

export function toEngineError(thrown: unknown): EngineError {
  if (thrown instanceof EngineError) return thrown;
  const { code, message } = toEngineErrorInfo(thrown);
  return new EngineError(code, message);
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
