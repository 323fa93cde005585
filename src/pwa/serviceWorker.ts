// The service worker (vite-plugin-pwa, Workbox): registration, offline readiness and updates.
// An update is installed in the background and waits; the page reloads into it only when the
// person accepts ("Update available — reload"), never by itself, so an answer being written
// is never cut short.

import { registerSW } from 'virtual:pwa-register';
import { createStore, useStore } from '../ui/store.ts';

export interface AppUpdateState {
  /** A new version is waiting (or already took over from another tab); a reload shows it. */
  readonly updateAvailable: boolean;
  /** The app shell is cached: Pakar starts without a network from now on. */
  readonly offlineReady: boolean;
}

const state = createStore<AppUpdateState>({ updateAvailable: false, offlineReady: false });
const UPDATE_CHECK_MS = 60 * 60 * 1000;

let activate: (() => Promise<void>) | undefined;
/** This tab asked for the update; only then may the new version's takeover reload it. */
let accepted = false;

function patch(p: Partial<AppUpdateState>): void {
  state.set((s) => ({ ...s, ...p }));
}

/** Registers the service worker once per page (production builds only; `vite dev` has none). */
export function registerServiceWorker(): void {
  if (activate || !import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  activate = registerSW({
    // After the page's load event (Workbox's default): precaching never competes with the first
    // paint or the engine worker's start.
    immediate: false,
    onNeedRefresh: () => patch({ updateAvailable: true }),
    onOfflineReady: () => patch({ offlineReady: true }),
    // The new version took control. When another tab accepted it, this tab may be writing an
    // answer: it keeps showing the prompt instead of reloading.
    onNeedReload: () => (accepted ? location.reload() : patch({ updateAvailable: true })),
    onRegisteredSW: (_url, registration) => {
      if (!registration) return;
      if (registration.active) patch({ offlineReady: true });
      // Long-lived tabs (an installed app) look for a new version now and then, and when the
      // connection comes back.
      const check = (): void => {
        if (navigator.onLine) registration.update().catch(() => {});
      };
      setInterval(check, UPDATE_CHECK_MS);
      window.addEventListener('online', check);
    },
    onRegisterError: (e: unknown) => console.warn('Pakar: the service worker did not register; offline start is unavailable.', e),
  });
}

/** Reloads into the waiting version (it takes control first, then the page reloads). */
export async function applyUpdate(): Promise<void> {
  accepted = true;
  const registration = await navigator.serviceWorker.getRegistration();
  // Nothing waiting: the new version is already in control (accepted in another tab).
  if (!registration?.waiting || !activate) location.reload();
  else await activate();
}

export function useAppUpdate(): AppUpdateState {
  return useStore(state);
}
