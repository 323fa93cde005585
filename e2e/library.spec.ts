// Managing conversations without a model: import, search by title and text, rename, delete
// with undo, export; all of it kept in IndexedDB across reloads.

import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { openApp, openLocalModel, testModel } from './helpers.ts';

const message = (id: string, role: 'user' | 'assistant', content: string) => ({ id, role, content, createdAt: 1_700_000_000_000, ...(role === 'assistant' ? { status: 'done' } : {}) });

const bundle = {
  format: 'pakar-conversations',
  version: 1,
  exportedAt: '2024-01-01T00:00:00.000Z',
  conversations: [
    {
      id: 'lisbon',
      title: 'Planning a trip to Lisbon',
      systemPrompt: '',
      createdAt: 1_700_000_000_000,
      updatedAt: 1_700_000_002_000,
      messages: [message('l1', 'user', 'Three days in Lisbon: what should I see?'), message('l2', 'assistant', 'Start in **Alfama**, then Belém.')],
    },
    {
      id: 'bread',
      title: 'Sourdough starter',
      systemPrompt: 'You are a baker.',
      createdAt: 1_700_000_000_000,
      updatedAt: 1_700_000_001_000,
      messages: [message('b1', 'user', 'My starter is sluggish.'), message('b2', 'assistant', 'Raise the hydration to 100% and keep it warm.')],
    },
  ],
};

test('import, search, rename, delete with undo, export; kept across reloads', async ({ page }) => {
  await openApp(page);
  const list = page.getByRole('navigation', { name: 'Conversations' });
  const row = (title: string) => list.getByRole('button', { name: title, exact: true });

  await page.getByLabel('Import conversations').setInputFiles({ name: 'chats.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bundle)) });
  await expect(list.getByRole('status')).toHaveText('Imported 2 conversations.');
  await expect(row('Planning a trip to Lisbon')).toBeVisible();
  await row('Sourdough starter').click();
  await expect(page.getByRole('article', { name: 'Answer' })).toContainText('Raise the hydration');
  await expect(page.getByRole('article', { name: 'Answer' }).locator('strong')).toHaveCount(0);
  await row('Planning a trip to Lisbon').click();
  await expect(page.getByRole('article', { name: 'Answer' }).locator('strong')).toHaveText('Alfama');

  // Search finds titles and message text.
  const search = page.getByLabel('Search conversations');
  await search.fill('hydration');
  await expect(list.locator('.conv')).toHaveCount(1);
  await expect(row('Sourdough starter')).toBeVisible();
  await search.fill('lisbon');
  await expect(list.locator('.conv')).toHaveCount(1);
  await expect(row('Planning a trip to Lisbon')).toBeVisible();
  await search.fill('nothing like this');
  await expect(list).toContainText('No conversation matches.');
  await search.fill('');

  // Rename.
  await list.getByRole('button', { name: 'Rename Sourdough starter' }).click();
  await list.getByLabel('Conversation title').fill('Bread notes');
  await list.getByLabel('Conversation title').press('Enter');
  await expect(row('Bread notes')).toBeVisible();

  // Delete, undo, delete again.
  await list.getByRole('button', { name: 'Delete Bread notes' }).click();
  await expect(row('Bread notes')).toHaveCount(0);
  await page.getByRole('status').filter({ hasText: 'Deleted' }).getByRole('button', { name: 'Undo' }).click();
  await expect(row('Bread notes')).toBeVisible();
  await page.reload();
  await expect(row('Bread notes')).toBeVisible();
  await list.getByRole('button', { name: 'Delete Bread notes' }).click();
  await expect(row('Bread notes')).toHaveCount(0);
  await page.reload();
  await expect(row('Planning a trip to Lisbon')).toBeVisible();
  await expect(row('Bread notes')).toHaveCount(0);

  // Export, delete, import the export: the conversation comes back whole.
  const [download] = await Promise.all([page.waitForEvent('download'), list.getByRole('button', { name: 'Export' }).click()]);
  const exported = JSON.parse(readFileSync(await download.path(), 'utf8')) as typeof bundle;
  expect(exported.format).toBe('pakar-conversations');
  expect(exported.conversations.map((c) => c.title)).toEqual(['Planning a trip to Lisbon']);
  await list.getByRole('button', { name: 'Delete Planning a trip to Lisbon' }).click();
  await expect(list).toContainText('No conversations yet.');
  await page.getByLabel('Import conversations').setInputFiles({ name: 'export.json', mimeType: 'application/json', buffer: readFileSync(await download.path()) });
  await row('Planning a trip to Lisbon').click();
  await expect(page.getByRole('article', { name: 'Your message' }).locator('.user-text')).toHaveText('Three days in Lisbon: what should I see?');

  // A file that is not an export is refused with a reason; nothing changes.
  await page.getByLabel('Import conversations').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"hello": 1}') });
  await expect(list.getByRole('status')).toContainText('Import failed: The file is not a Pakar conversation export.');
  await expect(list.locator('.conv')).toHaveCount(1);
});

test('on a 390 px phone the model picker keeps its label and the Undo toast clears the message box', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await openApp(page);
  const picker = page.getByTestId('model-status');
  expect((await picker.boundingBox())?.width).toBeGreaterThanOrEqual(100);
  await expect(picker).toHaveText('No model · choose one');

  await page.getByLabel('Import conversations').setInputFiles({ name: 'chats.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bundle)) });
  const menu = page.getByRole('button', { name: 'Conversations' });
  if (!(await page.getByRole('navigation', { name: 'Conversations' }).isVisible())) await menu.click();
  await page.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: 'Delete Sourdough starter' }).click();
  const toast = page.getByRole('status').filter({ hasText: 'Deleted' });
  await expect(toast).toBeVisible();
  await page.keyboard.press('Escape');
  const t = (await toast.boundingBox())!;
  const box = (await page.getByLabel('Message', { exact: true }).boundingBox())!;
  expect(t.y + t.height <= box.y || box.y + box.height <= t.y).toBe(true);
});

test('two tabs: a conversation made in one is listed in the other at once, and each says what the other has loaded', async ({ page, context }) => {
  await openApp(page);
  const other = await context.newPage();
  await other.goto('/');
  await expect(other).toHaveTitle('Pakar');
  await page.getByLabel('Import conversations').setInputFiles({ name: 'chats.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bundle)) });
  const otherList = other.getByRole('navigation', { name: 'Conversations' });
  await expect(otherList.getByRole('button', { name: 'Sourdough starter', exact: true })).toBeVisible();
  await page.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: 'Delete Sourdough starter' }).click();
  await expect(otherList.getByRole('button', { name: 'Sourdough starter', exact: true })).toHaveCount(0);

  await openLocalModel(page, testModel({ arch: 'qwen3moe', seed: 1 }).path);
  await other.getByRole('button', { name: 'Models', exact: true }).click();
  await expect(other.getByTestId('other-tabs')).toContainText('Another Pakar tab has pakar-test-qwen3moe-seed1 loaded');
});
