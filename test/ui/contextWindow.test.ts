import { describe, expect, it } from 'vitest';
import { answerReserve, fitToContext } from '../../src/chat/contextWindow.ts';
import type { ChatMessage } from '../../workers/engine/template/chatTemplate.ts';

const m = (role: ChatMessage['role'], chars: number, tag = ''): ChatMessage => ({ role, content: tag + 'x'.repeat(chars - tag.length) });
// A template that costs each message its characters + 8 tokens; the counts asked are recorded.
const counter = () => {
  const asked: number[] = [];
  const count = async (ms: ChatMessage[]): Promise<number> => {
    asked.push(ms.length);
    return ms.reduce((n, x) => n + x.content.length + 8, 0);
  };
  return { asked, count };
};
const budget = (contextLength: number, answerTokens = 0) => ({ contextLength, answerTokens });

describe('fitting a conversation into the context', () => {
  const history = [m('system', 12, 'S'), m('user', 12, 'U1'), m('assistant', 12, 'A1'), m('user', 12, 'U2'), m('assistant', 12, 'A2'), m('user', 12, 'U3')];
  const tags = (f: { messages: ChatMessage[] }) => f.messages.map((x) => x.content.slice(0, 2));

  it('keeps everything when it fits', async () => {
    expect(await fitToContext(history, budget(120), counter().count)).toEqual({ messages: history, dropped: 0 });
  });

  it('drops the oldest turns whole, keeping the system prompt and never starting with an answer', async () => {
    const fitted = await fitToContext(history, budget(119), counter().count);
    expect(fitted.dropped).toBe(2);
    expect(tags(fitted)).toEqual(['Sx', 'U2', 'A2', 'U3']);
  });

  it('leaves room for the answer', async () => {
    expect((await fitToContext(history, budget(120, 40), counter().count)).dropped).toBe(2);
    expect((await fitToContext(history, budget(120, 41), counter().count)).dropped).toBe(4);
  });

  it('always keeps the newest message, even when it alone is too long', async () => {
    const fitted = await fitToContext([m('system', 10), m('user', 500)], budget(100), counter().count);
    expect(fitted).toMatchObject({ dropped: 0 });
    expect(fitted.messages).toHaveLength(2);
  });

  it('without a system prompt the first user message may go too', async () => {
    expect(tags(await fitToContext(history.slice(1), budget(60), counter().count))).toEqual(['U2', 'A2', 'U3']);
  });

  it('bisects: a long conversation costs a handful of counts', async () => {
    const long = [m('system', 12), ...Array.from({ length: 400 }, (_, i) => m(i % 2 ? 'assistant' : 'user', 12))];
    const { asked, count } = counter();
    const fitted = await fitToContext(long, budget(20 * 51), count);
    // The system prompt and the last 50 messages (20 tokens each) fill the 1020 exactly.
    expect(fitted.messages).toHaveLength(51);
    expect(fitted.dropped).toBe(350);
    expect(fitted.messages[1].role).toBe('user');
    expect(asked.length).toBeLessThanOrEqual(9);
  });

  it('keeps a quarter of the context at most for the answer', () => {
    expect(answerReserve(4096, 512)).toBe(512);
    expect(answerReserve(512, 512)).toBe(128);
    expect(answerReserve(2, 512)).toBe(1);
  });
});
