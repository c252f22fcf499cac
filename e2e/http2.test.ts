import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { localhostCertificate } from '../tests/server/certificate';
import { startTestServer, type TestServer } from '../tests/server/openaiServer';
import { chooseOpenAI, importPrompts, launchChromium, serveApp } from './support';

/**
 * Concurrency on the wire. Over HTTPS the browser speaks HTTP/2 and sends a
 * whole window of 64 requests at once; to a plain http:// server it keeps at
 * most 6 connections, so the same window puts 6 in flight. The loopback
 * server counts the requests it holds; its certificate is made by the test.
 */
const LATENCY_MS = 300;

let browser: Browser;
let app: Awaited<ReturnType<typeof serveApp>>;
let secure: TestServer;
let plain: TestServer;

beforeAll(async () => {
  const tls = await localhostCertificate();
  [browser, app, secure, plain] = await Promise.all([
    launchChromium({ args: ['--ignore-certificate-errors'] }),
    serveApp(),
    startTestServer({ tls, latencyMs: LATENCY_MS }),
    startTestServer({ latencyMs: LATENCY_MS }),
  ]);
});
afterAll(async () => {
  await Promise.all([browser?.close(), app?.close(), secure?.close(), plain?.close()]);
});

/** A fresh page with `rows` prompts, the server chosen, and a Concurrency of 64. */
async function prepare(server: TestServer, rows: number): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(app.url);
  await importPrompts(page, rows);
  await chooseOpenAI(page, server.url, 'test-model');
  await page.getByRole('spinbutton', { name: 'Concurrency' }).fill('64');
  return page;
}

async function runToCompletion(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const status = page.getByRole('status', { name: 'Run status' });
  await expect.poll(() => status.textContent(), { timeout: 60_000 }).toBe('Completed');
}

test('over HTTPS with HTTP/2, a window of 64 puts 64 requests in flight', async () => {
  const page = await prepare(secure, 256);
  secure.setOptions({}); // the peak counts from here
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  // The page tells the window while the requests are out (its count moves as answers land).
  await page.getByText(/ · \d+ in flight \(window 64\)/).waitFor({ timeout: 30_000 });
  const status = page.getByRole('status', { name: 'Run status' });
  await expect.poll(() => status.textContent(), { timeout: 60_000 }).toBe('Completed');
  expect(secure.inFlight().peak).toBe(64);
  await page.context().close();
});

test('to a plain http:// server the same window puts only 6 in flight', async () => {
  const page = await prepare(plain, 48);
  plain.setOptions({});
  await runToCompletion(page);
  expect(plain.inFlight().peak).toBe(6);
  await page.context().close();
});
