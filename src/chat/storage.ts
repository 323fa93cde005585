// Conversations in IndexedDB (idb-keyval, a database of their own): `conv/<id>` holds one
// conversation, `conv-index` the list the sidebar shows. A save writes both in one transaction,
// so the list never names a conversation that is not stored.

import { createStore, getMany, promisifyRequest, type UseStore } from 'idb-keyval';
import { recoverInterrupted, summarize, upsertSummary } from './conversation.ts';
import type { Conversation, ConversationSummary } from './types.ts';

const INDEX_KEY = 'conv-index';
const convKey = (id: string): string => `conv/${id}`;

export class ConversationStorage {
  private readonly store: UseStore;

  constructor(store?: UseStore) {
    this.store = store ?? createStore('pakar-chats', 'conversations');
  }

  async list(): Promise<ConversationSummary[]> {
    return this.store('readonly', (s) => promisifyRequest<ConversationSummary[] | undefined>(s.get(INDEX_KEY))).then((v) => v ?? []);
  }

  /** A stored conversation; answers cut off by a closed tab come back marked stopped. */
  async get(id: string): Promise<Conversation | undefined> {
    const conv = await this.store('readonly', (s) => promisifyRequest<Conversation | undefined>(s.get(convKey(id))));
    return conv && recoverInterrupted(conv);
  }

  /** Every stored conversation, newest first (search, export). */
  async all(): Promise<Conversation[]> {
    const index = await this.list();
    const convs = await getMany<Conversation | undefined>(
      index.map((s) => convKey(s.id)),
      this.store,
    );
    return convs.filter((c): c is Conversation => c !== undefined).map(recoverInterrupted);
  }

  /** Writes the conversation and its index row together. */
  async save(conv: Conversation): Promise<void> {
    await this.updateIndex((index, s) => {
      s.put(conv, convKey(conv.id));
      return upsertSummary(index, summarize(conv));
    });
  }

  async delete(id: string): Promise<void> {
    await this.updateIndex((index, s) => {
      s.delete(convKey(id));
      return index.filter((c) => c.id !== id);
    });
  }

  /** One readwrite transaction: read the index, let `change` write and return the new index. */
  private updateIndex(change: (index: ConversationSummary[], s: IDBObjectStore) => ConversationSummary[]): Promise<void> {
    return this.store('readwrite', (s) => {
      const done = promisifyRequest(s.transaction);
      const read = s.get(INDEX_KEY);
      read.onsuccess = () => s.put(change((read.result as ConversationSummary[] | undefined) ?? [], s), INDEX_KEY);
      return done;
    });
  }
}

let shared: ConversationStorage | undefined;

/** The app's conversation storage, opened on first use. */
export function conversationStorage(): ConversationStorage {
  shared ??= new ConversationStorage();
  return shared;
}
