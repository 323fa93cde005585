export type ModelErrorCode = 'unknown_arch' | 'missing_tensor' | 'bad_shape' | 'unsupported_type' | 'bad_hparams';

/** A GGUF that parsed but cannot run: unknown architecture, missing or misshapen tensors. */
export class ModelError extends Error {
  override readonly name = 'ModelError';
  constructor(
    readonly code: ModelErrorCode,
    message: string,
  ) {
    super(message);
  }
}
