// DeepSeek-V2-Lite end to end: the catalog entry downloads from the local Hub double (served as
// a small generated deepseek2 model: MLA with split attn_k_b/attn_v_b, a dense first layer,
// shared experts, YaRN), loads on WebGPU in the worker, and answers with the CPU reference's
// greedy tokens.

import { expect, test } from '@playwright/test';
import { startHubDouble, type HubDouble } from '../test/helpers/hubDouble.ts';
import { answerTokens, cpuGreedy, downloadCard, openApp, promptTokens, sendAndWait, testModel } from './helpers.ts';

const entry = {
  id: 'deepseek-v2-lite-chat-q4_k_m',
  name: 'DeepSeek-V2-Lite Chat Q4_K_M',
  repo: 'mradermacher/DeepSeek-V2-Lite-Chat-GGUF',
  file: 'DeepSeek-V2-Lite-Chat.Q4_K_M.gguf',
};
const model = testModel({
  arch: 'deepseek2',
  seed: 1,
  nLayer: 3,
  deepseek2: { splitKvB: true, qLoraRank: 0, yarnLogMul: 0.0707 },
  ropeScaling: { type: 'yarn', factor: 4, originalContext: 16 },
});

let hub: HubDouble;
test.beforeAll(async () => {
  hub = await startHubDouble();
});
test.afterAll(async () => {
  await hub.close().catch(() => {});
});

test('DeepSeek-V2-Lite downloads from the Hub, loads and chats with the CPU reference tokens', async ({ page }) => {
  test.setTimeout(120_000);
  hub.setFile(entry.repo, entry.file, model.bytes);
  await openApp(page, { temperature: 0, maxTokens: 8 }, `?hub=${encodeURIComponent(hub.baseUrl)}`);
  await page.getByRole('button', { name: 'Models', exact: true }).click();
  const card = page.getByRole('listitem', { name: entry.name });
  await expect(card).toContainText('deepseek2');
  await expect(card).not.toContainText('not supported yet');

  await downloadCard(page, entry.name, { load: true });

  await sendAndWait(page, 'Hello');
  const tokens = answerTokens(await page.getByRole('article', { name: 'Answer' }).getAttribute('data-tokens'));
  expect(tokens).toHaveLength(8);
  expect(tokens).toEqual(cpuGreedy(model.bytes, promptTokens(model.bytes, [{ role: 'user', content: 'Hello' }]), 8));

  // The engine's memory stats: 3 layers × (kv_lora_rank 64 + rope 16) f32 per token, not 4 heads × (48 + 32).
  await page.getByRole('button', { name: 'Insights', exact: true }).click();
  await expect(page.locator('.stat').filter({ hasText: 'KV cache' })).toContainText('960 B per token');

  // A second turn continues on the same latent KV cache.
  await sendAndWait(page, 'And then?');
  const second = answerTokens(await page.getByRole('article', { name: 'Answer' }).last().getAttribute('data-tokens'));
  expect(second).toHaveLength(8);
});
