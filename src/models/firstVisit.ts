// The first visit loads the bundled demo model by itself, once: after that the last model used
// (or none, when the user unloaded it) is what a visit starts with.

import { safeGet } from '../settings/useSettings.ts';

const DEMO_OFFERED_KEY = 'pakar.demoOffered';

export function demoOffered(): boolean {
  return safeGet(DEMO_OFFERED_KEY) !== null;
}

export function markDemoOffered(): void {
  try {
    localStorage.setItem(DEMO_OFFERED_KEY, '1');
  } catch {
    // Without storage every visit is a first visit; loading the demo again is harmless.
  }
}
