// A Qwen3-style reasoning model in the chat: a generated qwen3moe with Qwen3's chat template and
// a scripted greedy answer (scripts/model-gen/think.ts) `<think> …</think> …<|im_end|>`. The
// chat shows the answer, and the <think> block as reasoning, collapsed until opened; both are
// kept apart after a reload.

import { expect, test } from '@playwright/test';
import { thinkScript } from '../scripts/model-gen/think.ts';
import { answerTokens, cpuGreedy, openApp, openLocalModel, promptTokens, sendAndWait, testModel } from './helpers.ts';

const model = testModel({ arch: 'qwen3moe', seed: 1, chat: 'think' });

test('Qwen3 <think>: the answer shown, the reasoning collapsed, also after a reload', async ({ page }) => {
  await openApp(page, { temperature: 0, maxTokens: 24 });
  await openLocalModel(page, model.path);
  await sendAndWait(page, 'Hello');
  const answer = page.getByRole('article', { name: 'Answer' });
  // Greedy tokens of the CPU reference up to <|im_end|>, which ends generation.
  const prompt = promptTokens(model.bytes, [{ role: 'user', content: 'Hello' }]);
  expect(answerTokens(await answer.getAttribute('data-tokens'))).toEqual(cpuGreedy(model.bytes, prompt, thinkScript.tokens).slice(0, -1));

  const check = async (): Promise<void> => {
    const bubble = answer.locator('.bubble');
    await expect(bubble).toContainText(thinkScript.answer);
    await expect(bubble).not.toContainText('think>');
    const reasoning = answer.getByTestId('reasoning');
    await expect(reasoning).toHaveJSProperty('open', false);
    await expect(reasoning.getByText(thinkScript.reasoning)).toBeHidden();
    await reasoning.locator('summary').click();
    await expect(reasoning.getByText(thinkScript.reasoning)).toBeVisible();
  };
  await check();
  // Stored apart: the conversation re-rendered from IndexedDB shows the same.
  await page.reload();
  await expect(answer).toHaveAttribute('data-status', 'done', { timeout: 30_000 });
  await check();
});
