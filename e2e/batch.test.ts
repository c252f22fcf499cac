import { afterAll, beforeAll, expect, test } from 'vitest';
import { type BatchServer, startBatchServer } from '../tests/server/batchServer';
import {
  browserAppAndServer,
  chooseOpenAI,
  exportJsonl,
  importPrompts,
  storedRuns,
} from './support';

/**
 * Batch mode in the browser, against the loopback fake of the Files and
 * Batches endpoints: the page closed after submission collects on its return;
 * Cancel reaches the provider.
 */
const env = browserAppAndServer();
let batches: BatchServer;
beforeAll(async () => {
  batches = await startBatchServer();
});
afterAll(() => batches.close());

const ROWS = 30;
/** A fresh page with the rows imported, set to send them to the fake's Batch API. */
async function batchPage() {
  const page = await env.freshPage();
  await importPrompts(page, ROWS);
  await chooseOpenAI(page, batches.url, 'test-model');
  await page.getByRole('combobox', { name: 'Mode', exact: true }).selectOption('batch');
  const next = `batch_${batches.batches.length + 1}`;
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.getByText(`Batch ${next}: 0 of ${ROWS} done`).waitFor();
  return page;
}

test('a page reloaded after submission polls the stored batch and collects every row once', async () => {
  batches.setOptions({ hold: true });
  const page = await batchPage();
  await page.getByText(/polling every 30 s/).waitFor();

  batches.setOptions({ hold: false }); // the provider finishes while the tab is away
  await page.reload();
  await expect
    .poll(() => storedRuns(page), { timeout: 30_000 })
    .toEqual({ count: 1, latest: 'completed' });
  expect(batches.requests.filter((r) => r.path === '/v1/files')).toHaveLength(1);
  const rows = await exportJsonl(page);
  expect(rows.map((row) => row.instruction).sort()).toEqual(
    Array.from({ length: ROWS }, (_, i) => `prompt ${i}`).sort(),
  );
  expect(rows[0].generation).toBe(`[test-model] echo: ${rows[0].instruction}`);
  await page.context().close();
});

test('Cancel cancels the batch at the provider', async () => {
  batches.setOptions({ hold: true });
  const page = await batchPage();
  page.once('dialog', (dialog) => dialog.accept());
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await page.getByRole('status', { name: 'Run status' }).filter({ hasText: 'Cancelled' }).waitFor();
  await expect.poll(() => batches.batches.at(-1)?.cancelRequested).toBe(true);
  await page.context().close();
});
