export type GpuErrorCode =
  | 'no_webgpu'
  | 'no_adapter'
  | 'device_lost'
  | 'out_of_memory'
  | 'validation'
  | 'too_large'
  /** A model load cancelled by its caller (GpuModelOptions.signal). */
  | 'aborted';

/** A WebGPU failure, with a code the UI can act on (e.g. offer to reload after device_lost). */
export class GpuError extends Error {
  override readonly name = 'GpuError';
  constructor(
    readonly code: GpuErrorCode,
    message: string,
  ) {
    super(message);
  }
}
