// Failures people can act on, each provoked: no model, an unsupported architecture, a
// conversation that outgrows the context (no-webgpu.spec.ts: a browser without WebGPU).
// Nothing typed is lost.

import { expect, test } from '@playwright/test';
import { openApp, openLocalModel, sendAndWait, testModel } from './helpers.ts';

test('without a model, sending waits and the draft survives a reload', async ({ page }) => {
  await openApp(page);
  const box = page.getByLabel('Message', { exact: true });
  await expect(box).toHaveAttribute('placeholder', 'Load a model to start chatting');
  await box.fill('A question I do not want to type twice');
  await expect(page.getByRole('button', { name: 'Send' })).toBeDisabled();
  await box.press('Enter');
  await page.reload();
  await expect(page.getByLabel('Message', { exact: true })).toHaveValue('A question I do not want to type twice');
  await page.getByRole('button', { name: 'Choose a model' }).click();
  await expect(page.getByRole('dialog', { name: 'Models' })).toBeVisible();
});

test('an unsupported architecture says so, and the model that works stays loaded', async ({ page }) => {
  const model = testModel({ arch: 'qwen3moe', seed: 1 });
  const { bytes } = model;
  const patched = Buffer.from(bytes);
  // general.architecture = "qwen9moe": a valid GGUF of an architecture the engine does not know.
  const at = patched.indexOf('qwen3moe', patched.indexOf('general.architecture'));
  patched.write('qwen9moe', at);
  await openApp(page);
  await page.getByRole('button', { name: 'Models', exact: true }).click();
  await page.getByLabel('Open a local .gguf file').setInputFiles({ name: 'future.gguf', mimeType: 'application/octet-stream', buffer: patched });
  const alert = page.getByRole('alert').filter({ hasText: 'Could not load future.gguf' });
  await expect(alert).toContainText('unsupported architecture');
  await expect(alert.getByTestId('error-code')).toHaveText('unknown_arch');
  await expect(page.getByTestId('loaded-model')).toHaveCount(0);
  await page.keyboard.press('Escape');

  // With a working model loaded, the failed file leaves it loaded and chatting.
  await openLocalModel(page, model.path);
  const loadedName = await page.getByTestId('model-status').inputValue();
  await page.getByRole('button', { name: 'Models', exact: true }).click();
  await page.getByLabel('Open a local .gguf file').setInputFiles({ name: 'future.gguf', mimeType: 'application/octet-stream', buffer: patched });
  await expect(page.getByRole('alert').filter({ hasText: 'Could not load future.gguf' })).toBeVisible();
  await expect(page.getByTestId('loaded-model')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('model-status')).toHaveValue(loadedName);
  await sendAndWait(page, 'Still there?');
});

test('a conversation that outgrows the context drops its oldest turns, and says so', async ({ page }) => {
  test.setTimeout(90_000);
  const small = testModel({ arch: 'qwen3moe', seed: 1, nCtx: 48 });
  await openApp(page, { temperature: 0, maxTokens: 8 });
  await openLocalModel(page, small.path);
  await sendAndWait(page, 'Hello');
  await sendAndWait(page, 'What about rain?');
  const answers = page.getByRole('article', { name: 'Answer' });
  await expect(answers.last().getByRole('note')).toContainText('oldest messages were left out');
  await expect(answers.first().getByRole('note')).toHaveCount(0);

  // One message longer than the whole context: the error says what to do; the message stays.
  const long = 'Please summarise this very long question '.repeat(4);
  await sendAndWait(page, long, 'error');
  await expect(answers.last().getByRole('alert')).toContainText('no longer fits');
  await expect(answers.last().getByTestId('error-code')).toHaveText('context_full');
  await expect(page.getByRole('article', { name: 'Your message' }).last()).toContainText(long.trim());
});

test('"Keep a copy" refuses bad files with the messages of opening them directly, and stores nothing', async ({ page }) => {
  const { bytes } = testModel({ arch: 'qwen3moe', seed: 1 });
  const unknown = Buffer.from(bytes);
  unknown.write('qwen9moe', unknown.indexOf('qwen3moe', unknown.indexOf('general.architecture')));
  await openApp(page);
  await page.getByRole('button', { name: 'Models', exact: true }).click();
  await page.getByLabel('Keep a copy in this browser').check();
  const input = page.getByLabel('Open a local .gguf file');
  const cases = [
    { name: 'cut.gguf', buffer: Buffer.from(bytes.subarray(0, 2000)), title: 'The file ends early', code: 'truncated' },
    { name: 'notes.gguf', buffer: Buffer.from('just some text, not a model'), title: 'Not a GGUF file', code: 'bad_magic' },
    { name: 'future.gguf', buffer: unknown, title: 'Unsupported architecture', code: 'unknown_arch' },
  ];
  for (const c of cases) {
    await input.setInputFiles({ name: c.name, mimeType: 'application/octet-stream', buffer: c.buffer });
    const alert = page.getByRole('alert').filter({ hasText: `Could not keep ${c.name}` });
    await expect(alert).toContainText(c.title, { ignoreCase: true });
    await expect(alert.getByTestId('error-code')).toHaveText(c.code);
  }
  await page.reload();
  await page.getByRole('button', { name: 'Models', exact: true }).click();
  await expect(page.locator('.model-card[data-state="stored"], .model-card[data-state="partial"]')).toHaveCount(0);
  await expect(page.getByTestId('loaded-model')).toHaveCount(0);
});
