// The chat on the real engine: a generated qwen3moe model opened from disk runs in the Web
// Worker on WebGPU (SwiftShader here), and its greedy tokens equal the CPU reference's, plain
// and speculated over (paged experts: expertCache.spec.ts).

import { expect, test } from '@playwright/test';
import { answerTokens, cpuGreedy, openApp, openLocalModel, promptTokens, sendAndWait, testModel } from './helpers.ts';

const model = testModel({ arch: 'qwen3moe', seed: 1 });

test('greedy tokens streamed from the worker equal the CPU reference', async ({ page }) => {
  await openApp(page, { temperature: 0, maxTokens: 12 });
  await openLocalModel(page, model.path);
  await expect(page.getByTestId('model-status')).toContainText('pakar-test-qwen3moe-seed1');

  const box = page.getByLabel('Message', { exact: true });
  await box.fill('Hello there');
  await box.press('Enter');
  const answer = page.getByRole('article', { name: 'Answer' });
  // Streaming: the cursor shows while tokens arrive, then the final stats.
  await expect(answer).toHaveAttribute('data-status', 'streaming');
  await expect(answer.getByTestId('cursor')).toBeVisible();
  await expect(answer).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  await expect(answer.getByTestId('cursor')).toHaveCount(0);
  await expect(answer.locator('.stats-line').first()).toContainText('12 tokens');

  const tokens = answerTokens(await answer.getAttribute('data-tokens'));
  await page.getByRole('button', { name: 'Insights', exact: true }).click();
  const stats = page.getByTestId('answer-stats');
  const reported = Number(await stats.getAttribute('data-prompt-tokens'));

  const prompt = promptTokens(model.bytes, [{ role: 'user', content: 'Hello there' }]);
  expect(reported).toBe(prompt.length);
  expect(tokens).toHaveLength(12);
  expect(tokens).toEqual(cpuGreedy(model.bytes, prompt, tokens.length));
  await expect(stats).toContainText('Time to first token');
});

test('speculative decoding gives the same greedy tokens, with its stats', async ({ page }) => {
  await openApp(page, { temperature: 0, maxTokens: 12, speculative: true });
  await openLocalModel(page, model.path);
  await sendAndWait(page, 'Hello there');
  const tokens = answerTokens(await page.getByRole('article', { name: 'Answer' }).getAttribute('data-tokens'));
  const prompt = promptTokens(model.bytes, [{ role: 'user', content: 'Hello there' }]);
  expect(tokens).toEqual(cpuGreedy(model.bytes, prompt, 12));
  await page.getByRole('button', { name: 'Insights', exact: true }).click();
  await expect(page.getByTestId('answer-stats')).toContainText('Tokens per step');
});
