// A draft model in the app: two Granite sizes share a tokenizer, so the smaller one drafts for
// the larger one (speculative decoding). Both come from the Hub double as small generated
// granitemoe models: the same seed gives the same vocabulary, another seed a different one,
// which the engine refuses with a clear reason. Answers stay the CPU reference's greedy tokens.

import { expect, test } from '@playwright/test';
import { startHubDouble, type HubDouble } from '../test/helpers/hubDouble.ts';
import { answerTokens, cpuGreedy, downloadCard, openApp, promptTokens, sendAndWait, testModel } from './helpers.ts';

const target = {
  id: 'granite-3.1-3b-a800m-instruct-q4_k_m',
  name: 'Granite 3.1 3B-A800M Instruct Q4_K_M',
  repo: 'bartowski/granite-3.1-3b-a800m-instruct-GGUF',
  file: 'granite-3.1-3b-a800m-instruct-Q4_K_M.gguf',
};
const draft = {
  id: 'granite-3.1-1b-a400m-instruct-q4_k_m',
  name: 'Granite 3.1 1B-A400M Instruct Q4_K_M',
  repo: 'bartowski/granite-3.1-1b-a400m-instruct-GGUF',
  file: 'granite-3.1-1b-a400m-instruct-Q4_K_M.gguf',
};
const foreign = {
  id: 'granite-3.1-1b-a400m-instruct-q8_0',
  name: 'Granite 3.1 1B-A400M Instruct Q8_0',
  repo: 'bartowski/granite-3.1-1b-a400m-instruct-GGUF',
  file: 'granite-3.1-1b-a400m-instruct-Q8_0.gguf',
};

const targetModel = testModel({ arch: 'granitemoe', seed: 11, nLayer: 3 });
const draftModel = testModel({ arch: 'granitemoe', seed: 11, nLayer: 1 });
const foreignModel = testModel({ arch: 'granitemoe', seed: 12, nLayer: 1 });

let hub: HubDouble;
test.beforeAll(async () => {
  hub = await startHubDouble();
});
test.afterAll(async () => {
  await hub.close().catch(() => {});
});

test('a smaller model with the same tokenizer drafts for the loaded one; another tokenizer is refused', async ({ page }) => {
  test.setTimeout(180_000);
  for (const [e, m] of [
    [target, targetModel],
    [draft, draftModel],
    [foreign, foreignModel],
  ] as const)
    hub.setFile(e.repo, e.file, m.bytes);
  await openApp(page, { temperature: 0, maxTokens: 12 }, `?hub=${encodeURIComponent(hub.baseUrl)}`);
  await page.getByRole('button', { name: 'Models', exact: true }).click();
  await downloadCard(page, draft.name);
  await downloadCard(page, foreign.name);
  await downloadCard(page, target.name, { load: true });

  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await page.getByLabel('Guess tokens ahead and verify them in one pass').check();
  await page.getByLabel('Drafter').selectOption('draft');
  const pick = page.getByLabel('Draft model');
  const status = page.getByTestId('draft-model-status');
  // The loaded model is not offered as its own draft.
  await expect(pick.locator('option')).toHaveCount(3);
  await pick.selectOption(foreign.id);
  await expect(status).toContainText('cannot draft for the loaded one', { timeout: 60_000 });
  await expect(status).toContainText('differs');
  await pick.selectOption(draft.id);
  await expect(status).toContainText('Drafting with', { timeout: 60_000 });
  await expect(status).toContainText('1 layer,');
  await page.keyboard.press('Escape');

  await sendAndWait(page, 'Hello there');
  const tokens = answerTokens(await page.getByRole('article', { name: 'Answer' }).getAttribute('data-tokens'));
  expect(tokens).toEqual(cpuGreedy(targetModel.bytes, promptTokens(targetModel.bytes, [{ role: 'user', content: 'Hello there' }]), 12));
  await page.getByRole('button', { name: 'Insights', exact: true }).click();
  await expect(page.getByTestId('answer-stats')).toContainText(/Acceptance by drafter\s*draft \d+%/);
  await page.keyboard.press('Escape');

  // After a reload the main model loads by itself, and its draft model with it.
  await page.reload();
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await expect(page.getByTestId('draft-model-status')).toContainText('Drafting with', { timeout: 60_000 });
});
