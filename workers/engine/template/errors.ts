/** Why a chat template could not produce a prompt. */
export type TemplateErrorCode =
  /** The Jinja source does not tokenize or parse (syntax @huggingface/jinja does not know). */
  | 'parse'
  /** Rendering failed: the template called `raise_exception`, or touched a value or method it cannot use. */
  | 'render';

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  constructor(
    readonly code: TemplateErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
