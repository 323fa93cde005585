export type DecodeErrorCode =
  /** Generation needs at least one prompt token to get logits from. */
  | 'empty_prompt'
  /** The prompt does not fit in the context that is left. */
  | 'context_full';

/** Why a generation could not start. Stopping early is not an error: see `StopReason`. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(
    readonly code: DecodeErrorCode,
    message: string,
  ) {
    super(message);
  }
}
