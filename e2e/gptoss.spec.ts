// gpt-oss end to end: the catalog's gpt-oss entry downloads from the Hub double (a small
// generated gpt-oss model with MXFP4 experts, harmony vocabulary and gpt-oss's chat template),
// loads on WebGPU in the worker, and answers. Its scripted greedy answer (scripts/model-gen/
// harmony.ts) has an analysis message and a final one: the chat shows the final channel as the
// answer and the analysis collapsed as reasoning; the next turn's prompt carries the answer only.

import { expect, test } from '@playwright/test';
import { harmonyScript } from '../scripts/model-gen/harmony.ts';
import { startHubDouble, type HubDouble } from '../test/helpers/hubDouble.ts';
import { answerTokens, cpuGreedy, downloadCard, openApp, promptTokens, sendAndWait, testModel } from './helpers.ts';

const entry = { name: 'gpt-oss 20B MXFP4', repo: 'bartowski/openai_gpt-oss-20b-GGUF', file: 'openai_gpt-oss-20b-MXFP4.gguf' };
const model = testModel({
  arch: 'gpt-oss',
  seed: 1,
  chat: 'harmony',
  types: { embd: 'F32', attn: 'F32', router: 'F32', experts: 'MXFP4', shexp: 'F32', output: 'F32' },
});

let hub: HubDouble;
test.beforeAll(async () => {
  hub = await startHubDouble();
  hub.setFile(entry.repo, entry.file, model.bytes);
});
test.afterAll(async () => {
  await hub.close().catch(() => {});
});

test('download gpt-oss from the Hub, chat: final channel as the answer, analysis as collapsed reasoning', async ({ page }) => {
  test.setTimeout(150_000);
  await openApp(page, { temperature: 0, maxTokens: 32 }, `?hub=${encodeURIComponent(hub.baseUrl)}`);
  await page.getByRole('button', { name: 'Models', exact: true }).click();
  const card = page.getByRole('listitem', { name: entry.name });
  await expect(card).toContainText('gpt-oss');
  await expect(card).not.toContainText('not supported yet');
  await downloadCard(page, entry.name, { load: true });

  await sendAndWait(page, 'Hello');
  const answer = page.getByRole('article', { name: 'Answer' });
  // Greedy tokens of the CPU reference, up to its last one, <|return|>: it ends generation
  // (before maxTokens) and is not part of the answer.
  const prompt = promptTokens(model.bytes, [{ role: 'user', content: 'Hello' }]);
  const tokens = answerTokens(await answer.getAttribute('data-tokens'));
  expect(tokens).toEqual(cpuGreedy(model.bytes, prompt, harmonyScript.tokens).slice(0, -1));

  // The answer is the final channel; no harmony markup shows.
  const bubble = answer.locator('.bubble');
  await expect(bubble).toContainText(harmonyScript.answer);
  await expect(bubble).not.toContainText('<|');
  // The analysis channel is reasoning, collapsed until opened.
  const reasoning = answer.getByTestId('reasoning');
  await expect(reasoning).toHaveJSProperty('open', false);
  await expect(reasoning.locator('summary')).toHaveText('Reasoning');
  await expect(reasoning.getByText(harmonyScript.reasoning)).toBeHidden();
  await reasoning.locator('summary').click();
  await expect(reasoning.getByText(harmonyScript.reasoning)).toBeVisible();

  // The next turn's prompt holds the earlier answer's final text only (as gpt-oss's template expects).
  await sendAndWait(page, 'Again');
  await page.getByRole('button', { name: 'Insights', exact: true }).click();
  const history = [
    { role: 'user', content: 'Hello' },
    { role: 'assistant', content: harmonyScript.answer },
    { role: 'user', content: 'Again' },
  ] as const;
  await expect(page.getByTestId('answer-stats')).toHaveAttribute('data-prompt-tokens', String(promptTokens(model.bytes, [...history]).length));
});
