// Shared by the e2e specs: generated test models, the Node-side reference (prompt tokens as
// the engine's ChatSession renders them, greedy tokens from the CPU reference model), and
// page setup.

import { expect, type Page } from '@playwright/test';
import { cpuGreedy as cpuGreedyRun } from '../test/helpers/testModels.ts';
import { chatPromptTokens, chatTemplateOf } from '../workers/engine/chat/chatPrompt.ts';
import { parseGguf } from '../workers/engine/gguf/reader.ts';
import type { ChatMessage } from '../workers/engine/template/chatTemplate.ts';
import { tokenizerFromGguf } from '../workers/engine/tokenizer/index.ts';

/** A generated model, written once under .cache/models (deterministic by spec). */
export { testModel } from '../test/helpers/testModels.ts';

/** The prompt tokens ChatSession.promptTokens gives for `messages`. */
export function promptTokens(bytes: Uint8Array, messages: readonly ChatMessage[]): number[] {
  const file = parseGguf(bytes);
  return chatPromptTokens(tokenizerFromGguf(file), chatTemplateOf(file), messages);
}

/** Greedy tokens of the CPU reference model (the engine's ground truth). */
export function cpuGreedy(bytes: Uint8Array, prompt: readonly number[], n: number): number[] {
  return cpuGreedyRun(bytes, prompt, n).tokens;
}

export interface TestSettings {
  temperature?: number;
  maxTokens?: number;
  alwaysRecordRouting?: boolean;
  speculative?: boolean;
  expertCacheMiB?: number;
}

/**
 * Opens the app with settings already stored (the Settings panel has its own test). Unless
 * `firstVisit`, the visit is not the first, so the bundled demo model does not load by itself.
 */
export async function openApp(page: Page, settings: TestSettings = {}, query = '', { firstVisit = false } = {}): Promise<void> {
  await page.addInitScript(
    ([s, first]) => {
      if (!localStorage.getItem('pakar.settings')) localStorage.setItem('pakar.settings', JSON.stringify(s));
      if (!first) localStorage.setItem('pakar.demoOffered', '1');
    },
    [{ temperature: 0, maxTokens: 8, ...settings }, firstVisit] as const,
  );
  await page.goto(`/${query}`);
  await expect(page).toHaveTitle('Pakar');
}

/**
 * Downloads a model card of the open Models panel (`name` is its label) and waits until it is
 * stored; with `load`, also loads it and closes the panel.
 */
export async function downloadCard(page: Page, name: string, { load = false } = {}): Promise<void> {
  const card = page.getByRole('listitem', { name });
  await card.getByRole('button', { name: `Download ${name}` }).click();
  await expect(card).toHaveAttribute('data-state', 'stored', { timeout: 60_000 });
  if (!load) return;
  await card.getByRole('button', { name: `Load ${name}` }).click();
  await expect(card).toHaveAttribute('data-state', 'loaded', { timeout: 60_000 });
  await page.keyboard.press('Escape');
}

/** Loads a local .gguf straight onto the GPU through the Models panel, then closes it. */
export async function openLocalModel(page: Page, file: string): Promise<void> {
  await page.getByRole('button', { name: 'Models', exact: true }).click();
  await page.getByLabel('Open a local .gguf file').setInputFiles(file);
  await expect(page.getByTestId('loaded-model')).toBeVisible({ timeout: 60_000 });
  await page.keyboard.press('Escape');
}

/** Sends a message with the keyboard and waits for the answer to finish. */
export async function sendAndWait(page: Page, text: string, status = 'done'): Promise<void> {
  const answers = page.getByRole('article', { name: 'Answer' });
  // Wait for the new answer itself: until it appears, the last one is the previous, already done.
  const before = await answers.count();
  const box = page.getByLabel('Message', { exact: true });
  await box.fill(text);
  await box.press('Enter');
  await expect(answers).toHaveCount(before + 1, { timeout: 60_000 });
  await expect(answers.last()).toHaveAttribute('data-status', status, { timeout: 60_000 });
}

export function answerTokens(value: string | null): number[] {
  return value ? value.split(',').map(Number) : [];
}
