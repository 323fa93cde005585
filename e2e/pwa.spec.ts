// Pakar as an installable PWA: after one online visit and one model download it starts, lists
// conversations, loads the model and answers with no network at all (page and service worker
// cut off); the manifest passes Chromium's installability checks; a new build under the same URL
// shows "Update available — reload", which never reloads a tab by itself while it answers.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { startHubDouble, type HubDouble } from '../test/helpers/hubDouble.ts';
import { buildApp, startAppServer, type AppServer } from './appServer.ts';
import { answerTokens, cpuGreedy, downloadCard, openApp, openLocalModel, promptTokens, sendAndWait, testModel } from './helpers.ts';

interface CatalogJson {
  models: { id: string; name: string; quant: string; repo: string; file: string; revision: string }[];
}
const catalog = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../src/models/catalog.json'), 'utf8')) as CatalogJson;
const entryOf = (id: string) => {
  const e = catalog.models.find((m) => m.id === id);
  if (!e) throw new Error(`catalog has no ${id}`);
  return { ...e, label: `${e.name} ${e.quant}` };
};
// Served by the Hub double as a small generated model of the same architecture.
const entry = entryOf('qwen3-30b-a3b-q4_k_m');
const model = testModel({ arch: 'qwen3moe', seed: 1 });

/** Resolves once the service worker controls the page (it claims the page on first install). */
async function waitForServiceWorker(page: Page): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
}

test.describe('offline after the first load', () => {
  let hub: HubDouble;
  test.beforeAll(async () => {
    hub = await startHubDouble();
    hub.setFile(entry.repo, entry.file, model.bytes, entry.revision);
  });
  test.afterAll(async () => {
    await hub.close().catch(() => {});
  });

  test('with the page and its service worker offline: the app renders, lists conversations, loads the model and answers', async ({ page, context }) => {
    test.setTimeout(180_000);
    await openApp(page, { temperature: 0, maxTokens: 8 }, `?hub=${encodeURIComponent(hub.baseUrl)}`);
    await waitForServiceWorker(page);

    // Online: download the model from the Hub double, load it, one conversation.
    await page.getByRole('button', { name: 'Models', exact: true }).click();
    await downloadCard(page, entry.label, { load: true });
    await sendAndWait(page, 'Hello from the plane');
    const online = answerTokens(await page.getByRole('article', { name: 'Answer' }).getAttribute('data-tokens'));
    expect(online).toEqual(cpuGreedy(model.bytes, promptTokens(model.bytes, [{ role: 'user', content: 'Hello from the plane' }]), 8));

    // Cut everything: the page is offline, and any request that still reaches the network
    // (the service worker's own fetches included) is aborted and recorded.
    const reachedNetwork: string[] = [];
    await context.route('**/*', (route) => {
      reachedNetwork.push(route.request().url());
      return route.abort('internetdisconnected');
    });
    await context.setOffline(true);
    await hub.close();

    await page.reload();
    await expect(page).toHaveTitle('Pakar');
    // Debian's Chromium 150 drops the offline emulation on a reload (navigator.onLine is true
    // again, though every request is still refused by the route above): apply it again.
    if (await page.evaluate(() => navigator.onLine)) {
      await context.setOffline(false);
      await context.setOffline(true);
    }
    await expect(page.getByTestId('offline-notice')).toContainText('You are offline');
    const conversations = page.getByRole('navigation', { name: 'Conversations' });
    await expect(conversations.getByRole('listitem').filter({ hasText: 'Hello from the plane' })).toBeVisible();
    // The last used model loads from the browser's store by itself.
    await expect(page.getByRole('combobox', { name: 'Model' })).toHaveValue(entry.id, { timeout: 60_000 });

    // Parts that need the network say so.
    await page.getByRole('button', { name: 'Models', exact: true }).click();
    await expect(page.getByTestId('catalog-offline')).toContainText('downloads need a connection');
    const other = page.getByRole('listitem', { name: entryOf('olmoe-1b-7b-0125-instruct-q4_k_m').label });
    await expect(other.getByRole('button', { name: /^Download / })).toBeDisabled();
    await expect(other).toContainText('Offline: downloading needs a connection.');
    await page.keyboard.press('Escape');

    // A streamed answer in a new chat, with the same greedy tokens as online.
    await page.getByRole('button', { name: 'New chat' }).click();
    const box = page.getByLabel('Message', { exact: true });
    await box.fill('Hello from the plane');
    await box.press('Enter');
    const answer = page.getByRole('article', { name: 'Answer' }).last();
    await expect(answer).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
    expect(answerTokens(await answer.getAttribute('data-tokens'))).toEqual(online);
    await expect(conversations.getByRole('listitem').filter({ hasText: 'Hello from the plane' })).toHaveCount(2);
    // Everything came from the service worker's cache and the browser's stores.
    expect(reachedNetwork).toEqual([]);
  });
});

test('the manifest is valid and Chromium finds the page installable; the shell and worker are precached, never weights', async ({ playwright }, testInfo) => {
  // Chromium never offers installation in an incognito profile (Playwright's default contexts):
  // this test uses a persistent profile in a temporary folder.
  const { launchOptions, baseURL } = testInfo.project.use;
  const profile = mkdtempSync(path.join(tmpdir(), 'pakar-pwa-'));
  const context = await playwright.chromium.launchPersistentContext(profile, { ...launchOptions, headless: true, baseURL });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto('/');
    await expect(page).toHaveTitle('Pakar');
    await waitForServiceWorker(page);
    await checkInstallable(page);
    // The browser offers installation: the button appears.
    const installButton = page.getByRole('button', { name: 'Install app' });
    await expect(installButton).toBeVisible({ timeout: 15_000 });
    // Once installed, the browser sends `appinstalled` and the button goes. Headless Chromium
    // never completes an install (CDP PWA.install neither sends the event nor stops the offer),
    // so the browser's event is dispatched here.
    await page.evaluate(() => window.dispatchEvent(new Event('appinstalled')));
    await expect(installButton).toHaveCount(0);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
});

async function checkInstallable(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: { errorId: string }[] };
  expect(installabilityErrors).toEqual([]);
  const { errors } = (await cdp.send('Page.getAppManifest')) as { errors: { message: string }[] };
  expect(errors).toEqual([]);

  const manifest = (await (await page.request.get('/manifest.webmanifest')).json()) as {
    id: string;
    start_url: string;
    scope: string;
    display: string;
    icons: { src: string; sizes: string; purpose: string }[];
    screenshots: { src: string; sizes: string; form_factor?: string }[];
  };
  expect(manifest).toMatchObject({ id: '/', start_url: '/', scope: '/', display: 'standalone', name: 'Pakar', short_name: 'Pakar' });
  expect(manifest.icons.map((i) => `${i.sizes} ${i.purpose}`).sort()).toEqual(['192x192 any', '512x512 any', '512x512 maskable']);
  expect(manifest.screenshots.map((s) => s.form_factor).sort()).toEqual(['narrow', 'wide']);
  // Every image is a PNG of the size the manifest states.
  for (const image of [...manifest.icons, ...manifest.screenshots]) {
    const png = await (await page.request.get(image.src)).body();
    expect(png.subarray(1, 4).toString('ascii'), image.src).toBe('PNG');
    expect(`${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`, image.src).toBe(image.sizes);
  }

  const cached = await page.evaluate(async () => {
    const urls: string[] = [];
    for (const name of await caches.keys()) for (const r of await (await caches.open(name)).keys()) urls.push(new URL(r.url).pathname);
    return urls;
  });
  expect(cached).toContain('/index.html');
  expect(cached.some((u) => /^\/assets\/engine\.worker-[\w-]+\.js$/.test(u))).toBe(true);
  expect(cached.some((u) => /^\/assets\/index-[\w-]+\.js$/.test(u))).toBe(true);
  expect(cached.filter((u) => u.endsWith('.gguf'))).toEqual([]);
}

test.describe('updates', () => {
  let server: AppServer;
  let first: string;
  let second: string;
  test.beforeAll(async () => {
    test.setTimeout(120_000);
    first = buildApp('e2e-first');
    second = buildApp('e2e-second');
    server = await startAppServer(first);
  });
  test.afterAll(async () => {
    await server?.close().catch(() => {});
  });

  test('a new build under the same URL shows "Update available — reload"; a tab that is answering is never reloaded', async ({ context }) => {
    test.setTimeout(180_000);
    const version = async (p: Page): Promise<string> => {
      await p.getByRole('button', { name: 'Settings', exact: true }).click();
      const text = (await p.getByTestId('app-version').textContent()) ?? '';
      await p.keyboard.press('Escape');
      return text;
    };
    await context.addInitScript(() => localStorage.setItem('pakar.settings', JSON.stringify({ temperature: 0, maxTokens: 400 })));
    const answering = await context.newPage();
    await answering.goto(server.url);
    await waitForServiceWorker(answering);
    // Opened again, as on any later day: the page starts under the service worker's control.
    await answering.reload();
    expect(await version(answering)).toContain('build e2e-first');
    const other = await context.newPage();
    await other.goto(server.url);
    await waitForServiceWorker(other);

    // One tab writes a long answer; it must not be reloaded under it.
    await openLocalModel(answering, model.path);
    await answering.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    await answering.getByLabel('Message', { exact: true }).fill('Tell me a long story');
    await answering.getByLabel('Message', { exact: true }).press('Enter');
    const answer = answering.getByRole('article', { name: 'Answer' });
    await expect(answer).toHaveAttribute('data-status', 'streaming');

    // The new version is deployed; the other tab finds it on reload and the person accepts it.
    server.serve(second);
    await other.reload();
    const otherPrompt = other.getByRole('button', { name: 'Update available — reload' });
    await expect(otherPrompt).toBeEnabled({ timeout: 30_000 });
    expect(await version(other)).toContain('build e2e-first');
    // The answering tab sees the update too, held back while it answers.
    const answeringPrompt = answering.getByRole('button', { name: 'Update available — reload' });
    await expect(answeringPrompt).toBeVisible({ timeout: 30_000 });
    await expect(answeringPrompt).toBeDisabled();
    await expect(answer).toHaveAttribute('data-status', 'streaming');

    // Accepting: the waiting version takes control, then the tab reloads into it.
    await Promise.all([other.waitForEvent('load', { timeout: 30_000 }), otherPrompt.click()]);
    expect(await version(other)).toContain('build e2e-second');

    // The new version took control of every tab; the answering tab still finishes its answer and is not reloaded.
    await expect(answer).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
    expect(await answering.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(await version(answering)).toContain('build e2e-first');

    // Accepting reloads it into the new version.
    await expect(answeringPrompt).toBeEnabled();
    await Promise.all([answering.waitForEvent('load', { timeout: 30_000 }), answeringPrompt.click()]);
    expect(await version(answering)).toContain('build e2e-second');
    await expect(answering.getByRole('button', { name: 'Update available — reload' })).toHaveCount(0);
  });
});

test.describe('a Hub mirror chosen at build time', () => {
  let hub: HubDouble;
  let server: AppServer;
  test.beforeAll(async () => {
    test.setTimeout(120_000);
    hub = await startHubDouble();
    hub.setFile(entry.repo, entry.file, model.bytes, entry.revision);
    // A production build (no PAKAR_TEST_HUB) whose deployment mirrors the Hub.
    server = await startAppServer(buildApp('e2e-mirror', { PAKAR_HUB_URL: hub.baseUrl }));
  });
  test.afterAll(async () => {
    await server?.close().catch(() => {});
    await hub?.close().catch(() => {});
  });

  test('survives the service worker: a later visit downloads from it and names it; a crafted ?hub= changes nothing', async ({ page }) => {
    test.setTimeout(120_000);
    await page.addInitScript(() => localStorage.setItem('pakar.demoOffered', '1'));
    await page.goto(server.url);
    await waitForServiceWorker(page);
    // A later visit, served by the service worker, through a link that tries to redirect downloads.
    await page.goto(`${server.url}/?hub=${encodeURIComponent('http://127.0.0.1:9')}`);
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    await page.getByRole('button', { name: 'Models', exact: true }).click();
    await expect(page.getByTestId('download-host')).toContainText(new URL(hub.baseUrl).host);
    await downloadCard(page, entry.label);
    expect(hub.stats.ranges.length).toBeGreaterThan(0);
  });
});
