/**
 * Import and export of a million rows in Chromium with IndexedDB on disk,
 * through the app's engine worker, beside what their parts cost alone in the
 * same browser: papaparse on the same file, the store writing the same rows
 * in the same 1,000-row pages, and reading a run's rows and results back.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Bench, openBench } from './browser';
import { writeBenchCSV } from './rows';
import { printTable } from './table';

const ROWS = 1_000_000;

let bench: Bench;
let dir: string;
let csvPath: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'retort-bench-csv-'));
  csvPath = join(dir, 'million.csv');
  await writeBenchCSV(csvPath, ROWS);
  bench = await openBench();
});

afterAll(async () => {
  await bench?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Timed {
  rows: number;
  ms: number;
}

/**
 * Runs a step twice, each time in a freshly started browser (same profile,
 * same IndexedDB) with the CSV in the page's file input: once timed, once with
 * its peak memory sampled. Reading /proc every 100 ms takes CPU time from the
 * step on this 2-core machine, so the time comes from the pass without it.
 */
async function step<T extends Timed>(body: (page: Page) => Promise<T>) {
  const fresh = async () => {
    await bench.restart();
    await bench.page.locator('input[type=file]').setInputFiles(csvPath);
    await bench.processes.settle();
    return bench.page;
  };
  const value = await body(await fresh());
  const page = await fresh();
  const { peakMB } = await bench.processes.peakMemory(() => body(page));
  return { value, peakMB };
}

const row = (path: string, { value, peakMB }: { value: Timed; peakMB: number }) => ({
  path,
  rows: value.rows,
  s: value.ms / 1000,
  'rows/s': value.rows / (value.ms / 1000),
  'peak MB': peakMB,
});

test('import and export of 1M rows', async () => {
  const mb = statSync(csvPath).size / 1024 / 1024;
  const papaparse = await step((page) =>
    page.evaluate(() =>
      window.bench.baseline.papaparse(document.querySelector('input')!.files![0]),
    ),
  );
  const store = await step(async (page) => ({
    rows: ROWS,
    ms: await page.evaluate((rows) => window.bench.baseline.storeAlone(rows), ROWS),
  }));
  const imported = await step((page) =>
    page.evaluate(async () => {
      const started = performance.now();
      const out = await window.bench.engine.importFile(document.querySelector('input')!.files![0]);
      if (!out.ok) throw new Error(out.error.message);
      return { rows: out.value.rowCount, ms: performance.now() - started, id: out.value.id };
    }),
  );
  expect(imported.value.rows).toBe(ROWS);
  const importRate = ROWS / (imported.value.ms / 1000);
  printTable(
    `Import of a ${mb.toFixed(0)} MB CSV of ${ROWS.toLocaleString('en-US')} rows: Chromium, IndexedDB on disk. Peak MB: PSS summed over all Chromium processes, sampled every 100 ms, above the level before, in a second pass of the step (the sampling takes CPU time, so times come from a pass without it); each pass in a freshly started browser, once it is idle`,
    [
      row('papaparse alone (file.text(), then parse, rows dropped)', papaparse),
      row('IndexedDB alone (1,000-row pages, 8 a transaction)', store),
      row('import: engine worker importFile (decode, parse, store)', imported),
    ].map((r) => ({ ...r, 'import vs this': importRate / r['rows/s'] })),
  );

  const seeded = await bench.page.evaluate(
    ([id, rows]) => window.bench.baseline.seedRun(id, rows),
    [imported.value.id, ROWS] as const,
  );
  const read = await step((page) =>
    page.evaluate((id) => window.bench.baseline.readAlone(id), seeded.runId),
  );
  const assembled = await step((page) =>
    page.evaluate((id) => window.bench.baseline.outputRowsAlone(id), seeded.runId),
  );
  const exported = await step((page) =>
    page.evaluate(
      async ([id, rows]) => {
        const started = performance.now();
        const out = await window.bench.engine.exportRun(id, { format: 'csv' });
        if (!out.ok) throw new Error(out.error.message);
        return { rows, ms: performance.now() - started, bytes: out.value.file.size };
      },
      [seeded.runId, ROWS] as const,
    ),
  );
  expect(read.value.rows).toBe(ROWS);
  const exportRate = ROWS / (exported.value.ms / 1000);
  printTable(
    `Export of a run of ${ROWS.toLocaleString('en-US')} rows (Text generation, one result each) to a ${(exported.value.bytes / 1024 / 1024).toFixed(0)} MB CSV. The results were written straight to the store first: ${Math.round(ROWS / (seeded.ms / 1000)).toLocaleString('en-US')} result records/s`,
    [
      row('reading alone (row pages and results, page by page)', read),
      row('output rows alone (read and assembled, no format)', assembled),
      row('export: engine worker exportRun CSV', exported),
    ].map((r) => ({ ...r, 'export vs this': exportRate / r['rows/s'] })),
  );
});
