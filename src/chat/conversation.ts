// Pure operations on conversations: what each user action does to the data. Storage and the
// engine live elsewhere; these functions are the tested core of both.

import type { ChatMessage } from '../engine/client.ts';
import { splitReasoning } from './reasoning.ts';
import type { Conversation, ConversationSummary, Message } from './types.ts';

export const UNTITLED = 'New chat';
const TITLE_CHARS = 60;

export function newId(): string {
  return crypto.randomUUID();
}

export function createConversation(now: number, systemPrompt = '', id = newId()): Conversation {
  return { id, title: UNTITLED, systemPrompt, messages: [], createdAt: now, updatedAt: now };
}

/** The first line of the first message, shortened on a word boundary. */
export function titleFrom(text: string): string {
  const line = text.trim().split('\n')[0].replace(/\s+/g, ' ').trim();
  if (line === '') return UNTITLED;
  if (line.length <= TITLE_CHARS) return line;
  const cut = line.slice(0, TITLE_CHARS);
  const space = cut.lastIndexOf(' ');
  return `${(space > TITLE_CHARS / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

export function userMessage(content: string, now: number, id = newId()): Message {
  return { id, role: 'user', content, createdAt: now };
}

/** An empty answer that the stream fills. */
export function pendingAnswer(now: number, model: string | undefined, id = newId()): Message {
  return { id, role: 'assistant', content: '', createdAt: now, status: 'streaming', model };
}

/** Appends messages; the first user message names an untitled conversation. */
export function appendMessages(conv: Conversation, messages: readonly Message[], now: number): Conversation {
  const firstUser = messages.find((m) => m.role === 'user');
  const title = conv.title === UNTITLED && conv.messages.length === 0 && firstUser ? titleFrom(firstUser.content) : conv.title;
  return { ...conv, title, messages: [...conv.messages, ...messages], updatedAt: now };
}

/** Replaces the message with the same id. */
export function replaceMessage(conv: Conversation, message: Message, now: number): Conversation {
  return { ...conv, messages: conv.messages.map((m) => (m.id === message.id ? message : m)), updatedAt: now };
}

/** Keeps the messages before `messageId` (regenerate drops the answer and what follows it). */
export function truncateBefore(conv: Conversation, messageId: string, now: number): Conversation {
  const i = conv.messages.findIndex((m) => m.id === messageId);
  if (i < 0) return conv;
  return { ...conv, messages: conv.messages.slice(0, i), updatedAt: now };
}

/** Edit and resend: the edited message replaces the original and everything after it is dropped. */
export function editUserMessage(conv: Conversation, messageId: string, content: string, now: number): Conversation {
  const i = conv.messages.findIndex((m) => m.id === messageId);
  if (i < 0 || conv.messages[i].role !== 'user') return conv;
  const edited: Message = { ...conv.messages[i], content, createdAt: now };
  const title = i === 0 && conv.title === titleFrom(conv.messages[0].content) ? titleFrom(content) : conv.title;
  return { ...conv, title, messages: [...conv.messages.slice(0, i), edited], updatedAt: now };
}

export function rename(conv: Conversation, title: string, now: number): Conversation {
  const t = title.trim();
  return t === '' ? conv : { ...conv, title: t, updatedAt: now };
}

/** Answers left `streaming` by a closed tab are partial answers: mark them stopped. */
export function recoverInterrupted(conv: Conversation): Conversation {
  if (!conv.messages.some((m) => m.status === 'streaming')) return conv;
  return { ...conv, messages: conv.messages.map((m) => (m.status === 'streaming' ? { ...m, status: 'stopped' } : m)) };
}

/**
 * What the model sees: the system prompt, then every user message and every answer that has
 * text (failed empty answers are left out, partial ones are kept as the user saw them).
 */
export function toChatMessages(conv: Pick<Conversation, 'systemPrompt' | 'messages'>): ChatMessage[] {
  const out: ChatMessage[] = [];
  if (conv.systemPrompt.trim() !== '') out.push({ role: 'system', content: conv.systemPrompt });
  for (const m of conv.messages) {
    if (m.role === 'assistant' && (m.status === 'streaming' || m.content === '')) continue;
    // Answers stored before reasoning was kept apart: the prompt gets their answer only (gpt-oss's
    // template refuses channel markup in content; templates drop earlier reasoning anyway).
    const content = m.role === 'assistant' && m.reasoning === undefined ? splitReasoning(m.content).answer : m.content;
    out.push({ role: m.role, content });
  }
  return out;
}

export function summarize(conv: Conversation): ConversationSummary {
  return { id: conv.id, title: conv.title, createdAt: conv.createdAt, updatedAt: conv.updatedAt, messageCount: conv.messages.length };
}

/** The index with `summary` added or replaced, newest first. */
export function upsertSummary(index: readonly ConversationSummary[], summary: ConversationSummary): ConversationSummary[] {
  return [summary, ...index.filter((s) => s.id !== summary.id)].sort((a, b) => b.updatedAt - a.updatedAt);
}

/** Whether the title or any message contains every word of `query` (case-insensitive). */
export function matchesQuery(conv: Pick<Conversation, 'title' | 'messages' | 'systemPrompt'>, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = [conv.title, conv.systemPrompt, ...conv.messages.map((m) => m.content)].join('\n').toLowerCase();
  return words.every((w) => haystack.includes(w));
}

/** The last assistant message, for insights and regenerate. */
export function lastAnswer(conv: Pick<Conversation, 'messages'> | undefined): Message | undefined {
  if (!conv) return undefined;
  for (let i = conv.messages.length - 1; i >= 0; i--) if (conv.messages[i].role === 'assistant') return conv.messages[i];
  return undefined;
}
