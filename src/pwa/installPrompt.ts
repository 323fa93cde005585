// The browser's offer to install Pakar as an app (Chromium's `beforeinstallprompt`). The event
// can fire before React mounts, so it is captured from the start and kept here.

import { createStore, useStore } from '../ui/store.ts';

export interface InstallState {
  /** The browser offers installation now. */
  readonly canInstall: boolean;
  /** Running as the installed app, or installed from this page. */
  readonly installed: boolean;
}

const STANDALONE = '(display-mode: standalone)';
let offer: BeforeInstallPromptEvent | undefined;
const state = createStore<InstallState>({ canInstall: false, installed: false });

/** Starts listening; call once, before the app renders. */
export function listenForInstallOffer(): void {
  const standalone = window.matchMedia(STANDALONE);
  state.set({ canInstall: false, installed: standalone.matches });
  standalone.addEventListener('change', (e) => state.set((s) => ({ ...s, installed: e.matches })));
  window.addEventListener('beforeinstallprompt', (e) => {
    // Keep the offer for the button instead of the browser's own mini-infobar.
    e.preventDefault();
    offer = e;
    state.set((s) => ({ ...s, canInstall: true }));
  });
  window.addEventListener('appinstalled', () => {
    offer = undefined;
    state.set({ canInstall: false, installed: true });
  });
}

/** Shows the browser's install dialog; an offer can be used once. Resolves true when accepted. */
export async function install(): Promise<boolean> {
  const e = offer;
  if (!e) return false;
  offer = undefined;
  state.set((s) => ({ ...s, canInstall: false }));
  await e.prompt();
  const { outcome } = await e.userChoice;
  if (outcome === 'accepted') state.set({ canInstall: false, installed: true });
  return outcome === 'accepted';
}

export function useInstallState(): InstallState {
  return useStore(state);
}
