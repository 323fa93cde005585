export type DecodeErrorCode =
  /** Generation needs at least one prompt token to get logits from. */
  | 'empty_prompt'
  /** The prompt does not fit in the context that is left. */
  | 'context_full'
  /** Options that do not go together. */
  | 'bad_request'
  /** A draft model's vocabulary differs from the model's. */
  | 'vocab_mismatch'
  /** A draft model that cannot serve this model (e.g. a shorter context). */
  | 'bad_draft_model';

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
