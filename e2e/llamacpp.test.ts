/**
 * llama.cpp (wllama) for real in Chromium, through the app's UI, on the tiny
 * random-weight GGUF that scripts/make-tiny-gguf.mjs writes: a local file, a
 * URL on localhost, then the same app and model with the network off.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { exportJsonl, launchChromium, runToCompletion, serveApp } from './support';

const dir = mkdtempSync(join(tmpdir(), 'retort-gguf-'));
const tinyPath = join(dir, 'tiny-llama.gguf');
execFileSync(process.execPath, ['scripts/make-tiny-gguf.mjs', tinyPath]);
const tiny = readFileSync(tinyPath);
/** A GGUF header, then garbage. */
const corrupt = Buffer.from(tiny.subarray(0, 4096)).fill(0x5a, 64);

const PROMPTS = ['Say hello.', 'Name a colour.', 'Count to three.'];

let browser: Browser;
let app: Awaited<ReturnType<typeof serveApp>>;

beforeAll(async () => {
  [browser, app] = await Promise.all([
    launchChromium(),
    serveApp({ '/models/tiny.gguf': tiny, '/models/corrupt.gguf': corrupt }),
  ]);
});

afterAll(async () => {
  await Promise.all([browser?.close(), app?.close()]);
});

async function openApp(prompts = PROMPTS): Promise<Page> {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.log('[page error]', error.message));
  await page.goto(app.url);
  const jsonl = prompts.map((instruction) => JSON.stringify({ instruction })).join('\n');
  await page
    .getByLabel('Import dataset')
    .setInputFiles({ name: 'prompts.jsonl', mimeType: 'text/plain', buffer: Buffer.from(jsonl) });
  await page.getByText(`${prompts.length} rows · columns: instruction`).waitFor();
  await page
    .getByRole('combobox', { name: 'Provider' })
    .selectOption({ label: 'llama.cpp (GGUF)' });
  await page.getByRole('spinbutton', { name: 'Context size' }).fill('2048');
  return page;
}

async function setRun(page: Page, settings: Record<string, string>): Promise<void> {
  for (const [name, value] of Object.entries(settings))
    await page.getByRole('spinbutton', { name }).fill(value);
}

async function pickFile(page: Page, file: { name: string; buffer: Buffer }): Promise<void> {
  await page
    .getByRole('combobox', { name: 'Source' })
    .selectOption({ label: 'File on this device' });
  await page
    .getByLabel('Model file')
    .setInputFiles({ ...file, mimeType: 'application/octet-stream' });
}

const modelStatus = (page: Page) => page.getByRole('status', { name: 'Model status' });

/** Picks the tiny GGUF under Model file, which loads it. */
async function loadTiny(page: Page): Promise<void> {
  await pickFile(page, { name: 'tiny-llama.gguf', buffer: tiny });
  await modelStatus(page).filter({ hasText: 'Loaded' }).waitFor();
}

test('a GGUF from Model file runs Text generation, 2 per row, with token statistics; a seed gives the same export twice', async () => {
  const page = await openApp();
  // One request at a time: llama.cpp's batches of parallel requests are not bit-for-bit reproducible.
  await setRun(page, {
    'Generations per row': '2',
    Concurrency: '1',
    Threads: '2',
    Temperature: '0.8',
    Seed: '7',
    'Max new tokens': '24',
  });
  await pickFile(page, { name: 'tiny-llama.gguf', buffer: tiny });
  // Picking the file loads it, multi-threaded: the preview server isolates the page.
  await modelStatus(page).filter({ hasText: 'Loaded: tiny-llama.gguf' }).waitFor();
  expect(await modelStatus(page).textContent()).toContain(
    'CPU · 2 threads · context 2048 · 1 at once',
  );

  await runToCompletion(page);
  const first = await exportJsonl(page);
  expect(first).toHaveLength(PROMPTS.length * 2);
  for (const row of first) {
    expect(row.model_name).toBe('tiny-llama.gguf');
    expect(typeof row.generation).toBe('string');
    expect((row.generation as string).length).toBeGreaterThan(0);
    const metadata = row.distilabel_metadata as Record<string, unknown>;
    const stats = metadata.statistics_text_generation as Record<string, number>;
    expect(stats.input_tokens).toBeGreaterThan(5);
    expect(stats.output_tokens).toBeGreaterThan(0);
    // llama.cpp says why it stopped: at the 24-token allowance, or on its own before it.
    expect(metadata.finish_reason_text_generation).toBe(
      stats.output_tokens >= 24 ? 'length' : 'stop',
    );
  }
  const cut = first.filter(
    (row) =>
      (row.distilabel_metadata as Record<string, unknown>).finish_reason_text_generation ===
      'length',
  ).length;
  if (cut > 0) await page.getByText(`${cut} cut at max tokens`).waitFor();
  // Each generation has its own seed, so a row's two texts differ.
  expect(first[0].generation).not.toBe(first[1].generation);

  // A second run reuses the loaded model and, with the same seed, writes the same texts.
  await runToCompletion(page);
  const second = await exportJsonl(page);
  expect(second.map((r) => r.generation)).toEqual(first.map((r) => r.generation));
  await page.context().close();
});

test('a structured-output run gives JSON that parses into its columns', async () => {
  const page = await openApp();
  await page
    .getByRole('combobox', { name: 'Task' })
    .selectOption({ label: 'Structured generation' });
  // Bounded strings, so the random-weight model closes the object within the token budget.
  const schema = {
    type: 'object',
    properties: {
      name: { type: 'string', maxLength: 10 },
      description: { type: 'string', maxLength: 20 },
    },
    required: ['name', 'description'],
    additionalProperties: false,
  };
  await page.getByRole('textbox', { name: /JSON schema/ }).fill(JSON.stringify(schema));
  await setRun(page, { Seed: '3', 'Max new tokens': '80' });
  await loadTiny(page);
  await runToCompletion(page);

  const rows = await exportJsonl(page);
  expect(rows).toHaveLength(PROMPTS.length);
  for (const row of rows) {
    const raw = (row.distilabel_metadata as Record<string, string>)
      .raw_output_structured_generation;
    expect(JSON.parse(raw)).toEqual({ name: row.name, description: row.description });
    expect(typeof row.name).toBe('string');
  }
  await page.context().close();
});

test('Magpie writes instructions through llama.cpp raw completion, from ChatML turn openings', async () => {
  const page = await openApp();
  await page.getByRole('combobox', { name: 'Task' }).selectOption({ label: 'Magpie' });
  await page.getByRole('combobox', { name: /chat template/ }).selectOption('qwen2');
  // One at a time, so the seeded texts are the same on every run.
  await setRun(page, { Concurrency: '1', Seed: '5', 'Max new tokens': '12' });
  await loadTiny(page);
  await runToCompletion(page);

  const rows = await exportJsonl(page);
  expect(rows).toHaveLength(PROMPTS.length);
  for (const row of rows) {
    expect(row.model_name).toBe('tiny-llama.gguf');
    const metadata = row.distilabel_metadata as Record<string, unknown[]>;
    // First call: the bare turn opening as a raw prompt, with no chat template around it.
    expect(metadata.raw_input_magpie[0]).toBe('<|im_start|>user\n');
    // Second call: a chat whose user turn is the instruction the model wrote.
    expect(row.instruction).toEqual(expect.any(String));
    expect(metadata.raw_input_magpie[1]).toEqual([{ role: 'user', content: row.instruction }]);
    expect(row.response).toBe((metadata.raw_output_magpie[1] as string).trim());
  }
  await page.context().close();
});

test('a prompt too long for the context fails its row alone, and says what to change', async () => {
  const tooLong = 'word '.repeat(3000);
  const page = await openApp(['Say hello.', tooLong, 'Name a colour.']);
  await setRun(page, { Concurrency: '1', 'Max new tokens': '8' });
  await loadTiny(page);
  await runToCompletion(page);
  await page.getByText('3 of 3 generations · 2 done · 1 failed').waitFor();

  const rows = await exportJsonl(page);
  expect(rows.map((r) => typeof r.generation)).toEqual(['string', 'object', 'string']);
  const metadata = rows[1].distilabel_metadata as Record<string, string>;
  expect(metadata.error).toMatch(/does not fit in the model's context .* Raise Context size/);
  await page.context().close();
});

test('Pause interrupts a long generation at once, and the model serves the next run', async () => {
  const page = await openApp();
  // One thread: the slower the model, the longer an uninterrupted generation would hold it.
  await setRun(page, {
    Concurrency: '1',
    Threads: '1',
    Temperature: '0',
    'Max new tokens': '4000',
  });
  await loadTiny(page);
  // Greedy, this model writes until its 2048-token context is full: seconds of work.
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const status = page.getByRole('status', { name: 'Run status' });
  await status.filter({ hasText: 'Running' }).waitFor();
  await page.waitForTimeout(200);
  await page.getByRole('button', { name: 'Pause' }).click();
  await status.filter({ hasText: 'Paused' }).waitFor();

  // The model's one slot is free at once only if the generation was interrupted:
  // a short run takes no longer right after the pause than on an idle model.
  await setRun(page, { 'Max new tokens': '8' });
  const timed = async () => {
    const started = Date.now();
    await runToCompletion(page);
    return Date.now() - started;
  };
  const afterPause = await timed();
  const idle = await timed();
  expect(afterPause).toBeLessThan(idle + 1_000);
  await page.context().close();
});

test('a corrupt GGUF or a failed download is said clearly, and no run is made', async () => {
  const page = await openApp();
  await pickFile(page, { name: 'broken.gguf', buffer: corrupt });
  await page
    .getByRole('alert')
    .filter({ hasText: 'broken.gguf is not a usable GGUF model file' })
    .waitFor();
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.getByRole('alert').filter({ hasText: 'not a usable GGUF' }).nth(1).waitFor();
  expect(await page.getByRole('status', { name: 'Run status' }).count()).toBe(0);

  await page.getByRole('combobox', { name: 'Source' }).selectOption({ label: 'Web address' });
  await page.getByRole('textbox', { name: 'Model URL' }).fill('http://127.0.0.1:9/missing.gguf');
  await page.getByText('Could not learn the download size').waitFor();
  await page.getByRole('button', { name: 'Load model' }).click();
  await page.getByRole('alert').filter({ hasText: 'Could not download missing.gguf' }).waitFor();
  expect(await page.getByRole('status', { name: 'Run status' }).count()).toBe(0);
  await page.context().close();
});

test('after one visit, a model loaded from a URL runs again with the network off', async () => {
  const page = await openApp();
  // The service worker has precached the app once it controls the page.
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, {
    timeout: 60_000,
  });
  await page.getByRole('combobox', { name: 'Source' }).selectOption({ label: 'Web address' });
  await page.getByRole('textbox', { name: 'Model URL' }).fill(`${app.url}models/tiny.gguf`);
  await page.getByText(/^Downloads 0\.\d MB once/).waitFor();
  await page.getByRole('button', { name: 'Load model' }).click();
  await modelStatus(page).filter({ hasText: 'Loaded: tiny.gguf' }).waitFor();
  await page.getByText(/^Available offline/).waitFor();
  // llama.cpp serves the run's concurrency in parallel slots.
  await setRun(page, { Concurrency: '2', 'Max new tokens': '16' });
  await modelStatus(page).filter({ hasText: 'Not loaded' }).waitFor();
  await runToCompletion(page);
  expect(await modelStatus(page).textContent()).toContain('2 at once');

  await page.context().setOffline(true);
  await page.reload();
  await page.getByText(`${PROMPTS.length} rows · columns: instruction`).waitFor();
  // The cached page keeps its isolation headers, so llama.cpp keeps its threads.
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await page.getByText(/^Available offline/).waitFor();
  await runToCompletion(page);
  const rows = await exportJsonl(page);
  expect(rows).toHaveLength(PROMPTS.length);
  for (const row of rows) expect(row).toMatchObject({ model_name: 'tiny.gguf' });
  await page.context().close();
});
