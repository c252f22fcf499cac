import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '../tests/server/openaiServer';
import { chooseOpenAI, launchChromium, runProgress, serveApp } from './support';

/**
 * A 300-row run through the UI against a server that is slow and faulty
 * (429s with Retry-After, 500s, connection resets), with the page reloaded
 * three times while it runs. Work in flight at a reload is redone; the export
 * must still hold exactly one answer per (row, generation), in row order, and
 * the counts on screen must be those of the stored results.
 */
const ROWS = 300;
const GENERATIONS = 2;
const TOTAL = ROWS * GENERATIONS;

const answerFor = (prompt: string, index: number) => `Answer ${index} to ${prompt}`;

let browser: Browser;
let app: Awaited<ReturnType<typeof serveApp>>;
let server: TestServer;
/** How many times the server answered each prompt: more than once means work was redone. */
const answered = new Map<string, number>();

beforeAll(async () => {
  [browser, app, server] = await Promise.all([
    launchChromium(),
    serveApp(),
    startTestServer({
      // 50 to 250 ms, varied by the request's number: the run lasts long enough to reload in.
      latencyMs: ({ number }) => 50 + ((number * 37) % 200),
      answer: ({ messages, index }) => {
        const prompt = String(messages.at(-1)?.content);
        if (index === 0) answered.set(prompt, (answered.get(prompt) ?? 0) + 1);
        return answerFor(prompt, index);
      },
      // Each rule counts the requests that reach it; few enough that none exhausts the retries.
      faults: [
        { kind: 'status', status: 429, retryAfter: 1, every: 60, times: 2 },
        { kind: 'status', status: 429, retryAfter: 0, every: 40, times: 3 },
        { kind: 'status', status: 500, every: 25, times: 6 },
        { kind: 'reset', every: 35, times: 4 },
      ],
    }),
  ]);
});

afterAll(async () => {
  await Promise.all([browser?.close(), app?.close(), server?.close()]);
});

/** The run and the (status of each) result stored in the page's IndexedDB, read without the app. */
function stored(page: Page) {
  return page.evaluate(async () => {
    const request = <T>(r: IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
    const db = await request(indexedDB.open('retort'));
    const tx = db.transaction(['runs', 'resultPages']);
    const [runs, pages] = await Promise.all([
      request(tx.objectStore('runs').getAll()),
      request(tx.objectStore('resultPages').getAll()),
    ]);
    db.close();
    return {
      runs: runs as { counters: { total: number; done: number; failed: number } }[],
      // Results are stored a page of rows to a record, as columns.
      statuses: (pages as { failed: Uint8Array }[]).flatMap((p) =>
        [...p.failed].map((failed) => (failed ? 'failed' : 'done')),
      ),
    };
  });
}

test('a faulty 300-row run, reloaded three times, exports every answer once, in order', async () => {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(app.url);

  const csv = `id,instruction\n${Array.from({ length: ROWS }, (_, i) => `${i},prompt ${i}`).join('\n')}\n`;
  await page
    .getByLabel('Import dataset')
    .setInputFiles({ name: 'prompts.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByText(`${ROWS} rows · columns: id, instruction`).waitFor();
  await page.getByRole('combobox', { name: 'Task' }).selectOption({ label: 'Text generation' });
  await chooseOpenAI(page, server.url, 'test-model');
  await page.getByRole('spinbutton', { name: 'Generations per row' }).fill(String(GENERATIONS));
  await page.getByRole('spinbutton', { name: 'Concurrency' }).fill('4');
  await page.getByRole('button', { name: 'Run' }).click();

  const status = page.getByRole('status', { name: 'Run status' });
  let seen = 0;
  for (const share of [0.2, 0.45, 0.7]) {
    await expect
      .poll(async () => (await runProgress(page)).now, { timeout: 30_000, interval: 50 })
      .toBeGreaterThanOrEqual(TOTAL * share);
    const before = await runProgress(page);
    expect(before).toMatchObject({ max: TOTAL });
    expect(before.now).toBeLessThan(TOTAL);
    expect(before.now).toBeGreaterThanOrEqual(seen);
    seen = before.now;
    await page.reload();
    // Nothing stored is lost across the reload.
    await expect.poll(async () => (await runProgress(page)).now).toBeGreaterThanOrEqual(seen);
  }
  await status.filter({ hasText: /completed/i }).waitFor({ timeout: 40_000 });

  // Work cut short by a reload was asked for again, and the faults were met.
  expect([...answered.values()].some((times) => times > 1)).toBe(true);
  expect(server.requests.length).toBeGreaterThan(ROWS + 10);

  // The counts on screen are those of the stored results.
  const { runs, statuses } = await stored(page);
  expect(runs).toHaveLength(1);
  const done = statuses.filter((s) => s === 'done').length;
  const failed = statuses.filter((s) => s === 'failed').length;
  expect({ done, failed }).toEqual({ done: TOTAL, failed: 0 });
  expect(runs[0].counters).toMatchObject({ total: TOTAL, done, failed });
  expect(await runProgress(page)).toEqual({ now: TOTAL, max: TOTAL });
  await page
    .getByText(`${TOTAL} of ${TOTAL} generations · ${done} done · ${failed} failed`)
    .waitFor();

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export JSONL' }).click(),
  ]);
  const lines = (await readFile((await download.path())!, 'utf8')).trimEnd().split('\n');
  const exported = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  // Complete, in row then generation order, and so free of duplicates.
  expect(exported.map((row) => [row.id, row.generation])).toEqual(
    Array.from({ length: TOTAL }, (_, i) => {
      const row = Math.floor(i / GENERATIONS);
      return [String(row), answerFor(`prompt ${row}`, i % GENERATIONS)];
    }),
  );
  await context.close();
});
