import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { browserAppAndServer, chooseOpenAI, exportJsonl } from './support';

/**
 * Two things the engine now tells apart or stops: answers cut at Max new
 * tokens (not unreadable ones), and a long import the person cancels.
 */
const env = browserAppAndServer();

const csv = (name: string, text: string) => ({
  name,
  mimeType: 'text/csv',
  buffer: Buffer.from(text, 'utf8'),
});

/** Records in one of the app's IndexedDB stores. */
function countStored(page: Page, store: string): Promise<number> {
  return page.evaluate(
    (name) =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('retort');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const request = open.result.transaction(name).objectStore(name).count();
          request.onsuccess = () => {
            open.result.close();
            resolve(request.result);
          };
          request.onerror = () => reject(request.error);
        };
      }),
    store,
  );
}

test('answers cut at max tokens are shown and exported as cut, not as unreadable', async () => {
  const page = await env.freshPage();
  await page
    .getByLabel('Import dataset')
    .setInputFiles(csv('questions.csv', 'instruction\nWhy is the sky blue?\nName a prime.\n'));
  await page.getByText('2 rows · columns: instruction').waitFor();
  await chooseOpenAI(page, env.server.url, 'test-model');
  // The loopback server counts words as tokens: its echo answers are longer than 4.
  await page.getByRole('spinbutton', { name: 'Max new tokens' }).fill('4');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page
    .getByRole('status', { name: 'Run status' })
    .filter({ hasText: /completed/i })
    .waitFor();
  await page.getByText('0 unreadable answers · 2 cut at max tokens').waitFor();
  await page
    .getByText(/2 answers were cut short at Max new tokens \(4\): raise Max new tokens/)
    .waitFor();

  const rows = await exportJsonl(page);
  expect(rows.map((r) => r.generation)).toEqual([
    '[test-model] echo: Why is',
    '[test-model] echo: Name a',
  ]);
  for (const { distilabel_metadata } of rows)
    expect(distilabel_metadata).toMatchObject({ finish_reason_text_generation: 'length' });
  await page.context().close();
});

test('a long import can be cancelled, and leaves no dataset behind', async () => {
  const page = await env.freshPage();
  const lines = ['instruction,topic'];
  for (let i = 0; i < 600_000; i++) lines.push(`Write about topic ${i},t${i}`);
  await page.getByLabel('Import dataset').setInputFiles(csv('big.csv', lines.join('\n')));
  const cancel = page.getByRole('button', { name: 'Cancel import' });
  await cancel.click();
  await page
    .getByRole('status')
    .filter({ hasText: 'Import of big.csv cancelled: nothing was stored.' })
    .waitFor();
  await expect.poll(() => countStored(page, 'rowPages')).toBe(0);
  expect(await countStored(page, 'datasets')).toBe(0);
  expect(await page.getByRole('alert').count()).toBe(0);
  // The page is ready for the next file.
  await page.getByLabel('Import dataset').setInputFiles(csv('small.csv', 'instruction\nHi\n'));
  await page.getByText('1 row · columns: instruction').waitFor();
  await page.context().close();
});
