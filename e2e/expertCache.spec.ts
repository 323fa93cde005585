// Paged experts in the browser: with Settings → GPU memory for experts at 10% and 25% of a
// model's routed experts (3 and 8 of 32 per layer), every architecture's greedy answer in the app
// equals the CPU reference's tokens, and Insights shows the cache at work.

import { expect, test } from '@playwright/test';
import { generatorArchs } from '../scripts/model-gen/generate.ts';
import { parseGguf } from '../workers/engine/gguf/reader.ts';
import { answerTokens, cpuGreedy, openApp, openLocalModel, promptTokens, sendAndWait, testModel } from './helpers.ts';

test("every architecture with 3 or 8 of 32 experts per layer on the GPU answers with the CPU reference's tokens", async ({ page }) => {
  test.setTimeout(180_000);
  // One page for all: the engine worker compiles its kernels once for the models it loads.
  await openApp(page, { temperature: 0, maxTokens: 10 });
  for (const arch of generatorArchs) {
    const nLayer = arch === 'deepseek2' || arch === 'glm4moe' ? 3 : 2;
    const model = testModel({ arch, seed: 11, nExpert: 32, nExpertUsed: 2, nLayer, nHeadKv: arch === 'olmoe' ? 4 : 2 });
    // Every routed expert the GPU keeps: glm4moe's MTP block's are paged with the trunk's.
    const expertBytes = parseGguf(model.bytes)
      .tensors.filter((t) => /_exps\.weight$/.test(t.name))
      .reduce((n, t) => n + t.byteLength, 0);
    const prompt = promptTokens(model.bytes, [{ role: 'user', content: 'Hello there' }]);
    for (const [share, slots] of [
      [0.1, 3],
      [0.25, 8],
    ] as const) {
      const what = `${arch} at ${share}`;
      await page.getByRole('button', { name: 'Settings', exact: true }).click();
      await page.getByLabel('GPU memory for experts (MiB)').fill(String((share * expertBytes) / 2 ** 20));
      await page.keyboard.press('Escape');
      await openLocalModel(page, model.path);
      // The previous model shows as loaded until this one replaces it: wait for this one.
      await expect(page.getByTestId('model-status'), what).toContainText(arch, { timeout: 60_000 });
      await page.getByRole('button', { name: 'Insights', exact: true }).click();
      await expect(page.getByText(`${slots} of 32 per layer`), what).toBeVisible({ timeout: 60_000 });
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: 'New chat' }).click();
      await sendAndWait(page, 'Hello there');
      const tokens = answerTokens(await page.getByRole('article', { name: 'Answer' }).last().getAttribute('data-tokens'));
      expect(tokens.length, what).toBeGreaterThan(0);
      expect(tokens, what).toEqual(cpuGreedy(model.bytes, prompt, tokens.length));
      await page.getByRole('button', { name: 'Insights', exact: true }).click();
      await expect(page.getByTestId('answer-stats'), what).toContainText('Expert cache hits');
      await expect(page.getByTestId('answer-stats'), what).toContainText('Experts loaded per token');
      await page.keyboard.press('Escape');
    }
  }
});
