// A conversation as it is kept in IndexedDB and exported as JSON. Plain data only.

import type { ChatStats } from '../engine/client.ts';

export type MessageStatus =
  /** The answer is being generated (or was, when the tab closed mid-answer). */
  | 'streaming'
  | 'done'
  /** The user pressed Stop, or the page closed while generating: a partial answer. */
  | 'stopped'
  /** The engine failed; `error` says why, the partial text is kept. */
  | 'error';

export interface MessageError {
  readonly code: string;
  readonly message: string;
}

export interface Message {
  readonly id: string;
  readonly role: 'user' | 'assistant';
  readonly content: string;
  /** The model's reasoning before its answer (assistant; see reasoning.ts), kept out of `content`. */
  readonly reasoning?: string;
  /** ms since the epoch. */
  readonly createdAt: number;
  /** Assistant messages only. */
  readonly status?: MessageStatus;
  readonly error?: MessageError;
  /** Generated token ids (assistant). */
  readonly tokens?: number[];
  readonly stats?: AnswerStats;
  /** The model that wrote it (assistant). */
  readonly model?: string;
  /** Earlier messages left out of the prompt because the context was full (assistant). */
  readonly droppedMessages?: number;
}

export interface Conversation {
  readonly id: string;
  readonly title: string;
  readonly systemPrompt: string;
  readonly messages: readonly Message[];
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** One row of the conversation index (`conv-index`), newest first. */
export interface ConversationSummary {
  readonly id: string;
  readonly title: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly messageCount: number;
}

/** The stats every stored answer has; later fields (speculation's, the loop's timings) may be missing from older ones. */
export type AnswerStats = Pick<ChatStats, (typeof ANSWER_STAT_KEYS)[number]> & Partial<ChatStats>;

export const ANSWER_STAT_KEYS = [
  'promptTokens',
  'reusedTokens',
  'generatedTokens',
  'timeToFirstTokenMs',
  'prefillTokensPerSecond',
  'decodeTokensPerSecond',
  'submitsPerStep',
  'readbackBytesPerStep',
  'dispatchesPerStep',
  'tokensPerStep',
  'acceptanceRate',
] as const;
