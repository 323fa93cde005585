import { describe, expect, it } from 'vitest';
import { answerReserve, estimateTokens, fitToContext, measureTokensPerChar } from '../../src/chat/contextWindow.ts';
import type { ChatMessage } from '../../workers/engine/template/chatTemplate.ts';

const m = (role: ChatMessage['role'], chars: number, tag = ''): ChatMessage => ({ role, content: tag + 'x'.repeat(chars - tag.length) });
// tokensPerChar 1 and 8 tokens of overhead per message: a message of c chars costs c + 8.
const budget = (contextLength: number, answerTokens = 0) => ({ contextLength, answerTokens, tokensPerChar: 1 });

describe('fitting a conversation into the context', () => {
  const history = [m('system', 12, 'S'), m('user', 12, 'U1'), m('assistant', 12, 'A1'), m('user', 12, 'U2'), m('assistant', 12, 'A2'), m('user', 12, 'U3')];

  it('keeps everything when it fits', () => {
    expect(estimateTokens(history, 1)).toBe(6 * 20);
    expect(fitToContext(history, budget(120))).toEqual({ messages: history, dropped: 0 });
  });

  it('drops the oldest turns whole, keeping the system prompt and never starting with an answer', () => {
    const fitted = fitToContext(history, budget(119))!;
    expect(fitted.dropped).toBe(2);
    expect(fitted.messages.map((x) => x.content.slice(0, 2))).toEqual(['Sx', 'U2', 'A2', 'U3']);
  });

  it('leaves room for the answer', () => {
    expect(fitToContext(history, budget(120, 40))!.dropped).toBe(2);
    expect(fitToContext(history, budget(120, 41))!.dropped).toBe(4);
  });

  it('always keeps the newest message, even when the estimate says it is too long', () => {
    const fitted = fitToContext([m('system', 10), m('user', 500)], budget(100))!;
    expect(fitted).toMatchObject({ dropped: 0 });
    expect(fitted.messages).toHaveLength(2);
  });

  it('drops at least minDrop more when the engine disagreed, until nothing is left to drop', () => {
    expect(fitToContext(history, budget(1000), 1)!.dropped).toBe(2);
    expect(fitToContext(history, budget(1000), 4)!.dropped).toBe(4);
    expect(fitToContext(history, budget(1000), 5)).toBeUndefined();
  });

  it('without a system prompt the first user message may go too', () => {
    const fitted = fitToContext(history.slice(1), budget(60))!;
    expect(fitted.messages.map((x) => x.content.slice(0, 2))).toEqual(['U2', 'A2', 'U3']);
  });

  it('keeps a quarter of the context at most for the answer', () => {
    expect(answerReserve(4096, 512)).toBe(512);
    expect(answerReserve(512, 512)).toBe(128);
    expect(answerReserve(2, 512)).toBe(1);
  });

  it('measures tokens per character from a reported prompt, within sane bounds', () => {
    const msgs = [m('user', 100), m('assistant', 100)];
    expect(measureTokensPerChar(msgs, 16 + 50)).toBeCloseTo(0.25);
    expect(measureTokensPerChar([m('user', 10)], 20)).toBeUndefined();
    expect(measureTokensPerChar(msgs, 16 + 2000)).toBe(2);
  });
});
