/** Why a vocabulary could not be used, or a call on it failed. */
export type TokenizerErrorCode =
  /** `tokenizer.ggml.model` is not one we implement (only `gpt2` and `llama`). */
  | 'unknown_model'
  /** `tokenizer.ggml.pre` names a pre-tokenizer we do not know. */
  | 'unknown_pre'
  /** A required tokenizer key is missing or has the wrong type. */
  | 'bad_vocab'
  /** A token id outside the vocabulary was passed in. */
  | 'bad_token_id'
  /** BOS/EOS was asked for but the vocabulary has none, or a byte token is missing. */
  | 'missing_token';

export class TokenizerError extends Error {
  override readonly name = 'TokenizerError';
  constructor(
    readonly code: TokenizerErrorCode,
    message: string,
  ) {
    super(message);
  }
}
