import 'fake-indexeddb/auto';
import { createStore } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { appendMessages, createConversation, pendingAnswer, userMessage } from '../../src/chat/conversation.ts';
import { ConversationStorage } from '../../src/chat/storage.ts';

let n = 0;
const fresh = (): ConversationStorage => new ConversationStorage(createStore(`pakar-chats-test-${n++}`, 'conversations'));
const conv = (id: string, at: number) => appendMessages(createConversation(at, '', id), [userMessage(`question ${id}`, at, `m-${id}`)], at);

describe('conversation storage', () => {
  it('saves, lists newest first, reads back and deletes', async () => {
    const s = fresh();
    expect(await s.list()).toEqual([]);
    await s.save(conv('a', 1));
    await s.save(conv('b', 2));
    expect((await s.list()).map((c) => c.id)).toEqual(['b', 'a']);
    expect(await s.get('a')).toEqual(conv('a', 1));
    await s.save({ ...conv('a', 1), title: 'renamed', updatedAt: 3 });
    expect((await s.list()).map((c) => [c.id, c.title])).toEqual([
      ['a', 'renamed'],
      ['b', 'question b'],
    ]);
    await s.delete('b');
    expect((await s.list()).map((c) => c.id)).toEqual(['a']);
    expect(await s.get('b')).toBeUndefined();
    expect((await s.all()).map((c) => c.title)).toEqual(['renamed']);
  });

  it('an answer stored mid-stream reads back as a stopped partial answer', async () => {
    const s = fresh();
    const c = appendMessages(conv('a', 1), [{ ...pendingAnswer(2, 'm', 'p'), content: 'half an ans' }], 2);
    await s.save(c);
    expect((await s.get('a'))?.messages.at(-1)).toMatchObject({ status: 'stopped', content: 'half an ans' });
  });

  it('concurrent saves keep every conversation in the index', async () => {
    const s = fresh();
    await Promise.all(Array.from({ length: 20 }, (_, i) => s.save(conv(`c${i}`, i))));
    expect((await s.list()).length).toBe(20);
    expect((await s.all()).length).toBe(20);
  });
});
