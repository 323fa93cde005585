import { describe, expect, it } from 'vitest';
import { appendMessages, createConversation, pendingAnswer, toChatMessages, userMessage } from '../../src/chat/conversation.ts';
import { splitReasoning, storedParts } from '../../src/chat/reasoning.ts';

// What gpt-oss writes after the harmony generation prompt `<|start|>assistant`.
const harmony = '<|channel|>analysis<|message|>User greets. Reply politely.<|end|><|start|>assistant<|channel|>final<|message|>Hello! How can I help?';

describe('splitReasoning: gpt-oss harmony channels', () => {
  it('analysis is reasoning, final is the answer', () => {
    expect(splitReasoning(harmony)).toEqual({ reasoning: 'User greets. Reply politely.', answer: 'Hello! How can I help?', thinking: false });
  });

  it('every prefix of the stream gives a prefix of the reasoning, then of the answer', () => {
    // Streamed as gpt-oss does: each marker is one token, text arrives a character at a time.
    const pieces = harmony.split(/(<\|[a-z]+\|>)/).flatMap((p) => (p.startsWith('<|') ? [p] : p.split('')));
    const full = splitReasoning(harmony);
    let answerStarted = false;
    for (let n = 0; n <= pieces.length; n++) {
      const s = splitReasoning(pieces.slice(0, n).join(''));
      // No marker, role or channel name ever leaks into what is shown.
      for (const part of [s.reasoning, s.answer]) expect(part, `prefix ${n}`).not.toMatch(/<\||\|>|assistant|analysis/);
      expect(full.reasoning.startsWith(s.reasoning), `prefix ${n}: ${s.reasoning}`).toBe(true);
      expect(full.answer.startsWith(s.answer), `prefix ${n}: ${s.answer}`).toBe(true);
      if (s.answer !== '') answerStarted = true;
      expect(s.thinking, `prefix ${n}`).toBe(!answerStarted && n > 0);
    }
  });

  it('a partial analysis message is reasoning still being written', () => {
    expect(splitReasoning('<|channel|>analysis<|message|>Let me th')).toEqual({ reasoning: 'Let me th', answer: '', thinking: true });
    expect(splitReasoning('<|channel|>analysis<|message|>Done.<|end|><|start|>assistant<|channel|>fi')).toEqual({ reasoning: 'Done.', answer: '', thinking: true });
  });

  it('commentary (tool preambles) is reasoning; a message without channel, or with a recipient and constraint, is parsed', () => {
    expect(splitReasoning('<|channel|>commentary to=functions.get<|constrain|>json<|message|>{"a":1}<|call|>')).toMatchObject({ reasoning: '{"a":1}', answer: '' });
    expect(splitReasoning('<|message|>Plain answer<|end|>')).toEqual({ reasoning: '', answer: 'Plain answer', thinking: false });
    expect(splitReasoning('<|channel|>final<|message|>Only the answer.<|return|>')).toEqual({ reasoning: '', answer: 'Only the answer.', thinking: false });
  });

  it('several analysis messages are joined', () => {
    const text = '<|channel|>analysis<|message|>One.<|end|><|start|>assistant<|channel|>analysis<|message|>Two.<|end|><|start|>assistant<|channel|>final<|message|>Three.';
    expect(splitReasoning(text)).toEqual({ reasoning: 'One.\n\nTwo.', answer: 'Three.', thinking: false });
  });
});

describe('splitReasoning: <think> blocks (Qwen3, DeepSeek-R1)', () => {
  it('the block is reasoning, the rest the answer', () => {
    expect(splitReasoning('<think>\nThe user says hi.\n</think>\n\nHi there!')).toEqual({ reasoning: 'The user says hi.', answer: 'Hi there!', thinking: false });
  });

  it('an open block is reasoning still being written', () => {
    expect(splitReasoning('<think>\nHmm, the us')).toEqual({ reasoning: 'Hmm, the us', answer: '', thinking: true });
    expect(splitReasoning('<think>')).toEqual({ reasoning: '', answer: '', thinking: true });
  });

  it('a closing tag alone (the template opened the block) ends the reasoning', () => {
    expect(splitReasoning('Weighing options.</think>Take the train.')).toEqual({ reasoning: 'Weighing options.', answer: 'Take the train.', thinking: false });
  });

  it('an empty block (thinking switched off) leaves only the answer', () => {
    expect(splitReasoning('<think>\n\n</think>\n\nShort answer.')).toEqual({ reasoning: '', answer: 'Short answer.', thinking: false });
  });

  it('text without reasoning is all answer, unchanged', () => {
    expect(splitReasoning(' plain text, kept as is ')).toEqual({ reasoning: '', answer: ' plain text, kept as is ', thinking: false });
    expect(splitReasoning('')).toEqual({ reasoning: '', answer: '', thinking: false });
  });
});

describe('stored answers', () => {
  it('keep the answer as content and the reasoning beside it; the next prompt gets the answer only', () => {
    const parts = storedParts(harmony);
    expect(parts).toEqual({ content: 'Hello! How can I help?', reasoning: 'User greets. Reply politely.' });
    expect(storedParts('Just text.')).toEqual({ content: 'Just text.' });
    const conv = appendMessages(createConversation(1, '', 'c'), [userMessage('Hi', 1, 'u'), { ...pendingAnswer(2, 'm', 'a'), ...parts, status: 'done' }, userMessage('More', 3, 'u2')], 3);
    expect(toChatMessages(conv)).toEqual([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello! How can I help?' },
      { role: 'user', content: 'More' },
    ]);
  });

  it('an answer stored with its markup (before reasoning was kept apart) reaches the prompt as its answer only', () => {
    const conv = appendMessages(createConversation(1, '', 'c'), [userMessage('Hi', 1, 'u'), { ...pendingAnswer(2, 'm', 'a'), content: harmony, status: 'done' }], 3);
    expect(toChatMessages(conv)[1]).toEqual({ role: 'assistant', content: 'Hello! How can I help?' });
  });
});
