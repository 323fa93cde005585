// A tiny observable value for state that outlives components (a running download, the model
// being loaded, the answer being streamed): set anywhere, read with useStore.

import { useSyncExternalStore } from 'react';

export interface Store<T> {
  get(): T;
  set(next: T | ((prev: T) => T)): void;
  subscribe(listener: () => void): () => void;
}

export function createStore<T>(initial: T): Store<T> {
  let value = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => value,
    set(next) {
      value = typeof next === 'function' ? (next as (prev: T) => T)(value) : next;
      listeners.forEach((l) => l());
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export function useStore<T>(store: Store<T>): T {
  return useSyncExternalStore(store.subscribe, store.get, store.get);
}

/** A derived value: the component re-renders only when `select`'s result changes (compare with ===). */
export function useStoreSelector<T, R>(store: Store<T>, select: (value: T) => R): R {
  const get = (): R => select(store.get());
  return useSyncExternalStore(store.subscribe, get, get);
}
