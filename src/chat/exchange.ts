// Conversations as a JSON file: export everything, import what a file holds (validated, so a
// hand-edited or foreign file cannot put malformed data into the store).

import { createConversation, recoverInterrupted, titleFrom } from './conversation.ts';
import { ANSWER_STAT_KEYS } from './types.ts';
import type { AnswerStats, Conversation, Message, MessageStatus } from './types.ts';

export const EXPORT_FORMAT = 'pakar-conversations';

export interface ExportBundle {
  readonly format: typeof EXPORT_FORMAT;
  readonly version: 1;
  readonly exportedAt: string;
  readonly conversations: readonly Conversation[];
}

export class ImportError extends Error {
  override readonly name = 'ImportError';
  readonly code = 'invalid_import';
}

export function exportBundle(conversations: readonly Conversation[], now: Date): ExportBundle {
  return { format: EXPORT_FORMAT, version: 1, exportedAt: now.toISOString(), conversations };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const STATUSES: readonly MessageStatus[] = ['streaming', 'done', 'stopped', 'error'];

/**
 * The conversations of an exported file. Accepts a bundle or a bare array of conversations;
 * unknown fields are dropped, missing optional ones filled in. Throws ImportError with the
 * first problem found.
 */
export function parseBundle(text: string, now: number): Conversation[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ImportError('The file is not JSON.');
  }
  const list = Array.isArray(json) ? json : isObj(json) && json.format === EXPORT_FORMAT ? json.conversations : undefined;
  if (!Array.isArray(list)) throw new ImportError('The file is not a Pakar conversation export.');
  return list.map((c, i) => parseConversation(c, `conversation ${i + 1}`, now));
}

function parseConversation(c: unknown, where: string, now: number): Conversation {
  if (!isObj(c) || !Array.isArray(c.messages)) throw new ImportError(`${where} has no messages list.`);
  const messages = c.messages.map((m, j) => parseMessage(m, `${where}, message ${j + 1}`, now));
  const base = createConversation(num(c.createdAt) ?? now, str(c.systemPrompt) ?? '', typeof c.id === 'string' && c.id !== '' ? c.id : undefined);
  const firstUser = messages.find((m) => m.role === 'user');
  return recoverInterrupted({
    ...base,
    title: str(c.title)?.trim() || (firstUser ? titleFrom(firstUser.content) : base.title),
    messages,
    updatedAt: num(c.updatedAt) ?? base.createdAt,
  });
}

function parseMessage(m: unknown, where: string, now: number): Message {
  if (!isObj(m)) throw new ImportError(`${where} is not an object.`);
  if (m.role !== 'user' && m.role !== 'assistant') throw new ImportError(`${where} has role ${JSON.stringify(m.role)}; expected user or assistant.`);
  if (typeof m.content !== 'string') throw new ImportError(`${where} has no text.`);
  const status = STATUSES.find((s) => s === m.status);
  const error = isObj(m.error) && typeof m.error.code === 'string' && typeof m.error.message === 'string' ? { code: m.error.code, message: m.error.message } : undefined;
  const tokens = Array.isArray(m.tokens) && m.tokens.every((t) => Number.isInteger(t)) ? (m.tokens as number[]) : undefined;
  return {
    id: typeof m.id === 'string' && m.id !== '' ? m.id : crypto.randomUUID(),
    role: m.role,
    content: m.content,
    ...(m.role === 'assistant' && typeof m.reasoning === 'string' && m.reasoning !== '' ? { reasoning: m.reasoning } : {}),
    createdAt: num(m.createdAt) ?? now,
    ...(m.role === 'assistant' ? { status: status ?? 'done' } : {}),
    ...(error ? { error } : {}),
    ...(tokens ? { tokens } : {}),
    ...(typeof m.model === 'string' ? { model: m.model } : {}),
    ...(isStats(m.stats) ? { stats: { tokensPerStep: 1, acceptanceRate: 0, ...m.stats } } : {}),
  };
}

/** The fields every export has (speculation's two, added later, get defaults). */
function isStats(v: unknown): v is Omit<AnswerStats, 'tokensPerStep' | 'acceptanceRate'> {
  return isObj(v) && ANSWER_STAT_KEYS.every((k) => k === 'tokensPerStep' || k === 'acceptanceRate' || num(v[k]) !== undefined);
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
