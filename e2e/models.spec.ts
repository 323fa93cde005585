// The model store against the local Hub double: a catalog entry downloads (progress with bytes,
// speed and time left; pause and resume; a failure shown and recovered from), loads, answers
// with the CPU reference's greedy tokens, and loads again after a reload with the Hub gone; a
// download paused after its dense weights answers right away, its experts read from the Hub; a
// model added by a pasted Hub link (a split file) downloads as one and answers.

import { expect, test } from '@playwright/test';
import { splitGguf, splitPartName } from '../scripts/model-gen/split.ts';
import { startHubDouble, type HubDouble } from '../test/helpers/hubDouble.ts';
import { answerTokens, cpuGreedy, openApp, promptTokens, sendAndWait, testModel } from './helpers.ts';

// A catalog entry whose file the Hub double serves as a small generated model of the same architecture.
const entry = {
  id: 'granite-3.1-1b-a400m-instruct-q4_k_m',
  name: 'Granite 3.1 1B-A400M Instruct Q4_K_M',
  repo: 'bartowski/granite-3.1-1b-a400m-instruct-GGUF',
  file: 'granite-3.1-1b-a400m-instruct-Q4_K_M.gguf',
};
const model = testModel({ arch: 'granitemoe', seed: 2 });

let hub: HubDouble;
test.beforeAll(async () => {
  hub = await startHubDouble();
});
test.afterAll(async () => {
  await hub.close().catch(() => {});
});

test('download from the Hub with progress, pause and resume, chat, then load offline after a reload', async ({ page }) => {
  test.setTimeout(150_000);
  page.on('dialog', (d) => void d.accept());
  await openApp(page, { temperature: 0, maxTokens: 8 }, `?hub=${encodeURIComponent(hub.baseUrl)}`);
  await page.getByRole('button', { name: 'Models', exact: true }).click();
  const card = page.getByRole('listitem', { name: entry.name });
  await expect(card).toContainText('granitemoe');
  await expect(page.getByRole('listitem', { name: 'gpt-oss 20B MXFP4' })).not.toContainText('not supported yet');
  // Each card says whether it fits this device (Chromium reports its memory as at most 8 GiB).
  const big = page.getByRole('listitem', { name: /^Qwen3 30B-A3B/ });
  await expect(big.getByTestId('fit')).toHaveAttribute('data-fit', /^(tight|too_big)$/);
  await expect(big).toContainText(/may not fit|too big for this device/);
  await expect(card.getByTestId('fit')).toHaveAttribute('data-fit', 'fits');

  // Not on the Hub yet: the failure is shown on the card, nothing is lost.
  await card.getByRole('button', { name: `Download ${entry.name}` }).click();
  await expect(card.getByRole('alert')).toContainText('The file is not on the server');
  await expect(card.getByRole('alert').getByTestId('error-code')).toHaveText('remote_missing');

  // Served slowly enough to watch, to cancel and to pause.
  hub.setFile(entry.repo, entry.file, model.bytes);
  hub.faults = { slowBody: { chunkBytes: 16 * 1024, chunkDelayMs: 60 } };
  // Cancel stops the download and deletes its part: the card is as before it started.
  await card.getByRole('button', { name: `Download ${entry.name}` }).click();
  await expect(card.getByTestId('download-progress')).toHaveText(/^[1-9]\d*% /, { timeout: 20_000 });
  await card.getByRole('button', { name: `Cancel ${entry.name}` }).click();
  await expect(card).toHaveAttribute('data-state', 'available');
  await expect(card).not.toContainText('paused');
  await card.getByRole('button', { name: new RegExp(`^(Download|Resume) ${entry.name}$`) }).click();
  await expect(card.getByRole('progressbar', { name: `Downloading ${entry.name}` })).toBeVisible();
  await expect(card.getByTestId('download-progress')).toHaveText(/^\d+% · [\d.]+ (B|KiB|MiB) of 1\.\d+ MiB · [\d.]+ (B|KiB|MiB)\/s · .+ left$/, { timeout: 20_000 });
  await card.getByRole('button', { name: `Pause ${entry.name}` }).click();
  await expect(card).toHaveAttribute('data-state', 'partial');
  await expect(card).toContainText('paused');

  hub.faults = {};
  await card.getByRole('button', { name: `Resume ${entry.name}` }).click();
  await expect(card).toHaveAttribute('data-state', 'stored', { timeout: 60_000 });
  await expect(page.getByTestId('storage')).toContainText('used of');
  await card.getByRole('button', { name: `Load ${entry.name}` }).click();
  await expect(card).toHaveAttribute('data-state', 'loaded', { timeout: 60_000 });
  await page.keyboard.press('Escape');

  await sendAndWait(page, 'Hello');
  const tokens = answerTokens(await page.getByRole('article', { name: 'Answer' }).getAttribute('data-tokens'));
  expect(tokens).toEqual(cpuGreedy(model.bytes, promptTokens(model.bytes, [{ role: 'user', content: 'Hello' }]), 8));

  // Offline: the Hub is gone, the last used model loads from the browser's store by itself.
  await hub.close();
  await page.reload();
  await expect(page.getByRole('combobox', { name: 'Model' })).toHaveValue(entry.id, { timeout: 60_000 });
  await page.getByRole('button', { name: 'New chat' }).click();
  await sendAndWait(page, 'Hello');
  expect(answerTokens(await page.getByRole('article', { name: 'Answer' }).getAttribute('data-tokens'))).toEqual(tokens);

  // Delete it: the catalog offers the download again.
  await page.getByRole('button', { name: 'Models', exact: true }).click();
  await card.getByRole('button', { name: `Delete ${entry.name}` }).click();
  await expect(card).toHaveAttribute('data-state', 'available');
});

test("a download paused after its dense weights can be used now: experts come from the Hub, the tokens are the CPU reference's", async ({ page }) => {
  test.setTimeout(120_000);
  const own = await startHubDouble();
  try {
    own.setFile(entry.repo, entry.file, model.bytes);
    own.faults = { slowBody: { chunkBytes: 16 * 1024, chunkDelayMs: 150 } };
    await openApp(page, { temperature: 0, maxTokens: 8 }, `?hub=${encodeURIComponent(own.baseUrl)}`);
    await page.getByRole('button', { name: 'Models', exact: true }).click();
    const card = page.getByRole('listitem', { name: entry.name });
    await card.getByRole('button', { name: `Download ${entry.name}` }).click();
    // Dense tensors come first (about a third of this file's bytes), then the experts.
    await expect(card.getByTestId('download-progress')).toHaveText(/^[6-8]\d% /, { timeout: 30_000 });
    await card.getByRole('button', { name: `Pause ${entry.name}` }).click();
    await expect(card).toHaveAttribute('data-state', 'partial');
    await expect(card).toContainText('it can answer now');
    own.faults = {};
    await card.getByRole('button', { name: `Use ${entry.name} now` }).click();
    await expect(card).toHaveAttribute('data-state', 'loaded', { timeout: 60_000 });
    await expect(card.getByTestId('experts-downloading')).toContainText('Answers are slower until the download completes');
    await page.keyboard.press('Escape');
    await sendAndWait(page, 'Hello');
    const tokens = answerTokens(await page.getByRole('article', { name: 'Answer' }).getAttribute('data-tokens'));
    expect(tokens).toEqual(cpuGreedy(model.bytes, promptTokens(model.bytes, [{ role: 'user', content: 'Hello' }]), 8));
    expect(own.stats.cdnRequests).toBeGreaterThan(0);
  } finally {
    await own.close().catch(() => {});
  }
});

test('a model added from the Hub by a pasted link: its GGUF files listed, a split file downloaded as one model and answering', async ({ page }) => {
  test.setTimeout(120_000);
  const repo = 'pakar-test/granite-split-GGUF';
  const parts = splitGguf(model.bytes, 3);
  const own = await startHubDouble();
  try {
    parts.forEach((p, k) => own.setFile(repo, splitPartName('Q8_0/granite-Q8_0', k, 3), p));
    own.setFile(repo, 'granite-Q4_K_M.gguf', model.bytes);
    own.setFile(repo, 'mmproj-granite-F16.gguf', new Uint8Array(64));
    await openApp(page, { temperature: 0, maxTokens: 8 }, `?hub=${encodeURIComponent(own.baseUrl)}`);
    await page.getByRole('button', { name: 'Models', exact: true }).click();
    const input = page.getByRole('textbox', { name: 'Hub repository or GGUF link' });
    const find = page.getByRole('button', { name: 'Find GGUF files' });

    // A repository that is not there says so.
    await input.fill('pakar-test/no-such-GGUF');
    await find.click();
    const section = page.getByRole('region', { name: 'Add from the Hub' });
    await expect(section.getByRole('alert')).toContainText('The Hub has no repository pakar-test/no-such-GGUF');

    // An hf.co link lists the repository's model files (not the vision projector), smallest first.
    await input.fill(`hf.co/${repo}`);
    await find.click();
    const found = section.getByRole('list', { name: 'GGUF files found' });
    await expect(found.getByRole('listitem')).toHaveCount(2);
    const split = found.getByRole('listitem', { name: 'granite-Q8_0-00001-of-00003.gguf' });
    const total = parts.reduce((n, p) => n + p.length, 0);
    await expect(split).toContainText(`${repo} · Q8_0 ·`);
    await expect(split).toContainText('split into 3 files, downloaded as one model');
    await expect(split.getByTestId('fit')).toHaveAttribute('data-fit', 'fits');
    expect(total).toBeGreaterThan(model.bytes.length);
    await expect(found.getByRole('listitem', { name: 'granite-Q4_K_M.gguf' })).toContainText('Q4_K_M');

    // Downloaded, loaded and answering with the whole file's tokens.
    await split.getByRole('button', { name: 'Download granite-Q8_0-00001-of-00003.gguf' }).click();
    await expect(split).toHaveAttribute('data-state', 'stored', { timeout: 60_000 });
    expect(new Set(own.stats.ranges.map((r) => r.path)).size).toBe(3);
    await split.getByRole('button', { name: 'Load granite-Q8_0-00001-of-00003.gguf' }).click();
    await expect(split).toHaveAttribute('data-state', 'loaded', { timeout: 60_000 });
    await expect(page.getByRole('region', { name: 'On this device' })).toContainText('granitemoe');
    await page.keyboard.press('Escape');
    await sendAndWait(page, 'Hello');
    const tokens = answerTokens(await page.getByRole('article', { name: 'Answer' }).getAttribute('data-tokens'));
    expect(tokens).toEqual(cpuGreedy(model.bytes, promptTokens(model.bytes, [{ role: 'user', content: 'Hello' }]), 8));
  } finally {
    await own.close().catch(() => {});
  }
});

test('a split model opened from local files: one part alone says what is missing, all parts (any order) answer', async ({ page }) => {
  test.setTimeout(90_000);
  const parts = splitGguf(model.bytes, 3).map((buffer, k) => ({ name: splitPartName('granite', k, 3), mimeType: 'application/octet-stream', buffer: Buffer.from(buffer) }));
  await openApp(page, { temperature: 0, maxTokens: 8 });
  await page.getByRole('button', { name: 'Models', exact: true }).click();
  const input = page.getByLabel('Open a local .gguf file');
  await input.setInputFiles([parts[1]]);
  const alert = page.getByRole('alert').filter({ hasText: `Could not load ${parts[1].name}` });
  await expect(alert).toContainText('part 2 of 3 of a split model');
  await expect(alert.getByTestId('error-code')).toHaveText('split_part');

  await input.setInputFiles([parts[2], parts[0], parts[1]]);
  await expect(page.getByTestId('loaded-model')).toBeVisible({ timeout: 60_000 });
  await page.keyboard.press('Escape');
  await sendAndWait(page, 'Hello');
  const tokens = answerTokens(await page.getByRole('article', { name: 'Answer' }).getAttribute('data-tokens'));
  expect(tokens).toEqual(cpuGreedy(model.bytes, promptTokens(model.bytes, [{ role: 'user', content: 'Hello' }]), 8));
});
