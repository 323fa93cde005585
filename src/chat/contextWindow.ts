// Keeping a long conversation inside the model's context: the oldest turns are left out of the
// prompt (never out of the stored conversation); the system prompt and the newest message stay.
// Prompts are measured exactly, in tokens of the loaded model's template (engine countTokens).

import type { ChatMessage } from '../engine/client.ts';

export interface ContextBudget {
  /** Positions in the model's KV cache. */
  readonly contextLength: number;
  /** Tokens kept free for the answer. */
  readonly answerTokens: number;
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
 * The longest suffix of the conversation whose prompt (`count`: its tokens) fits. Drops whole
 * turns: the kept history never starts with an answer (many templates require a user message
 * first). The newest message is always kept, even when it alone does not fit (the engine then
 * says `context_full`). A shorter suffix never has more tokens, so the longest one that fits is
 * found by bisection: a handful of counts for any length.
 */
export async function fitToContext(messages: readonly ChatMessage[], budget: ContextBudget, count: (messages: ChatMessage[]) => Promise<number>): Promise<Fitted> {
  const system = messages[0]?.role === 'system' ? [messages[0]] : [];
  const history = messages.slice(system.length);
  const limit = budget.contextLength - budget.answerTokens;
  // Where a kept history may start: a user message (the newest message, whatever it is, last).
  const starts = history.flatMap((m, i) => (m.role !== 'assistant' || i === history.length - 1 ? [i] : []));
  if (starts.length === 0) return { messages: [...messages], dropped: 0 };
  const keep = (start: number): ChatMessage[] => [...system, ...history.slice(start)];
  let lo = 0; // the first start that may fit
  let hi = starts.length - 1; // the newest message: kept in any case
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((await count(keep(starts[mid]))) <= limit) hi = mid;
    else lo = mid + 1;
  }
  return { messages: keep(starts[lo]), dropped: starts[lo] };
}
