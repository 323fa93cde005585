import react from '@vitejs/plugin-react';
import { readFileSync } from 'node:fs';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };
// Tells builds apart in Settings → About (the e2e update test sets it; otherwise the build time).
const buildId = process.env.PAKAR_BUILD_ID ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z');
// `?hub=<base URL>` (a local Hub double) is honoured only by builds made for tests.
const hubParam = process.env.PAKAR_TEST_HUB === '1';
// Where models download from: the Hugging Face Hub, or a mirror the deployment chooses at build
// time (PAKAR_HUB_URL). Compiled in, so the service worker cannot lose it and no link can change it.
const hubUrl = process.env.PAKAR_HUB_URL ?? '';
if (hubUrl !== '' && !/^https?:\/\/[^/]+/.test(hubUrl)) throw new Error(`PAKAR_HUB_URL must be an http(s) URL, not ${hubUrl}`);

// The page's light background, as index.html's theme-color: the installed window's title bar.
const THEME = '#f6f4ef';
const BACKGROUND = '#f6f4ef';

export default defineConfig({
  plugins: [
    react(),
    VitePWA({
      // A new version waits until the person reloads ("Update available — reload"): an answer
      // being written is never cut short by an update. src/pwa/serviceWorker.ts registers it.
      registerType: 'prompt',
      injectRegister: false,
      manifest: {
        id: '/',
        name: 'Pakar',
        short_name: 'Pakar',
        description: 'A private chat app that runs Mixture-of-Experts language models entirely in your browser, offline once a model is downloaded.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'any',
        theme_color: THEME,
        background_color: BACKGROUND,
        categories: ['productivity', 'utilities'],
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
        screenshots: [
          { src: '/screenshots/chat-wide.png', sizes: '1280x800', type: 'image/png', form_factor: 'wide', label: 'A conversation, with the model running in the browser' },
          { src: '/screenshots/chat-narrow.png', sizes: '540x960', type: 'image/png', form_factor: 'narrow', label: 'A conversation on a phone' },
        ],
      },
      workbox: {
        // The app shell, the engine worker bundle (its WGSL kernels are inlined as strings) and
        // any WASM. Never model weights: they live in the model store (IndexedDB), and Hub
        // requests go to the network untouched (no runtime caching).
        // woff2: KaTeX's fonts, so that math renders offline too.
        globPatterns: ['**/*.{html,js,css,wasm,wgsl,svg,png,ico,webmanifest,woff2}'],
        globIgnores: ['**/*.gguf', 'screenshots/**'],
        maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
        navigateFallback: 'index.html',
        // `?hub=` (test builds) configures the page and the worker; it does not change the file served.
        ignoreURLParametersMatching: [/^utm_/, /^fbclid$/, /^hub$/],
        cleanupOutdatedCaches: true,
        // The first install takes the open page at once, so it works offline without a reload.
        // Updates still wait for the person (skipWaiting stays off).
        clientsClaim: true,
        skipWaiting: false,
      },
    }),
  ],
  define: {
    __PAKAR_VERSION__: JSON.stringify(version),
    __PAKAR_BUILD__: JSON.stringify(buildId),
    __PAKAR_HUB_PARAM__: JSON.stringify(hubParam),
    __PAKAR_HUB_URL__: JSON.stringify(hubUrl),
  },
  // The engine worker imports modules (Comlink, the engine), so it must be an ES module worker.
  worker: { format: 'es' },
  // 127.0.0.1 is a secure context, which WebGPU requires, and it keeps the server off the network.
  server: { host: '127.0.0.1', port: 5173, strictPort: true },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
});
