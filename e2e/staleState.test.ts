import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { startTestServer } from '../tests/server/openaiServer';
import { browserAppAndServer, chooseOpenAI } from './support';

/**
 * Nothing on the page outlives its truth: settings belong to their task, a
 * mapping to its dataset, an estimate to the form it was made for; a failed
 * run resumes with the settings mended in the form; a run with failures never
 * reads as a clean Completed, and failures no retry can mend wait for a change.
 */
const env = browserAppAndServer();

const status = (page: Page) => page.getByRole('status', { name: 'Run status' });
const generationsPerRow = (page: Page) =>
  page.getByRole('spinbutton', { name: 'Generations per row' });
const task = (page: Page) => page.getByRole('combobox', { name: 'Task' });

async function importPrompts(page: Page, name: string, rows: number, column = 'instruction') {
  const csv = [`id,${column}`, ...Array.from({ length: rows }, (_, i) => `${i},prompt ${i}`)];
  await page.getByLabel('Import dataset').setInputFiles({
    name: `${name}.csv`,
    mimeType: 'text/csv',
    buffer: Buffer.from(csv.join('\n')),
  });
  await page.getByText(`${rows} rows · columns: id, ${column}`).waitFor();
}

async function runAndWait(page: Page, done: RegExp) {
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect.poll(() => status(page).textContent(), { timeout: 30_000 }).toMatch(done);
}

test('generations per row belong to their task; a stale mapping is dropped; an estimate goes with its form', async () => {
  const page = await env.freshPage();
  await importPrompts(page, 'questions', 4, 'question');
  await chooseOpenAI(page, env.server.url, 'test-model');

  await task(page).selectOption({ label: 'Text generation' });
  await generationsPerRow(page).fill('2');
  await task(page).selectOption({ label: 'UltraFeedback' });
  expect(await generationsPerRow(page).inputValue()).toBe('1');
  await task(page).selectOption({ label: 'Text generation' });
  expect(await generationsPerRow(page).inputValue()).toBe('2');

  // Map the task's instruction onto this dataset's question column, then pick a dataset without it.
  await page
    .getByRole('group', { name: 'Columns the task reads' })
    .getByRole('combobox', { name: 'instruction' })
    .selectOption({ label: 'column "question"' });
  await page.getByRole('button', { name: 'Estimate tokens and cost' }).click();
  const estimate = page.getByText(/^8 generations in 4 requests · about/);
  await estimate.waitFor();

  await importPrompts(page, 'instructions', 3);
  await page
    .getByText(
      'Dropped the mapping of instruction from "question": "instructions" has no such column.',
    )
    .waitFor();
  expect(await estimate.count()).toBe(0);
  // Nothing left blocks the run.
  expect(await page.getByRole('alert').count()).toBe(0);
  await runAndWait(page, /^Completed$/);
});

test('a failed run resumes with the Base URL mended in the form, and says so', async () => {
  const page = await env.freshPage();
  await importPrompts(page, 'prompts', 5);
  const closed = await startTestServer();
  await closed.close();
  await chooseOpenAI(page, closed.url, 'test-model');
  await runAndWait(page, /^Failed/);

  const before = env.server.requests.length;
  await page.getByRole('textbox', { name: 'Base URL' }).fill(env.server.url);
  await page.getByRole('button', { name: 'Resume' }).click();
  await page
    .getByText(`Resuming with the new settings: test-model at ${env.server.url}.`)
    .waitFor();
  await expect.poll(() => status(page).textContent(), { timeout: 30_000 }).toBe('Completed');
  expect(env.server.requests.length - before).toBe(5);
});

test('failures make "Completed with N failed", with reasons; a retry asks again only where it can help', async () => {
  const page = await env.freshPage();
  await importPrompts(page, 'prompts', 10);
  await chooseOpenAI(page, env.server.url, 'test-model');
  await page.getByText('Limits, retries and prices').click();
  await page.getByRole('spinbutton', { name: 'Retries' }).fill('0');
  const refused = ['prompt 2', 'prompt 5'];
  env.server.setOptions({
    faults: ({ body }) => {
      const text = JSON.stringify(body);
      if (refused.some((prompt) => text.includes(`"${prompt}"`)))
        return { kind: 'status', status: 400 };
      return text.includes('"prompt 7"') ? { kind: 'status', status: 500 } : null;
    },
  });
  try {
    await runAndWait(page, /^Completed with 3 failed$/);
    expect(await status(page).getAttribute('class')).toContain('with-failures');
    const reasons = page.getByRole('list', { name: 'Failure reasons' }).getByRole('listitem');
    await expect.poll(() => reasons.count()).toBe(2);
    expect(await reasons.nth(0).textContent()).toMatch(/^2 × .*400.*a retry meets the same error/);
    expect(await reasons.nth(1).textContent()).toMatch(/^1 × .*500/);

    // Only the 500 is asked again; the two 400s wait for a change of settings.
    env.server.setOptions({ faults: [] });
    const retry = page.getByRole('button', { name: 'Retry failed (1)' });
    expect(await retry.getAttribute('aria-describedby')).toBe('retry-lasting');
    await page.getByText('2 failed with an error a retry meets again').waitFor();
    let before = env.server.requests.length;
    await retry.click();
    await expect.poll(() => status(page).textContent()).toBe('Completed with 2 failed');
    expect(env.server.requests.length - before).toBe(1);
    expect(await page.getByRole('button', { name: 'Retry failed (0)' }).isDisabled()).toBe(true);

    // A new template is a change of settings: every failure may now pass.
    await page.getByRole('textbox', { name: 'Prompt template' }).fill('Answer: {{ instruction }}');
    before = env.server.requests.length;
    await page.getByRole('button', { name: 'Retry failed with the new settings (2)' }).click();
    await expect.poll(() => status(page).textContent()).toBe('Completed');
    expect(env.server.requests.length - before).toBe(2);
  } finally {
    env.server.setOptions({ faults: [] });
  }
});

test('Cancel asks first, and a run goes on when the person says no', async () => {
  const page = await env.freshPage();
  await importPrompts(page, 'prompts', 40);
  await chooseOpenAI(page, env.server.url, 'test-model');
  await page.getByRole('spinbutton', { name: 'Concurrency' }).fill('1');
  env.server.setOptions({ latencyMs: 150 });
  try {
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await status(page).filter({ hasText: 'Running' }).waitFor();
    const asked: string[] = [];
    page.once('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.dismiss();
    });
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => asked.length).toBe(1);
    expect(asked[0]).toMatch(/^Cancel this run\? It cannot be resumed afterwards/);
    expect(await status(page).textContent()).toBe('Running');

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => status(page).textContent()).toBe('Cancelled');
  } finally {
    env.server.setOptions({ latencyMs: 0 });
  }
});
