// What the sidebar does to conversations: create, rename, delete (with undo), export, import.

import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { createStore, useStore } from '../ui/store.ts';
import { liveAnswer, stopAnswer } from './answer.ts';
import { createConversation, newId, rename as renamed } from './conversation.ts';
import { exportBundle, parseBundle } from './exchange.ts';
import { conversationStorage } from './storage.ts';
import type { Conversation } from './types.ts';
import { latestConversation, removeConversation, saveConversation } from './useConversations.ts';

/** The last deleted conversation, while its Undo is offered. */
const deleted = createStore<Conversation | undefined>(undefined);

export function useLastDeleted(): Conversation | undefined {
  return useStore(deleted);
}

export function useConversationActions() {
  const qc = useQueryClient();

  const create = useCallback(
    async (systemPrompt: string): Promise<Conversation> => {
      const conv = createConversation(Date.now(), systemPrompt);
      await saveConversation(qc, conv);
      return conv;
    },
    [qc],
  );

  const update = useCallback(
    async (id: string, change: (c: Conversation) => Conversation): Promise<void> => {
      const conv = await latestConversation(qc, id);
      if (conv) await saveConversation(qc, change(conv));
    },
    [qc],
  );

  const rename = useCallback((id: string, title: string) => update(id, (c) => renamed(c, title, Date.now())), [update]);
  const setSystemPrompt = useCallback((id: string, systemPrompt: string) => update(id, (c) => ({ ...c, systemPrompt })), [update]);

  const remove = useCallback(
    async (id: string): Promise<void> => {
      // An answer being written into it stops (its conversation is gone; Undo brings back what was saved).
      if (liveAnswer.get()?.conversationId === id) stopAnswer();
      const conv = await latestConversation(qc, id);
      await removeConversation(qc, id);
      if (conv) deleted.set(conv);
    },
    [qc],
  );

  /** Puts the last deleted conversation back; its id, for selecting it. */
  const undoDelete = useCallback(async (): Promise<string | undefined> => {
    const conv = deleted.get();
    if (!conv) return undefined;
    deleted.set(undefined);
    await saveConversation(qc, conv);
    return conv.id;
  }, [qc]);

  const dismissUndo = useCallback(() => deleted.set(undefined), []);

  const exportAll = useCallback(async (): Promise<number> => {
    const convs = await conversationStorage().all();
    const blob = new Blob([JSON.stringify(exportBundle(convs, new Date()), null, 2)], { type: 'application/json' });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = `pakar-conversations-${new Date().toISOString().slice(0, 10)}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    return convs.length;
  }, []);

  /** Adds the file's conversations; one whose id is already taken comes in under a new id. */
  const importFile = useCallback(
    async (file: File): Promise<number> => {
      const convs = parseBundle(await file.text(), Date.now());
      const taken = new Set((await conversationStorage().list()).map((c) => c.id));
      for (const conv of convs) {
        const id = taken.has(conv.id) ? newId() : conv.id;
        taken.add(id);
        await saveConversation(qc, { ...conv, id });
      }
      return convs.length;
    },
    [qc],
  );

  return { create, rename, setSystemPrompt, remove, undoDelete, dismissUndo, exportAll, importFile };
}
