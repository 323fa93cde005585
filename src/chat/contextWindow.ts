// Keeping a long conversation inside the model's context: the oldest turns are left out of the
// prompt (never out of the stored conversation); the system prompt and the newest message stay.
// Token counts are estimated from characters with a ratio measured on the previous answer; when
// the estimate is wrong the engine answers `context_full` and the caller drops more.

import type { ChatMessage } from '../engine/client.ts';

export interface ContextBudget {
  /** Positions in the model's KV cache. */
  readonly contextLength: number;
  /** Tokens kept free for the answer. */
  readonly answerTokens: number;
  /** Measured prompt tokens per UTF-16 character (default: a cautious 0.5). */
  readonly tokensPerChar?: number;
}

/** Template tokens around each message (role markers, separators). */
const MESSAGE_OVERHEAD = 8;
const DEFAULT_TOKENS_PER_CHAR = 0.5;

export function estimateTokens(messages: readonly ChatMessage[], tokensPerChar = DEFAULT_TOKENS_PER_CHAR): number {
  return messages.reduce((n, m) => n + Math.ceil(m.content.length * tokensPerChar) + MESSAGE_OVERHEAD, 0);
}

/** Tokens kept for the answer: what the settings ask, but never more than a quarter of the context. */
export function answerReserve(contextLength: number, maxTokens: number): number {
  return Math.max(1, Math.min(maxTokens, Math.floor(contextLength / 4)));
}

export interface Fitted {
  readonly messages: ChatMessage[];
  /** Messages left out, oldest first. */
  readonly dropped: number;
}

/**
 * The longest suffix of the conversation that fits, dropping at least `minDrop` old messages.
 * Drops whole turns: the kept history never starts with an answer (many templates require a
 * user message first). The newest message is always kept, even when the estimate says it does
 * not fit (the engine has the last word). Undefined when `minDrop` leaves nothing to send.
 */
export function fitToContext(messages: readonly ChatMessage[], budget: ContextBudget, minDrop = 0): Fitted | undefined {
  const system = messages[0]?.role === 'system' ? [messages[0]] : [];
  const history = messages.slice(system.length);
  if (history.length === 0) return { messages: [...messages], dropped: 0 };
  const limit = budget.contextLength - budget.answerTokens;
  const fits = (kept: readonly ChatMessage[]): boolean => estimateTokens([...system, ...kept], budget.tokensPerChar) <= limit;

  if (minDrop > 0 && minDrop >= history.length) return undefined;
  let start = minDrop;
  while (start < history.length - 1 && (history[start].role === 'assistant' || !fits(history.slice(start)))) start++;
  const kept = history.slice(start);
  return { messages: [...system, ...kept], dropped: start };
}

/** Prompt tokens per character, measured on a prompt the engine reported. */
export function measureTokensPerChar(messages: readonly ChatMessage[], promptTokens: number): number | undefined {
  const chars = messages.reduce((n, m) => n + m.content.length, 0);
  const overhead = messages.length * MESSAGE_OVERHEAD;
  if (chars < 64 || promptTokens <= overhead) return undefined;
  return Math.min(2, Math.max(0.1, (promptTokens - overhead) / chars));
}
