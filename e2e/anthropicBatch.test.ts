import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  type AnthropicBatchServer,
  startAnthropicBatchServer,
} from '../tests/server/anthropicBatchServer';
import {
  browserAppAndServer,
  chooseOpenAI,
  exportJsonl,
  importPrompts,
  storedRuns,
} from './support';

/**
 * Batch mode through Anthropic's Message Batches in the browser, against the
 * loopback fake (an address marked as Anthropic's): the page's requests carry
 * Anthropic's headers past CORS, a page reloaded after submission collects on
 * its return (with the key it remembered), and Cancel reaches the fake.
 */
const env = browserAppAndServer();
let anthropic: AnthropicBatchServer;
beforeAll(async () => {
  anthropic = await startAnthropicBatchServer();
});
afterAll(() => anthropic.close());

const ROWS = 30;
/** A fresh page with the rows imported, set to send them to the fake's Message Batches. */
async function anthropicPage() {
  const page = await env.freshPage();
  await importPrompts(page, ROWS);
  await chooseOpenAI(page, anthropic.url, 'test-model');
  await page.getByLabel('API key').fill('test-key');
  await page.getByLabel('Remember the key in this browser').check();
  await page.getByRole('combobox', { name: 'Mode', exact: true }).selectOption('batch');
  await page.getByLabel("Anthropic's Message Batches").check();
  const next = `msgbatch_${anthropic.batches.length + 1}`;
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.getByText(`Batch ${next}: 0 of ${ROWS} done`).waitFor();
  return page;
}

test('a page reloaded after submission polls the stored batch and collects every row once', async () => {
  anthropic.setOptions({ hold: true });
  const page = await anthropicPage();
  await page.getByText(/polling every 30 s/).waitFor();

  anthropic.setOptions({ hold: false });
  await page.reload();
  await expect
    .poll(() => storedRuns(page), { timeout: 30_000 })
    .toEqual({ count: 1, latest: 'completed' });
  const creations = anthropic.requests.filter(
    (r) => r.method === 'POST' && r.path === '/v1/messages/batches',
  );
  expect(creations).toHaveLength(1);
  const rows = await exportJsonl(page);
  expect(rows.map((row) => row.instruction).sort()).toEqual(
    Array.from({ length: ROWS }, (_, i) => `prompt ${i}`).sort(),
  );
  expect(rows[0].generation).toBe(`[test-model] echo: ${rows[0].instruction}`);
  await page.context().close();
});

test('Cancel cancels the batch at Anthropic', async () => {
  anthropic.setOptions({ hold: true });
  const page = await anthropicPage();
  page.once('dialog', (dialog) => dialog.accept());
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await page.getByRole('status', { name: 'Run status' }).filter({ hasText: 'Cancelled' }).waitFor();
  await expect.poll(() => anthropic.batches.at(-1)?.cancelRequested).toBe(true);
  await page.context().close();
});
