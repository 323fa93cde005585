// The settings, kept in localStorage and shared by every component (and tab) through one store.

import { useCallback, useSyncExternalStore } from 'react';
import { defaultSettings, parseSettings, type Settings } from './settings.ts';

const KEY = 'pakar.settings';
const listeners = new Set<() => void>();
let current: Settings | undefined;

function read(): Settings {
  current ??= parseSettings(safeGet(KEY));
  return current;
}

function write(next: Settings): void {
  current = next;
  try {
    localStorage.setItem(KEY, JSON.stringify(next));
  } catch {
    // Storage full or disabled: the settings still apply to this page.
  }
  listeners.forEach((l) => l());
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  const onStorage = (e: StorageEvent): void => {
    if (e.key !== KEY) return;
    current = parseSettings(e.newValue);
    listener();
  };
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

export function safeGet(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function useSettings(): {
  settings: Settings;
  update: (patch: Partial<Settings>) => void;
  reset: () => void;
} {
  const settings = useSyncExternalStore(subscribe, read, () => defaultSettings);
  const update = useCallback((patch: Partial<Settings>) => write({ ...read(), ...patch }), []);
  const reset = useCallback(() => write(defaultSettings), []);
  return { settings, update, reset };
}

/** The settings outside React (when a message is sent). */
export function currentSettings(): Settings {
  return read();
}
