// Conversations as TanStack queries over IndexedDB: the list, one conversation, search; saving
// updates the cache at once and then the database.

import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useCallback, useEffect } from 'react';
import { matchesQuery, summarize, upsertSummary } from './conversation.ts';
import { conversationStorage } from './storage.ts';
import type { Conversation, ConversationSummary } from './types.ts';

export const convKeys = {
  list: ['conversations'] as const,
  one: (id: string) => ['conversation', id] as const,
  search: (q: string) => ['conversation-search', q] as const,
};

export function useConversationList() {
  return useQuery<ConversationSummary[]>({ queryKey: convKeys.list, queryFn: () => conversationStorage().list(), networkMode: 'always' });
}

export function useConversation(id: string | undefined) {
  return useQuery<Conversation | null>({
    queryKey: convKeys.one(id ?? ''),
    queryFn: async () => (id ? ((await conversationStorage().get(id)) ?? null) : null),
    enabled: id !== undefined,
    networkMode: 'always',
    staleTime: Infinity,
  });
}

/** Conversations whose title or text contains every word of `query` (all of them when empty). */
export function useConversationSearch(query: string) {
  const q = query.trim();
  return useQuery<ConversationSummary[]>({
    queryKey: convKeys.search(q),
    queryFn: async () => (await conversationStorage().all()).filter((c) => matchesQuery(c, q)).map(summarize),
    enabled: q !== '',
    networkMode: 'always',
    staleTime: 0,
  });
}

/** Other tabs of the app hear of every save and delete (one channel per tab, which never hears itself). */
let channel: BroadcastChannel | undefined;

function tabsChannel(): BroadcastChannel | undefined {
  if (typeof BroadcastChannel === 'undefined') return undefined;
  channel ??= new BroadcastChannel('pakar.conversations');
  return channel;
}

/** Refreshes the list and the changed conversation when another tab saves or deletes one. */
export function useConversationSync(): void {
  const qc = useQueryClient();
  useEffect(() => {
    const ch = tabsChannel();
    if (!ch) return;
    const onMessage = (e: MessageEvent<{ id?: unknown }>): void => {
      void qc.invalidateQueries({ queryKey: convKeys.list });
      void qc.invalidateQueries({ queryKey: ['conversation-search'] });
      if (typeof e.data?.id === 'string') void qc.invalidateQueries({ queryKey: convKeys.one(e.data.id) });
    };
    ch.addEventListener('message', onMessage);
    return () => ch.removeEventListener('message', onMessage);
  }, [qc]);
}

/** Writes to the cache (the UI updates at once), then to IndexedDB, then tells the other tabs. */
export async function saveConversation(qc: QueryClient, conv: Conversation): Promise<void> {
  qc.setQueryData(convKeys.one(conv.id), conv);
  qc.setQueryData<ConversationSummary[]>(convKeys.list, (index) => upsertSummary(index ?? [], summarize(conv)));
  await conversationStorage().save(conv);
  void qc.invalidateQueries({ queryKey: ['conversation-search'] });
  tabsChannel()?.postMessage({ id: conv.id });
}

export async function removeConversation(qc: QueryClient, id: string): Promise<void> {
  qc.setQueryData<ConversationSummary[]>(convKeys.list, (index) => (index ?? []).filter((c) => c.id !== id));
  qc.removeQueries({ queryKey: convKeys.one(id) });
  await conversationStorage().delete(id);
  void qc.invalidateQueries({ queryKey: ['conversation-search'] });
  tabsChannel()?.postMessage({ id });
}

/** The latest version of a conversation: the cache, else the database. */
export async function latestConversation(qc: QueryClient, id: string): Promise<Conversation | undefined> {
  return qc.getQueryData<Conversation | null>(convKeys.one(id)) ?? (await conversationStorage().get(id));
}

export function useSaveConversation(): (conv: Conversation) => Promise<void> {
  const qc = useQueryClient();
  return useCallback((conv) => saveConversation(qc, conv), [qc]);
}
