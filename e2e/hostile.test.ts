import Papa from 'papaparse';
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { browserAppAndServer, chooseOpenAI, downloadText, exportJsonl } from './support';

/**
 * Rows are plain data: columns named like Object's own members import, show,
 * survive a reload and export exactly; and a stored dataset the page cannot
 * draw never locks the app.
 */
const env = browserAppAndServer();

/** The second row has no `constructor`: it must read as empty, never as Object's constructor. */
const PROTO_JSONL = [
  '{"instruction": "Say hi", "__proto__": "p0", "constructor": "c0", "prototype": "x0"}',
  '{"instruction": "Say bye", "__proto__": "p1", "prototype": "x1"}',
].join('\n');

const previewCells = (page: Page) =>
  page
    .getByRole('table', { name: /First rows of/ })
    .locator('tbody tr')
    .evaluateAll((rows) =>
      rows.map((row) => Array.from(row.querySelectorAll('td'), (td) => td.textContent)),
    );

test('a dataset with __proto__, constructor and prototype columns imports, shows, reloads and exports exactly', async () => {
  const page = await env.freshPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.getByLabel('Import dataset').setInputFiles({
    name: 'prototypes.jsonl',
    mimeType: 'application/jsonl',
    buffer: Buffer.from(PROTO_JSONL),
  });
  await page
    .getByText('2 rows · columns: instruction, __proto__, constructor, prototype')
    .waitFor();
  const expected = [
    ['Say hi', 'p0', 'c0', 'x0'],
    ['Say bye', 'p1', '', 'x1'],
  ];
  expect(await previewCells(page)).toEqual(expected);

  await page.reload();
  await page
    .getByText('2 rows · columns: instruction, __proto__, constructor, prototype')
    .waitFor();
  expect(await previewCells(page)).toEqual(expected);

  await chooseOpenAI(page, env.server.url, 'test-model');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const status = page.getByRole('status', { name: 'Run status' });
  await expect.poll(() => status.textContent(), { timeout: 30_000 }).toMatch(/completed/i);

  const csv = Papa.parse<string[]>((await downloadText(page, 'Export CSV')).trim()).data;
  expect(csv[0].slice(0, 5)).toEqual([
    'instruction',
    '__proto__',
    'constructor',
    'prototype',
    'generation',
  ]);
  expect(csv.slice(1).map((cells) => cells.slice(0, 4))).toEqual(expected);

  const jsonl = await exportJsonl(page);
  // JSON.parse keeps `__proto__` as an own key, as the file has it.
  expect(jsonl.map((row) => Object.entries(row).slice(0, 4))).toEqual([
    [
      ['instruction', 'Say hi'],
      ['__proto__', 'p0'],
      ['constructor', 'c0'],
      ['prototype', 'x0'],
    ],
    [
      ['instruction', 'Say bye'],
      ['__proto__', 'p1'],
      ['constructor', null],
      ['prototype', 'x1'],
    ],
  ]);
  expect(errors).toEqual([]);
});

/** Stores a dataset the page cannot draw (its columns are not a list), as damaged storage could. */
async function storeBrokenDataset(page: Page) {
  await page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('retort');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction(['datasets', 'rowPages'], 'readwrite');
          tx.objectStore('datasets').put({
            id: 'broken',
            name: 'damaged',
            columns: 'not a list',
            rowCount: 1,
            source: 'damaged.csv',
            created: Date.now(),
          });
          tx.objectStore('rowPages').put({ datasetId: 'broken', page: 0, rows: [{ a: 1 }] });
          tx.oncomplete = () => {
            open.result.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
  );
}

test('a stored dataset that cannot be shown is reported in its step and never locks the app', async () => {
  const page = await env.freshPage();
  await page.getByRole('button', { name: 'Try the sample file' }).click();
  await page.getByText(/5 rows · columns/).waitFor();
  await storeBrokenDataset(page);
  await page.reload();

  const datasets = page.getByRole('combobox', { name: 'Dataset' });
  await datasets.selectOption({ label: 'damaged (1 row)' });
  const alert = page.getByRole('alert').filter({ hasText: 'The Data step could not be shown' });
  await alert.waitFor();
  await expect.poll(() => alert.textContent()).toContain('for the dataset "damaged"');
  // The other steps still answer.
  await page.getByRole('heading', { name: 'Model' }).waitFor();

  // A reload does not open on the damaged dataset again.
  await page.reload();
  await expect.poll(() => datasets.inputValue()).toBe('');

  await datasets.selectOption({ label: 'damaged (1 row)' });
  await alert.waitFor();
  await alert.getByRole('button', { name: 'Delete dataset' }).click();
  await alert.getByRole('button', { name: 'Yes, delete it' }).click();
  await expect
    .poll(() => datasets.locator('option').allTextContents())
    .toEqual(['Choose a dataset…', 'sample-instructions (5 rows)']);
  await datasets.selectOption({ label: 'sample-instructions (5 rows)' });
  await page.getByText(/5 rows · columns/).waitFor();
});
