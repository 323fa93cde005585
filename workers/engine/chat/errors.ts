export type ChatErrorCode = 'context_full' | 'no_model' | 'busy' | 'no_draft_model' | 'no_mtp';

export class ChatError extends Error {
  override readonly name = 'ChatError';
  constructor(
    readonly code: ChatErrorCode,
    message: string,
  ) {
    super(message);
  }
}
