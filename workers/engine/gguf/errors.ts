/** Why a GGUF file was rejected. Each code names one thing wrong with the bytes. */
export type GgufErrorCode =
  | 'bad_magic'
  | 'unsupported_version'
  | 'truncated'
  | 'bad_value'
  | 'bad_alignment'
  | 'duplicate_key'
  | 'duplicate_tensor'
  | 'bad_dims'
  | 'unknown_type'
  | 'block_size_mismatch'
  | 'tensor_out_of_bounds'
  | 'tensor_overlap'
  | 'missing_key'
  /** The parts of a split model do not belong together. */
  | 'bad_split'
  /** One part of a split model opened alone. */
  | 'split_part'
  | 'read_failed';

export class GgufError extends Error {
  override readonly name = 'GgufError';
  constructor(
    readonly code: GgufErrorCode,
    message: string,
  ) {
    super(message);
  }
}
