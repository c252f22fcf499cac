import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { browserAppAndServer, chooseOpenAI, exportJsonl } from './support';

/**
 * Storage that stays: persistence asked for at the first import and the
 * usage shown; warnings before an import or a run that may not fit; a dataset
 * deleted with its count said, and brought back by Undo; everything backed up
 * to a file, deleted for good, and restored with the same rows and results.
 */
const env = browserAppAndServer();

const ROWS = 12;

function promptsCsv(rows = ROWS) {
  const lines = [
    'id,instruction',
    ...Array.from({ length: rows }, (_, i) => `row-${i},prompt ${i}`),
  ];
  return { name: 'prompts.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) };
}

async function importPrompts(page: Page) {
  await page.getByLabel('Import dataset').setInputFiles(promptsCsv());
  await page.getByText(`${ROWS} rows · columns: id, instruction`).waitFor();
}

/** Records in each table of the app's database, read in the page. */
function storedCounts(page: Page): Promise<Record<string, number>> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('retort');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tables = [...db.objectStoreNames];
          const transaction = db.transaction(tables);
          const counts: Record<string, number> = {};
          for (const table of tables) {
            const request = transaction.objectStore(table).count();
            request.onsuccess = () => {
              counts[table] = request.result;
            };
          }
          transaction.oncomplete = () => {
            db.close();
            resolve(counts);
          };
        };
      }),
  );
}

/** Counts the page's calls of navigator.storage.persist(), before the app loads. */
async function countPersistCalls(page: Page) {
  await page.addInitScript(() => {
    const persist = StorageManager.prototype.persist;
    const counted = window as unknown as { persistCalls: number };
    counted.persistCalls = 0;
    StorageManager.prototype.persist = function () {
      counted.persistCalls++;
      return persist.call(this);
    };
  });
}

test('persistence is asked for once, at the first import, and usage and quota are shown', async () => {
  const page = await env.freshPage();
  await countPersistCalls(page);
  await page.reload();
  const usage = page.getByText(/^Stored in this browser: .+, with .+ more available/);
  await usage.waitFor();
  const persistCalls = () =>
    page.evaluate(() => (window as unknown as { persistCalls: number }).persistCalls);
  expect(await persistCalls()).toBe(0);

  await importPrompts(page);
  await expect.poll(persistCalls).toBe(1);
  const persisted = await page.evaluate(() => navigator.storage.persisted());
  await usage
    .filter({ hasText: persisted ? 'kept until you delete it' : 'not kept for sure' })
    .waitFor();
  if (!persisted) {
    await page.getByText('This browser did not agree to keep Retort’s data').waitFor();
    await page.getByRole('button', { name: 'Ask again' }).waitFor();
  }

  // Once per browser: a second import, or a reload, does not ask again.
  await page.reload();
  await importPrompts(page);
  await page.waitForTimeout(500);
  expect(await persistCalls()).toBe(0);
});

test('an import and a run that may not fit are warned of first', async () => {
  const page = await env.freshPage();
  // The browser leaves 100 bytes: less than any import or run needs.
  await page.addInitScript(() => {
    const estimate = StorageManager.prototype.estimate;
    StorageManager.prototype.estimate = async function () {
      const real = await estimate.call(this);
      return { ...real, quota: (real.usage ?? 0) + 100 };
    };
  });
  await page.reload();

  await page.getByLabel('Import dataset').setInputFiles(promptsCsv());
  const warning = page.getByRole('alert').filter({ hasText: '“prompts.csv”' });
  await warning.filter({ hasText: 'may need about' }).waitFor();
  await warning.getByText('this browser has 1 KB left for Retort').waitFor();
  await page.getByRole('button', { name: 'Don’t import' }).click();
  await warning.waitFor({ state: 'detached' });
  expect((await storedCounts(page)).datasets).toBe(0);

  await page.getByLabel('Import dataset').setInputFiles(promptsCsv());
  await page.getByRole('button', { name: 'Import anyway' }).click();
  await page.getByText(`${ROWS} rows · columns: id, instruction`).waitFor();
  await page
    .getByRole('alert')
    .filter({ hasText: 'This run’s results may need up to' })
    .filter({ hasText: `${ROWS} generations of up to` })
    .waitFor();
});

test('delete says what goes and Undo brings it back; a backup restores the same rows and results', async () => {
  const page = await env.freshPage();
  await importPrompts(page);
  await chooseOpenAI(page, env.server.url, 'test-model');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const status = page.getByRole('status', { name: 'Run status' });
  await expect.poll(() => status.textContent(), { timeout: 30_000 }).toMatch(/completed/i);
  // A judgement, to be carried through: row 1 rated good.
  await page.getByRole('grid', { name: 'Rows' }).locator('[role=row][aria-rowindex="1"]').click();
  const details = page.getByRole('dialog', { name: 'Row details' });
  const good = details.getByRole('button', { name: 'Good' });
  await good.click();
  await expect.poll(() => good.getAttribute('aria-pressed')).toBe('true');
  await details.getByRole('button', { name: 'Close' }).click();
  const rows = await exportJsonl(page);
  expect(rows).toHaveLength(ROWS);
  expect(rows[0].rating).toBe('good');
  const counts = await storedCounts(page);

  // Delete, then Undo: everything back as it was.
  await page.getByRole('button', { name: 'Delete dataset' }).click();
  await page
    .getByText(`Delete “prompts”: ${ROWS} rows and 1 run, with their results and judgements?`)
    .waitFor();
  await page.getByRole('button', { name: 'Yes, delete it' }).click();
  await page.getByText(`Deleted “prompts”: ${ROWS} rows and 1 run.`).waitFor();
  expect((await storedCounts(page)).datasets).toBe(0);
  await page.getByRole('button', { name: 'Undo deleting “prompts”' }).click();
  await page.getByText(`${ROWS} rows · columns: id, instruction`).waitFor();
  expect(await storedCounts(page)).toEqual(counts);
  await expect.poll(() => exportJsonl(page)).toEqual(rows);

  // Back up everything.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Back up everything' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^retort-backup-\d{4}-\d{2}-\d{2}\.jsonl$/);
  const backup = await readFile((await download.path())!);
  expect(JSON.parse(backup.toString('utf8').split('\n')[0])).toMatchObject({ retort: 'backup' });

  // Deleted for good once Undo is gone: no page of it is left.
  await page.getByRole('button', { name: 'Delete dataset' }).click();
  await page.getByRole('button', { name: 'Yes, delete it' }).click();
  const undo = page.getByRole('button', { name: 'Undo deleting “prompts”' });
  await undo.waitFor();
  await undo.waitFor({ state: 'detached', timeout: 15_000 });
  await expect
    .poll(() => storedCounts(page), { timeout: 15_000 })
    .toEqual({ datasets: 0, rowPages: 0, runs: 0, resultPages: 0, resultMeta: 0 });

  // Restored: the same rows, results and judgement, also after a reload.
  await page
    .getByLabel('Restore from backup')
    .setInputFiles({ name: 'backup.jsonl', mimeType: 'application/x-ndjson', buffer: backup });
  await page.getByText('Restored 1 dataset and 1 run from backup.jsonl.').waitFor();
  await page.getByText(`${ROWS} rows · columns: id, instruction`).waitFor();
  expect(await storedCounts(page)).toEqual(counts);
  await expect.poll(() => status.textContent()).toMatch(/completed/i);
  expect(await exportJsonl(page)).toEqual(rows);
  await page.reload();
  expect(await exportJsonl(page)).toEqual(rows);
});
