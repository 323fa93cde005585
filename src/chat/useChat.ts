// The chat actions: send, regenerate, edit and resend, stop. One answer at a time (the engine
// runs one generation); its live state is `useLiveAnswer()`.

import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useMemo } from 'react';
import { currentSettings } from '../settings/useSettings.ts';
import { useStore, useStoreSelector } from '../ui/store.ts';
import { answer, liveAnswer, stopAnswer, type LiveAnswer } from './answer.ts';
import { appendMessages, createConversation, editUserMessage, truncateBefore, userMessage } from './conversation.ts';
import { latestConversation, saveConversation } from './useConversations.ts';

export function useLiveAnswer(): LiveAnswer | undefined {
  return useStore(liveAnswer);
}

/** Whether an answer is being written (changes twice per answer, not per token). */
export function useAnswering(): boolean {
  return useStoreSelector(liveAnswer, (a) => a !== undefined);
}

export function useChat() {
  const qc = useQueryClient();

  /**
   * Sends `text` in the conversation, or in a new one (with `systemPrompt`) when `conversationId`
   * is undefined. Resolves with the conversation's id once the message is stored.
   */
  const send = useCallback(
    async (conversationId: string | undefined, text: string, systemPrompt?: string): Promise<string> => {
      if (liveAnswer.get()) throw new Error('An answer is already being written; stop it first.');
      const existing = conversationId ? await latestConversation(qc, conversationId) : undefined;
      const conv = existing ?? createConversation(Date.now(), systemPrompt ?? currentSettings().defaultSystemPrompt);
      const base = appendMessages(conv, [userMessage(text, Date.now())], Date.now());
      // Stored (and cached) before the caller shows the conversation.
      await saveConversation(qc, base);
      void answer(qc, base).catch((e: unknown) => console.error('answer failed', e));
      return base.id;
    },
    [qc],
  );

  /** Writes the answer `messageId` again (it and what follows are replaced). */
  const regenerate = useCallback(
    async (conversationId: string, messageId: string): Promise<void> => {
      const conv = await latestConversation(qc, conversationId);
      if (!conv) return;
      const base = truncateBefore(conv, messageId, Date.now());
      if (base.messages.at(-1)?.role === 'user') await answer(qc, base);
    },
    [qc],
  );

  /** Replaces the user message `messageId` with `text`, drops what followed, and answers it. */
  const editAndResend = useCallback(
    async (conversationId: string, messageId: string, text: string): Promise<void> => {
      const conv = await latestConversation(qc, conversationId);
      if (!conv) return;
      await answer(qc, editUserMessage(conv, messageId, text, Date.now()));
    },
    [qc],
  );

  const stop = useCallback(() => stopAnswer(), []);

  return useMemo(() => ({ send, regenerate, editAndResend, stop }), [send, regenerate, editAndResend, stop]);
}
