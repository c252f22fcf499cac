import { readFile } from 'node:fs/promises';
import { expect, test } from 'vitest';
import { pyCompile } from '../tests/export/helpers';
import { browserAppAndServer, chooseOpenAI, runToCompletion } from './support';

/** A run leaves as a distilabel pipeline; the Model form says what http:// costs a high Concurrency. */
const env = browserAppAndServer();

test('Export distilabel pipeline downloads the run as Python that compiles', async () => {
  const page = await env.freshPage();
  await page.getByLabel('Import dataset').setInputFiles({
    name: 'questions.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('instruction\nWhy is the sky blue?\nWhat is rain?\n', 'utf8'),
  });
  await page.getByText('2 rows · columns: instruction').waitFor();
  await chooseOpenAI(page, env.server.url, 'test-model');
  await runToCompletion(page);

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export distilabel pipeline' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('questions-text-generation-pipeline.py');
  const text = await readFile((await download.path())!, 'utf8');
  pyCompile({ [download.suggestedFilename()]: text });
  expect(text).toContain('from distilabel.steps.tasks import TextGeneration');
  expect(text).toContain(`base_url="${env.server.url}"`);
  expect(text).toContain('data_files="questions.csv"');
  expect(text).toContain('load_dataset >> text_generation_1');
  await page
    .getByText(/Downloaded questions-text-generation-pipeline\.py: one place marked PLACEHOLDER/)
    .waitFor();
  await page.context().close();
});

test('a Concurrency the browser cannot send to an http:// server names what waits, and the fix', async () => {
  const page = await env.freshPage();
  await chooseOpenAI(page, 'http://localhost:11434/v1');
  await page.getByRole('spinbutton', { name: 'Concurrency' }).fill('64');
  const note = page.getByText(/at most 6 connections to a plain http:\/\/ server/);
  await note.waitFor();
  expect(await note.textContent()).toMatch(
    /6 are in flight and 58 wait their turn[\s\S]*“Many requests at once to a local server”/,
  );
  // A batch sends files, not requests at once.
  await page.getByRole('combobox', { name: 'Mode', exact: true }).selectOption('batch');
  await note.waitFor({ state: 'detached' });
  await page.getByRole('combobox', { name: 'Mode', exact: true }).selectOption('live');
  await note.waitFor();
  await page.getByRole('textbox', { name: 'Base URL' }).fill('https://localhost:8443/v1');
  await note.waitFor({ state: 'detached' });
  await page.context().close();
});
