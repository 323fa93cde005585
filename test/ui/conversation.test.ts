import { describe, expect, it } from 'vitest';
import {
  UNTITLED,
  appendMessages,
  createConversation,
  editUserMessage,
  lastAnswer,
  matchesQuery,
  pendingAnswer,
  recoverInterrupted,
  rename,
  replaceMessage,
  summarize,
  titleFrom,
  toChatMessages,
  truncateBefore,
  upsertSummary,
  userMessage,
} from '../../src/chat/conversation.ts';
import type { Conversation, Message } from '../../src/chat/types.ts';

const answer = (id: string, content: string, extra: Partial<Message> = {}): Message => ({ id, role: 'assistant', content, createdAt: 2, status: 'done', ...extra });

function sample(): Conversation {
  const conv = createConversation(1, 'Be brief.', 'c1');
  return appendMessages(conv, [userMessage('What is MoE?', 1, 'u1'), answer('a1', 'Experts.'), userMessage('More?', 3, 'u2'), answer('a2', 'Routing.')], 4);
}

describe('conversation operations', () => {
  it('titles come from the first message, shortened on a word', () => {
    expect(titleFrom('  Plan a trip\nto Lisbon ')).toBe('Plan a trip');
    expect(titleFrom('')).toBe(UNTITLED);
    const long = titleFrom('word '.repeat(30));
    expect(long.length).toBeLessThanOrEqual(61);
    expect(long.endsWith('word…')).toBe(true);
    expect(sample().title).toBe('What is MoE?');
  });

  it('a renamed title is kept when more messages come', () => {
    const renamed = rename(sample(), '  MoE notes ', 5);
    expect(renamed.title).toBe('MoE notes');
    expect(rename(renamed, '   ', 6).title).toBe('MoE notes');
    expect(appendMessages(renamed, [userMessage('x', 7)], 7).title).toBe('MoE notes');
  });

  it('edit and resend drops what followed and renames a title taken from that message', () => {
    const edited = editUserMessage(sample(), 'u1', 'What is a router?', 9);
    expect(edited.messages.map((m) => m.id)).toEqual(['u1']);
    expect(edited.messages[0].content).toBe('What is a router?');
    expect(edited.title).toBe('What is a router?');
    expect(editUserMessage(sample(), 'a1', 'nope', 9)).toEqual(sample());
    const second = editUserMessage(sample(), 'u2', 'Less?', 9);
    expect(second.messages.map((m) => m.content)).toEqual(['What is MoE?', 'Experts.', 'Less?']);
    expect(second.title).toBe('What is MoE?');
  });

  it('regenerate keeps what came before the answer', () => {
    expect(truncateBefore(sample(), 'a2', 9).messages.map((m) => m.id)).toEqual(['u1', 'a1', 'u2']);
    expect(truncateBefore(sample(), 'missing', 9)).toEqual(sample());
  });

  it('the model sees the system prompt and answers with text, not empty or streaming ones', () => {
    let conv = appendMessages(sample(), [userMessage('Again', 5, 'u3'), answer('a3', '', { status: 'error', error: { code: 'device_lost', message: 'lost' } })], 5);
    conv = appendMessages(conv, [userMessage('Once more', 6, 'u4'), pendingAnswer(6, 'm', 'a4')], 6);
    expect(toChatMessages(conv)).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'What is MoE?' },
      { role: 'assistant', content: 'Experts.' },
      { role: 'user', content: 'More?' },
      { role: 'assistant', content: 'Routing.' },
      { role: 'user', content: 'Again' },
      { role: 'user', content: 'Once more' },
    ]);
    expect(toChatMessages({ systemPrompt: '  ', messages: [userMessage('hi', 1)] })).toEqual([{ role: 'user', content: 'hi' }]);
  });

  it('a partial answer (stopped) is part of the history', () => {
    const conv = replaceMessage(sample(), answer('a2', 'Rout', { status: 'stopped' }), 9);
    expect(toChatMessages(conv).at(-1)).toEqual({ role: 'assistant', content: 'Rout' });
    expect(lastAnswer(conv)?.status).toBe('stopped');
  });

  it('answers cut off by a closed tab come back stopped', () => {
    const conv = appendMessages(sample(), [userMessage('x', 5), { ...pendingAnswer(5, 'm', 'p'), content: 'half' }], 5);
    expect(recoverInterrupted(conv).messages.at(-1)).toMatchObject({ status: 'stopped', content: 'half' });
    const done = sample();
    expect(recoverInterrupted(done)).toBe(done);
  });

  it('the index stays newest first without duplicates', () => {
    const a = summarize({ ...sample(), id: 'a', updatedAt: 10 });
    const b = summarize({ ...sample(), id: 'b', updatedAt: 20 });
    let index = upsertSummary(upsertSummary([], a), b);
    expect(index.map((s) => s.id)).toEqual(['b', 'a']);
    index = upsertSummary(index, { ...a, updatedAt: 30 });
    expect(index.map((s) => s.id)).toEqual(['a', 'b']);
    expect(a.messageCount).toBe(4);
  });

  it('search matches every word in the title, system prompt or messages', () => {
    expect(matchesQuery(sample(), 'routing')).toBe(true);
    expect(matchesQuery(sample(), 'moe EXPERTS')).toBe(true);
    expect(matchesQuery(sample(), 'brief')).toBe(true);
    expect(matchesQuery(sample(), 'moe banana')).toBe(false);
    expect(matchesQuery(sample(), '   ')).toBe(true);
  });
});
