import { expect, test } from 'vitest';
import { browserAppAndServer, chooseOpenAI } from './support';

/** Bad input gets a clear error, in an alert, and loses nothing. */
const env = browserAppAndServer();

const file = (name: string, text: string) => ({
  name,
  mimeType: 'text/plain',
  buffer: Buffer.from(text, 'utf8'),
});

test('a malformed file is refused with the line to fix, and the dataset already there stays', async () => {
  const page = await env.freshPage();
  const importer = page.getByLabel('Import dataset');
  await importer.setInputFiles(file('good.csv', 'instruction\nhello\n'));
  await page.getByText('1 row · columns: instruction').waitFor();

  await importer.setInputFiles(file('bad.jsonl', '{"instruction": "a"}\n{"instruction": \n'));
  await expect.poll(() => page.getByRole('alert').first().textContent()).toMatch(/line 2/i);
  expect(
    await page.getByRole('combobox', { name: 'Dataset' }).locator('option').allTextContents(),
  ).toEqual(['Choose a dataset…', 'good (1 row)']);
  await page.context().close();
});

test('a template variable that is no column is named before the run, and Run stores nothing', async () => {
  const page = await env.freshPage();
  await page.getByLabel('Import dataset').setInputFiles(file('q.csv', 'question\nWhy?\n'));
  await page.getByText('1 row · columns: question').waitFor();
  const alert = page.getByRole('alert').filter({ hasText: '"instruction"' });
  await alert.waitFor();
  expect(await alert.textContent()).toContain('question');

  await chooseOpenAI(page, env.server.url, 'test-model');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.getByRole('alert').filter({ hasText: 'Map one of its columns' }).nth(1).waitFor();
  expect(await page.getByRole('status', { name: 'Run status' }).count()).toBe(0);

  // Mapping the column makes the same run possible.
  await page
    .getByRole('combobox', { name: 'instruction' })
    .selectOption({ label: 'column "question"' });
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page
    .getByRole('status', { name: 'Run status' })
    .filter({ hasText: /completed/i })
    .waitFor();
  await page.context().close();
});

test('a concurrency above 6 against a plain-http server says the browser queues the rest', async () => {
  const page = await env.freshPage();
  await page
    .getByRole('combobox', { name: 'Provider' })
    .selectOption({ label: 'OpenAI-compatible API' });
  const note = page.getByText(/at most 6 connections to a plain http:\/\/ server/);
  await page.getByRole('textbox', { name: 'Base URL' }).fill('http://localhost:11434/v1');
  await page.getByRole('spinbutton', { name: 'Concurrency' }).fill('6');
  expect(await note.count()).toBe(0);
  await page.getByRole('spinbutton', { name: 'Concurrency' }).fill('16');
  await note.waitFor();
  await page.getByRole('textbox', { name: 'Base URL' }).fill('https://api.openai.com/v1');
  await note.waitFor({ state: 'detached' });
  await page.context().close();
});

test('a refused key fails the run and says so; an unreachable endpoint says what to check', async () => {
  const page = await env.freshPage();
  await page.getByLabel('Import dataset').setInputFiles(file('p.csv', 'instruction\nhello\n'));
  await page.getByText('1 row · columns: instruction').waitFor();

  await chooseOpenAI(page, env.server.url, 'test-model');
  env.server.setOptions({ requireKey: 'sk-right' });
  await page.getByRole('textbox', { name: 'API key' }).fill('sk-wrong-secret');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const status = page.getByRole('status', { name: 'Run status' });
  await status.filter({ hasText: /^Failed: The API key was refused/ }).waitFor();
  expect(await status.textContent()).not.toContain('sk-wrong-secret');
  await page
    .getByRole('alert')
    .filter({ hasText: /^The run stopped.*press Resume/ })
    .waitFor();
  env.server.setOptions({ requireKey: undefined });

  await page.getByRole('textbox', { name: 'Base URL' }).fill('http://127.0.0.1:9/v1');
  await page.getByRole('button', { name: 'List models' }).click();
  await page
    .getByRole('alert')
    .filter({ hasText: /Could not reach .*CORS.*OLLAMA_ORIGINS/ })
    .waitFor();
  // Another address makes that error moot: it goes.
  await page.getByRole('textbox', { name: 'Base URL' }).fill(env.server.url);
  await page
    .getByRole('alert')
    .filter({ hasText: /Could not reach/ })
    .waitFor({ state: 'detached' });
  await page.context().close();
});
