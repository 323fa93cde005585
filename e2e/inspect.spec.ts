import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';

// A real vocabulary-only GGUF (Qwen2 tokenizer), read in place from the shared fixtures.
const qwen2Vocab = path.resolve(import.meta.dirname, '../../shared/fixtures/vocab/ggml-vocab-qwen2.gguf');

// The inspector lives in the Models panel, folded away.
test.beforeEach(async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveTitle('Pakar');
  await page.getByRole('button', { name: 'Models', exact: true }).click();
  await page.getByText("GGUF inspector: read a file's header").click();
});

test('shows the header of a picked GGUF file', async ({ page }) => {
  await page.getByLabel('GGUF file', { exact: true }).setInputFiles(qwen2Vocab);

  const summary = page.getByRole('article', { name: 'GGUF summary' });
  // Reading the 5.9 MB vocabulary took 3–5.5 s on the 2-core test machine: more than the default 5 s under load.
  await expect(summary.getByTestId('fact-architecture')).toContainText('qwen2', { timeout: 30_000 });
  await expect(summary.getByTestId('fact-tensors')).toContainText('0');
  await expect(summary.getByTestId('fact-file-size')).toContainText('5,928,681 bytes');
  await expect(summary.getByTestId('fact-tokenizer')).toContainText('gpt2 · pre qwen2 · 151,936 tokens');
  await expect(summary.getByTestId('fact-chat-template')).toContainText('included');

  // The metadata table is collapsed until asked for.
  await expect(summary.getByRole('row', { name: /tokenizer\.ggml\.pre/ })).toBeHidden();
  await summary.getByText(/^Metadata \(\d+ keys\)$/).click();
  await expect(summary.getByRole('row', { name: /tokenizer\.ggml\.pre/ })).toContainText('qwen2');
  await expect(summary.getByRole('row', { name: /tokenizer\.ggml\.tokens/ })).toContainText('array of 151936 strings');
  await expect(summary.getByRole('row', { name: /general\.architecture/ })).toContainText('qwen2');
});

test('reports a truncated file with its error code', async ({ page }) => {
  const head = readFileSync(qwen2Vocab).subarray(0, 1000);
  await page.getByLabel('GGUF file', { exact: true }).setInputFiles({
    name: 'cut-short.gguf',
    mimeType: 'application/octet-stream',
    buffer: Buffer.from(head),
  });

  const alert = page.getByRole('alert');
  await expect(alert).toContainText('Could not read cut-short.gguf');
  await expect(alert.getByTestId('error-code')).toHaveText('truncated');
  await expect(page.getByRole('article', { name: 'GGUF summary' })).toHaveCount(0);
});

test('the engine worker gets a WebGPU adapter', async ({ page }) => {
  // Headless Chromium here renders WebGPU with SwiftShader; on a machine with a GPU it is that GPU.
  const gpu = page.getByRole('complementary', { name: 'WebGPU' });
  await expect(gpu).toHaveAttribute('data-state', 'available', { timeout: 30_000 });
  await expect(gpu.getByTestId('gpu-adapter')).not.toBeEmpty();
  console.log(`WebGPU adapter: ${await gpu.getByTestId('gpu-adapter').textContent()}`);
});
