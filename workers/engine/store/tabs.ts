// Coordination between tabs (and between store instances in one tab or one Node process):
// a per-model exclusive lock (Web Locks API; an in-process queue where it is missing) held by
// whoever writes a model's records or deletes it, and deletion notices (BroadcastChannel) that
// stop a download of the same model in another tab at once.

import { abortedError } from './errors.ts';

export interface ModelLocks {
  /**
   * Runs `fn` holding the exclusive lock `name`. Calls `onWait` first when another holder
   * (another tab) has it; an abort while waiting rejects with a StoreError `aborted`.
   */
  run<T>(name: string, signal: AbortSignal | undefined, onWait: () => void, fn: () => Promise<T>): Promise<T>;
}

interface LockManagerLike {
  request<T>(name: string, options: LockOptions, callback: (lock: Lock | null) => T | Promise<T>): Promise<T>;
}

export function webLocks(manager: LockManagerLike): ModelLocks {
  return {
    async run<T>(name: string, signal: AbortSignal | undefined, onWait: () => void, fn: () => Promise<T>): Promise<T> {
      if (signal?.aborted) throw abortedError('The download');
      const got = await manager.request(name, { ifAvailable: true }, async (lock) => (lock ? { value: await fn() } : undefined));
      if (got) return got.value;
      onWait();
      try {
        return await manager.request(name, signal ? { signal } : {}, () => fn());
      } catch (e) {
        if (signal?.aborted) throw abortedError('The download');
        throw e;
      }
    },
  };
}

/** FIFO per name, for Node and browsers without Web Locks (one process = one "origin"). */
export function localLocks(): ModelLocks {
  const tails = new Map<string, Promise<void>>();
  return {
    async run<T>(name: string, signal: AbortSignal | undefined, onWait: () => void, fn: () => Promise<T>): Promise<T> {
      if (signal?.aborted) throw abortedError('The download');
      const prev = tails.get(name);
      let release!: () => void;
      const mine = new Promise<void>((r) => (release = r));
      const tail = (prev ?? Promise.resolve()).then(() => mine);
      tails.set(name, tail);
      if (prev) {
        onWait();
        try {
          await untilAbort(prev, signal);
        } catch (e) {
          // Still pass the lock on in order once the holder before us is done.
          void prev.then(release);
          throw e;
        }
      }
      try {
        return await fn();
      } finally {
        release();
        if (tails.get(name) === tail) tails.delete(name);
      }
    },
  };
}

function untilAbort(p: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return p;
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => reject(abortedError('The download'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

let processLocks: ModelLocks | undefined;

/** Web Locks when the platform has them, else one in-process lock table shared by all stores. */
export function defaultLocks(): ModelLocks {
  const nav = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator;
  if (nav?.locks) return webLocks(nav.locks);
  processLocks ??= localLocks();
  return processLocks;
}

const CHANNEL = 'pakar-model-store';

interface DeletedNotice {
  readonly type: 'deleted';
  readonly id: string;
}

function isDeletedNotice(v: unknown): v is DeletedNotice {
  return typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'deleted' && typeof (v as { id?: unknown }).id === 'string';
}

/** Where deletion notices travel; injectable for tests. */
export interface Notices {
  /** Calls `onDeleted` when model `id` is deleted elsewhere; returns an unsubscribe. */
  watch(id: string, onDeleted: () => void): () => void;
  announceDeleted(id: string): void;
}

/** BroadcastChannel (browsers, workers, Node ≥ 18); one channel per watcher, closed after. */
export function broadcastNotices(): Notices {
  if (typeof BroadcastChannel === 'undefined') return { watch: () => () => {}, announceDeleted: () => {} };
  return {
    watch(id, onDeleted) {
      const ch = new BroadcastChannel(CHANNEL);
      ch.onmessage = (ev: MessageEvent<unknown>) => {
        if (isDeletedNotice(ev.data) && ev.data.id === id) onDeleted();
      };
      return () => ch.close();
    },
    announceDeleted(id) {
      const ch = new BroadcastChannel(CHANNEL);
      ch.postMessage({ type: 'deleted', id } satisfies DeletedNotice);
      ch.close();
    },
  };
}
