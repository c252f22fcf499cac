import { readFile } from 'node:fs/promises';
import Papa from 'papaparse';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestServer } from '../tests/server/openaiServer';
import { chooseOpenAI, launchChromium, runProgress, serveApp } from './support';

/**
 * The foundation, as a person would use it: import an awkward CSV, run Text
 * generation against an OpenAI-compatible endpoint with 2 generations per row,
 * reload mid-run, let it finish, export the CSV and check every cell.
 */
const ROWS = [
  { instruction: 'Say "hello", then stop.', topic: 'quotes' },
  { instruction: 'List: apples, pears, plums', topic: 'commas' },
  { instruction: 'Line one\nLine two', topic: 'newline' },
  { instruction: 'Café, naïve — 日本語 🍵', topic: 'non-ASCII' },
  ...Array.from({ length: 8 }, (_, i) => ({
    instruction: `Write fact number ${i + 1}.`,
    topic: `plain ${i + 1}`,
  })),
];

/** The server's scripted answer: a pure function of the prompt and the generation. */
const answerFor = (prompt: string, index: number) =>
  `Answer ${index + 1} to «${prompt}», with "quotes", commas,\nand a newline.`;

function awkwardCsv(): Buffer {
  const quote = (v: string) => `"${v.replaceAll('"', '""')}"`;
  const lines = [
    'instruction,topic',
    ...ROWS.map((r) => `${quote(r.instruction)},${quote(r.topic)}`),
  ];
  return Buffer.concat([
    Buffer.from([0xef, 0xbb, 0xbf]),
    Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8'),
  ]);
}

let browser: Browser;
let app: Awaited<ReturnType<typeof serveApp>>;
let server: Awaited<ReturnType<typeof startTestServer>>;

beforeAll(async () => {
  [browser, app, server] = await Promise.all([
    launchChromium(),
    serveApp(),
    startTestServer({
      latencyMs: 250,
      answer: ({ messages, index }) => answerFor(String(messages.at(-1)?.content), index),
    }),
  ]);
});

afterAll(async () => {
  await Promise.all([browser?.close(), app?.close(), server?.close()]);
});

test('import, run with 2 generations, reload mid-run, finish and export the CSV cell by cell', async () => {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(app.url);

  await page
    .getByLabel('Import dataset')
    .setInputFiles({ name: 'awkward prompts.csv', mimeType: 'text/csv', buffer: awkwardCsv() });
  await expect
    .poll(() => page.getByRole('combobox', { name: 'Dataset' }).inputValue())
    .not.toBe('');
  await page.getByText('12 rows · columns: instruction, topic').waitFor();

  await page.getByRole('combobox', { name: 'Task' }).selectOption({ label: 'Text generation' });
  expect(await page.getByRole('textbox', { name: 'Prompt template' }).inputValue()).toBe(
    '{{ instruction }}',
  );
  await chooseOpenAI(page, server.url, 'test-model');
  await page.getByRole('spinbutton', { name: 'Generations per row' }).fill('2');
  await page.getByRole('spinbutton', { name: 'Concurrency' }).fill('2');
  await page.getByRole('button', { name: 'Run' }).click();

  const status = page.getByRole('status', { name: 'Run status' });
  await status.filter({ hasText: 'Running' }).waitFor();
  await expect
    .poll(async () => (await runProgress(page)).now, { timeout: 20_000 })
    .toBeGreaterThanOrEqual(4);
  const before = await runProgress(page);
  expect(before.max).toBe(24);
  expect(before.now).toBeLessThan(24);

  await page.reload();
  // The run is shown as it was, and carries on by itself.
  expect((await runProgress(page)).now).toBeGreaterThanOrEqual(before.now);
  await status.filter({ hasText: /completed/i }).waitFor({ timeout: 60_000 });
  expect(await runProgress(page)).toEqual({ now: 24, max: 24 });

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export CSV' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('awkward-prompts-text-generation.csv');
  const csv = await readFile((await download.path())!, 'utf8');
  const parsed = Papa.parse<Record<string, string>>(csv, { header: true, skipEmptyLines: true });
  expect(parsed.errors).toEqual([]);
  expect(parsed.meta.fields).toEqual([
    'instruction',
    'topic',
    'generation',
    'rating',
    'comment',
    'model_name',
    'distilabel_metadata',
  ]);

  const expected = ROWS.flatMap((row) =>
    [0, 1].map((g) => ({
      ...row,
      generation: answerFor(row.instruction, g),
      rating: '',
      comment: '',
      model_name: 'test-model',
    })),
  );
  expect(parsed.data).toHaveLength(expected.length);
  parsed.data.forEach((actual, i) => {
    const { distilabel_metadata, ...cells } = actual;
    expect(cells).toEqual(expected[i]);
    const metadata = JSON.parse(distilabel_metadata);
    expect(metadata.raw_output_text_generation).toBe(expected[i].generation);
    expect(metadata.raw_input_text_generation).toEqual([
      { role: 'user', content: expected[i].instruction },
    ]);
    expect(metadata.statistics_text_generation.output_tokens).toBeGreaterThan(0);
  });
  await context.close();
});
