// A browser without WebGPU: the app says so, names the browsers that have it, and the rest of
// the app (conversations) still works. Its own file: it needs a browser launched differently.

import { expect, test } from '@playwright/test';
import { openApp } from './helpers.ts';

test.use({
  launchOptions: {
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-features=WebGPU,WebGPUService', '--disable-gpu'],
  },
});

test('the app says which browsers have WebGPU', async ({ page }) => {
  await openApp(page);
  const alert = page.getByRole('alert').filter({ hasText: 'WebGPU' });
  await expect(alert).toContainText('Chrome and Edge 113+', { timeout: 30_000 });
  await expect(page.getByRole('button', { name: 'New chat' })).toBeEnabled();
});
