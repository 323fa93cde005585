// Screenshots of the main views, light and dark, desktop and phone width, for review:
// test-results/screenshots/<view>-<scheme>-<width>.png. One real answer (with expert routing
// recorded) feeds the insights; an imported conversation shows the markdown rendering.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { openApp, openLocalModel, sendAndWait, testModel } from './helpers.ts';

const model = testModel({ arch: 'qwen3moe', seed: 1 });
const outDir = path.resolve(import.meta.dirname, '../test-results/screenshots');

const richAnswer = [
  '## Mixture of Experts, briefly',
  '',
  'A **router** picks a few *experts* per token, so only part of the model runs:',
  '',
  '1. score every expert with a small linear layer',
  '2. keep the top-k and `softmax` their scores',
  "3. mix the chosen experts' outputs",
  '',
  '```ts',
  '// top-k routing for one token',
  'function route(logits: number[], k: number): number[] {',
  '  return logits.map((v, i) => [v, i]).sort((a, b) => b[0] - a[0]).slice(0, k).map(([, i]) => i);',
  '}',
  '```',
  '',
  '| model | experts | active |',
  '|---|---:|---:|',
  '| Qwen3-30B-A3B | 128 | 8 |',
  '| OLMoE-1B-7B | 64 | 8 |',
  '',
  '> Learn more at https://huggingface.co/blog/moe',
].join('\n');

const bundle = {
  format: 'pakar-conversations',
  version: 1,
  exportedAt: new Date(0).toISOString(),
  conversations: [
    {
      id: 'moe-explained',
      title: 'How does MoE routing work?',
      systemPrompt: 'You are a concise teacher.',
      createdAt: 1_700_000_000_000,
      updatedAt: 1_700_000_000_000,
      messages: [
        { id: 'u1', role: 'user', content: 'How does Mixture-of-Experts routing work? Show a little code.', createdAt: 1_700_000_000_000 },
        { id: 'a1', role: 'assistant', content: richAnswer, createdAt: 1_700_000_001_000, status: 'done', model: 'Qwen3 30B A3B' },
      ],
    },
  ],
};

const sizes = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;

async function shoot(page: Page, view: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: path.join(outDir, `${view}-${scheme}.png`), animations: 'disabled' });
  }
}

/** Selects a conversation in the sidebar (opening it first on a phone). */
async function select(page: Page, title: string): Promise<void> {
  const menu = page.getByRole('button', { name: 'Conversations' });
  if (await menu.isVisible()) await menu.click();
  await page.getByRole('button', { name: title, exact: true }).click();
}

test('screenshots of the main views', async ({ page }) => {
  test.setTimeout(120_000);
  mkdirSync(outDir, { recursive: true });
  await openApp(page, { temperature: 0, maxTokens: 16, alwaysRecordRouting: true });
  await openLocalModel(page, model.path);
  await sendAndWait(page, 'Hello');
  await page.getByLabel('Import conversations').setInputFiles({ name: 'chats.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bundle)) });

  for (const [name, size] of Object.entries(sizes)) {
    await page.setViewportSize(size);
    await select(page, 'How does MoE routing work?');
    await expect(page.getByRole('article', { name: 'Answer' }).locator('table')).toBeVisible();
    await shoot(page, `chat-${name}`);
    if (name === 'phone') {
      await page.getByRole('button', { name: 'Conversations' }).click();
      await shoot(page, `sidebar-${name}`);
      await page.keyboard.press('Escape');
    }
    await select(page, 'Hello');
    for (const panel of ['Insights', 'Models', 'Settings']) {
      await page.getByRole('button', { name: panel, exact: true }).click();
      await shoot(page, `${panel.toLowerCase()}-${name}`);
      if (panel === 'Insights') {
        await expect(page.getByTestId('routing')).not.toHaveAttribute('data-steps', '0');
        await page.getByTestId('routing').scrollIntoViewIfNeeded();
        await shoot(page, `routing-${name}`);
        await page.getByRole('button', { name: 'Per token' }).click();
        await shoot(page, `routing-tokens-${name}`);
      }
    }
    await page.keyboard.press('Escape');
  }
});
