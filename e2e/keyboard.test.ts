import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '../tests/server/openaiServer';
import { chooseOpenAI, launchChromium, serveApp } from './support';

/** A first visit driven from the keyboard: the sample file, then Run, Pause and Resume. */
let browser: Browser;
let app: Awaited<ReturnType<typeof serveApp>>;
let server: TestServer;

beforeAll(async () => {
  [browser, app, server] = await Promise.all([
    launchChromium(),
    serveApp(),
    startTestServer({ latencyMs: 1500 }),
  ]);
});

afterAll(async () => {
  await Promise.all([browser?.close(), app?.close(), server?.close()]);
});

const focused = (page: Page) => page.evaluate(() => document.activeElement?.textContent ?? '');

test('a newcomer tries the sample file, and the keyboard focus follows Run, Pause and Resume', async () => {
  const page = await (await browser.newContext()).newPage();
  await page.goto(app.url);
  const run = page.getByRole('button', { name: 'Run', exact: true });
  // Before any data, Run says what it needs.
  expect(await run.isDisabled()).toBe(true);
  expect(await run.getAttribute('aria-describedby')).toBe('run-needs-data');
  await page.getByText('Import a dataset under Data (step 1) to run.').waitFor();

  await page.getByRole('button', { name: 'Try the sample file' }).press('Enter');
  await page.getByText('5 rows · columns: instruction').waitFor();
  expect(await page.getByRole('combobox', { name: 'Dataset' }).inputValue()).not.toBe('');

  await chooseOpenAI(page, server.url, 'test-model');
  await page.getByRole('spinbutton', { name: 'Concurrency' }).fill('1');

  const status = page.getByRole('status', { name: 'Run status' });
  await run.press('Enter');
  await status.filter({ hasText: 'Running' }).waitFor();
  await expect.poll(() => focused(page)).toBe('Pause');

  await page.keyboard.press('Enter');
  await status.filter({ hasText: 'Paused' }).waitFor();
  await expect.poll(() => focused(page)).toBe('Resume');

  await page.keyboard.press('Enter');
  await status.filter({ hasText: 'Completed' }).waitFor({ timeout: 30_000 });
  await expect.poll(() => focused(page)).toBe('Run');
  const bar = page.getByRole('progressbar', { name: 'Run progress' });
  expect(await bar.getAttribute('aria-valuetext')).toBe('5 of 5 generations');
  await page.context().close();
});
