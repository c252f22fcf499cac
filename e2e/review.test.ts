import type { Locator, Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { browserAppAndServer, chooseOpenAI, exportJsonl } from './support';

/**
 * The review workspace on a 2,000-row run against the loopback server, some of
 * whose requests it refuses: every row reachable, filters and a regex search
 * that count exactly, a row in detail, two runs of two models, and the charts.
 */
const env = browserAppAndServer();

const ROWS = 2_000;
/** Rows whose request the server refuses with a 400 (nothing a retry can mend). */
const refused = (i: number) => i % 250 === 7;

const grid = (page: Page) => page.getByRole('grid', { name: 'Rows' });
const rowCount = async (page: Page) => Number(await grid(page).getAttribute('aria-rowcount'));

/** The text of each cell of a grid row. */
const cellsOf = (row: Locator) => row.getByRole('gridcell').allTextContents();

/** Starts a run and waits for it, not the one before it, to complete. */
async function runToCompletion(page: Page) {
  const runs = page.getByRole('combobox', { name: 'Run', exact: true }).locator('option');
  const before = await runs.count();
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect.poll(() => runs.count()).toBe(before + 1);
  await page
    .getByRole('status', { name: 'Run status' })
    .filter({ hasText: /completed/i })
    .waitFor({ timeout: 90_000 });
}

test('every row of a 2,000-row run can be reached, filtered, searched, opened, charted and exported by run', async () => {
  env.server.setOptions({
    faults: (request) => {
      const prompt = /prompt (\d+)/.exec(JSON.stringify(request.body))?.[1];
      return prompt !== undefined && refused(Number(prompt))
        ? { kind: 'status', status: 400, message: 'This prompt is refused.' }
        : null;
    },
  });
  const page = await env.freshPage();
  const csv = [
    'id,instruction',
    ...Array.from({ length: ROWS }, (_, i) => `row-${i + 1},prompt ${i}`),
  ];
  await page.getByLabel('Import dataset').setInputFiles({
    name: 'two-thousand.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(csv.join('\n')),
  });
  await page.getByText('2,000 rows · columns: id, instruction').waitFor();
  // Before any run, the grid shows the dataset itself.
  await expect.poll(() => rowCount(page)).toBe(ROWS);

  await chooseOpenAI(page, env.server.url, 'test-model');
  await page.getByRole('spinbutton', { name: 'Concurrency' }).fill('6');
  await page.getByText('Limits, retries and prices').click();
  await page.getByRole('spinbutton', { name: 'Retries' }).fill('0');
  await runToCompletion(page);

  // Every row, the last one included, reached from the keyboard.
  await expect.poll(() => rowCount(page)).toBe(ROWS);
  await grid(page).focus();
  await page.keyboard.press('End');
  const last = grid(page).locator(`[role=row][aria-rowindex="${ROWS}"]`);
  await last.waitFor();
  await expect
    .poll(() => cellsOf(last))
    .toEqual([
      `${ROWS}`,
      `row-${ROWS}`,
      `prompt ${ROWS - 1}`,
      `[test-model] echo: prompt ${ROWS - 1}`,
      '', // rating
      '', // comment
      'test-model',
    ]);
  // The page holds the lines in sight, not two thousand.
  expect(await grid(page).locator('[role=row][aria-rowindex]').count()).toBeLessThan(100);

  // Failed: exactly the refused requests.
  const failedRows = Array.from({ length: ROWS }, (_, i) => i).filter(refused);
  const show = page.getByRole('combobox', { name: 'Show' });
  await show.selectOption({ label: `Failed (${failedRows.length})` });
  await expect.poll(() => rowCount(page)).toBe(failedRows.length);
  const firstFailed = grid(page).locator('[role=row][aria-rowindex="1"]');
  await expect
    .poll(() => cellsOf(firstFailed))
    .toEqual(['8 failed', 'row-8', 'prompt 7', '', '', '', 'test-model']);

  // A regular expression over every cell: prompts 1900 to 1999 have answers that end so.
  await show.selectOption({ label: `All rows (${ROWS.toLocaleString('en-US')})` });
  await page.getByRole('searchbox', { name: 'Search rows' }).fill('/echo: prompt 19\\d\\d$/');
  await page.getByRole('searchbox', { name: 'Search rows' }).press('Enter');
  const answered = Array.from({ length: 100 }, (_, i) => 1900 + i).filter((i) => !refused(i));
  await expect.poll(() => rowCount(page)).toBe(answered.length);
  await page.getByText(`${answered.length} lines`, { exact: true }).waitFor();

  // One row in detail: its raw output and token counts.
  await grid(page).locator('[role=row][aria-rowindex="1"]').click();
  const details = page.getByRole('dialog', { name: 'Row details' });
  await details.getByText('Raw output').waitFor();
  expect(await details.textContent()).toContain(`[test-model] echo: prompt ${answered[0]}`);
  expect(await details.textContent()).toMatch(/Tokens\d+ input · \d+ output/);
  await details.getByRole('button', { name: 'Close' }).click();
  await page.getByRole('searchbox', { name: 'Search rows' }).fill('');
  await page.getByRole('searchbox', { name: 'Search rows' }).press('Enter');
  await expect.poll(() => rowCount(page)).toBe(ROWS);

  // A chart per statistic, each named, with its numbers.
  const statistics = page.getByRole('region', { name: 'Statistics' });
  for (const name of [
    'Outcomes',
    'Length of generation (characters)',
    'Output tokens per generation',
    'Tokens per model',
    'Generations stored over the run',
  ]) {
    const chart = statistics.getByRole('figure', { name });
    await chart.locator(`svg[aria-label="${name}"]`).waitFor();
  }
  const outcomes = statistics.getByRole('figure', { name: 'Outcomes' });
  await outcomes.getByText('Numbers').click();
  expect(await outcomes.getByRole('row').allTextContents()).toContain(
    `test-modelfailed${failedRows.length}`,
  );

  // A second run with another model: both runs stay reachable, each exported as its own.
  await page.getByRole('combobox', { name: 'Model' }).fill('test-model-b');
  await runToCompletion(page);
  const runs = page.getByRole('combobox', { name: 'Run', exact: true });
  const labels = await runs.locator('option').allTextContents();
  expect(labels).toHaveLength(2);
  expect(labels[0]).toContain('test-model-b');
  const newest = await exportJsonl(page);
  expect(newest).toHaveLength(ROWS);
  expect(new Set(newest.map((r) => r.model_name))).toEqual(new Set(['test-model-b']));
  await runs.selectOption({ index: 1 });
  const first = await exportJsonl(page);
  expect(new Set(first.map((r) => r.model_name))).toEqual(new Set(['test-model']));
  expect(first.filter((r) => r.generation !== null)).toHaveLength(ROWS - failedRows.length);
  env.server.setOptions({ faults: [] });
  await page.context().close();
});
