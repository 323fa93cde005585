/// <reference types="vite-plugin-pwa/vanillajs" />

/** package.json's version (vite.config.ts `define`). */
declare const __PAKAR_VERSION__: string;
/** This build's id: PAKAR_BUILD_ID at build time, or the build's UTC time (vite.config.ts `define`). */
declare const __PAKAR_BUILD__: string;

/** Whether `?hub=` may point downloads at another host: PAKAR_TEST_HUB=1 at build time, for tests. */
declare const __PAKAR_HUB_PARAM__: boolean;

/** The Hub mirror this build downloads from (PAKAR_HUB_URL at build time); '' for the Hugging Face Hub. */
declare const __PAKAR_HUB_URL__: string;

/** Chromium's install offer (not in TypeScript's DOM library). */
interface BeforeInstallPromptEvent extends Event {
  prompt(): Promise<void>;
  readonly userChoice: Promise<{ readonly outcome: 'accepted' | 'dismissed'; readonly platform: string }>;
}

interface WindowEventMap {
  beforeinstallprompt: BeforeInstallPromptEvent;
  appinstalled: Event;
}
