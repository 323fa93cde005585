// Qwen3.5 35B-A3B end to end: the catalog entry downloads from the local Hub double (served as a
// small generated qwen35moe model: Gated DeltaNet layers, gated attention, a shared expert and a
// NextN block), loads on WebGPU in the worker and answers with the CPU reference's greedy tokens;
// Insights shows its DeltaNet state beside the KV cache; the second turn, which starts from the
// state kept at the end of the first prompt, answers as the CPU reference does on the whole
// conversation.

import { expect, test } from '@playwright/test';
import { startHubDouble, type HubDouble } from '../test/helpers/hubDouble.ts';
import { parseGguf } from '../workers/engine/gguf/reader.ts';
import { tokenizerFromGguf } from '../workers/engine/tokenizer/index.ts';
import { answerTokens, cpuGreedy, downloadCard, openApp, promptTokens, sendAndWait, testModel } from './helpers.ts';

const entry = {
  name: 'Qwen3.5 35B-A3B Q4_K_M',
  repo: 'unsloth/Qwen3.5-35B-A3B-GGUF',
  file: 'Qwen3.5-35B-A3B-Q4_K_M.gguf',
};
const model = testModel({ arch: 'qwen35moe', seed: 1, nLayer: 3 });

let hub: HubDouble;
test.beforeAll(async () => {
  hub = await startHubDouble();
});
test.afterAll(async () => {
  await hub.close().catch(() => {});
});

test('Qwen3.5-MoE downloads from the Hub, loads and chats over two turns with the CPU reference tokens', async ({ page }) => {
  test.setTimeout(120_000);
  hub.setFile(entry.repo, entry.file, model.bytes);
  await openApp(page, { temperature: 0, maxTokens: 8 }, `?hub=${encodeURIComponent(hub.baseUrl)}`);
  await page.getByRole('button', { name: 'Models', exact: true }).click();
  const card = page.getByRole('listitem', { name: entry.name });
  await expect(card).toContainText('qwen35moe');
  await expect(card).not.toContainText('not supported yet');

  await downloadCard(page, entry.name, { load: true });

  const first = [{ role: 'user' as const, content: 'Hello' }];
  await sendAndWait(page, 'Hello');
  const tokens = answerTokens(await page.getByRole('article', { name: 'Answer' }).getAttribute('data-tokens'));
  expect(tokens).toEqual(cpuGreedy(model.bytes, promptTokens(model.bytes, first), 8));

  await page.getByRole('button', { name: 'Insights', exact: true }).click();
  await expect(page.locator('.stat').filter({ hasText: 'DeltaNet state' })).toContainText('with rollback copies');

  const answer = tokenizerFromGguf(parseGguf(model.bytes)).decode(tokens);
  const both = [...first, { role: 'assistant' as const, content: answer }, { role: 'user' as const, content: 'And then?' }];
  await sendAndWait(page, 'And then?');
  const second = answerTokens(await page.getByRole('article', { name: 'Answer' }).last().getAttribute('data-tokens'));
  expect(second).toEqual(cpuGreedy(model.bytes, promptTokens(model.bytes, both), 8));
});
