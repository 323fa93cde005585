import { describe, expect, it } from 'vitest';
import { appendMessages, createConversation, pendingAnswer, userMessage } from '../../src/chat/conversation.ts';
import { EXPORT_FORMAT, ImportError, exportBundle, parseBundle } from '../../src/chat/exchange.ts';

const stats = {
  promptTokens: 5,
  reusedTokens: 0,
  generatedTokens: 3,
  timeToFirstTokenMs: 10,
  prefillTokensPerSecond: 50,
  decodeTokensPerSecond: 20,
  submitsPerStep: 1,
  readbackBytesPerStep: 4,
  dispatchesPerStep: 19,
};

describe('export and import', () => {
  it('round-trips conversations', () => {
    const conv = appendMessages(
      createConversation(1, 'sys', 'c1'),
      [userMessage('hi', 1, 'u'), { ...pendingAnswer(2, 'm', 'a'), content: 'yo', status: 'done', tokens: [1, 2], stats: { ...stats, tokensPerStep: 1, acceptanceRate: 0 } }],
      3,
    );
    const text = JSON.stringify(exportBundle([conv], new Date(0)));
    expect(JSON.parse(text).format).toBe(EXPORT_FORMAT);
    expect(parseBundle(text, 99)).toEqual([conv]);
  });

  it("keeps an answer's reasoning apart from its content", () => {
    const conv = appendMessages(createConversation(1, '', 'c2'), [userMessage('hi', 1, 'u'), { ...pendingAnswer(2, 'm', 'a'), content: 'Hello!', reasoning: 'User greets.', status: 'done' }], 3);
    expect(parseBundle(JSON.stringify(exportBundle([conv], new Date(0))), 99)).toEqual([conv]);
  });

  it('accepts a bare array, fills in what is missing, and marks unfinished answers stopped', () => {
    const [conv] = parseBundle(
      JSON.stringify([
        {
          messages: [
            { role: 'user', content: 'Plan my week' },
            { role: 'assistant', content: 'Monday…', status: 'streaming', stats: { ...stats } },
          ],
        },
      ]),
      42,
    );
    expect(conv.title).toBe('Plan my week');
    expect(conv.createdAt).toBe(42);
    expect(conv.systemPrompt).toBe('');
    expect(conv.id).toMatch(/[0-9a-f-]{36}/);
    expect(conv.messages[1]).toMatchObject({ status: 'stopped', stats: { ...stats, tokensPerStep: 1, acceptanceRate: 0 } });
  });

  it('drops unknown fields and malformed optional ones', () => {
    const [conv] = parseBundle(JSON.stringify([{ evil: '<script>', messages: [{ role: 'assistant', content: 'x', tokens: ['a'], stats: { promptTokens: 'many' }, html: '<b>' }] }]), 1);
    expect(Object.keys(conv).sort()).toEqual(['createdAt', 'id', 'messages', 'systemPrompt', 'title', 'updatedAt']);
    expect(conv.messages[0]).toEqual({ id: conv.messages[0].id, role: 'assistant', content: 'x', createdAt: 1, status: 'done' });
  });

  it.each([
    ['not json', 'The file is not JSON.'],
    ['{"format":"something-else","conversations":[]}', 'not a Pakar conversation export'],
    ['[{"title":"x"}]', 'conversation 1 has no messages list'],
    ['[{"messages":[{"role":"system","content":"x"}]}]', 'conversation 1, message 1 has role "system"'],
    ['[{"messages":[{"role":"user"}]}]', 'message 1 has no text'],
  ])('refuses %s', (text, reason) => {
    expect(() => parseBundle(text, 1)).toThrow(ImportError);
    expect(() => parseBundle(text, 1)).toThrow(reason);
  });
});
