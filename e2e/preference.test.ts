import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestServer } from '../tests/server/openaiServer';
import {
  chooseOpenAI,
  exportJsonl,
  judgePreferringModelB,
  launchChromium,
  serveApp,
} from './support';

/**
 * The classic preference recipe, end to end in the UI: two models answer the
 * same prompts, their answers are combined into `generations`, UltraFeedback
 * rates them, and the DPO export picks chosen and rejected.
 */

let browser: Browser;
let app: Awaited<ReturnType<typeof serveApp>>;
let server: Awaited<ReturnType<typeof startTestServer>>;

beforeAll(async () => {
  [browser, app, server] = await Promise.all([
    launchChromium(),
    serveApp(),
    startTestServer({ answer: judgePreferringModelB }),
  ]);
});

afterAll(async () => {
  await Promise.all([browser?.close(), app?.close(), server?.close()]);
});

test('two models, combined, rated by UltraFeedback, exported as DPO pairs', async () => {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(app.url);
  const csv = 'instruction\nName a colour.\nName a fruit.\nName a river.\n';
  await page
    .getByLabel('Import dataset')
    .setInputFiles({ name: 'prompts.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByText('3 rows · columns: instruction').waitFor();
  await chooseOpenAI(page, server.url);
  const status = page.getByRole('status', { name: 'Run status' });

  for (const model of ['test-model', 'test-model-b']) {
    await page.getByRole('combobox', { name: 'Model' }).fill(model);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    // The new run is the one shown, and it finishes.
    await page.getByText(`with ${model} at`).waitFor();
    await status.filter({ hasText: 'Completed' }).waitFor();
  }

  await page.getByText('Use these results in another run').click();
  for (const model of ['test-model', 'test-model-b']) {
    await page.getByRole('checkbox', { name: new RegExp(`Text generation · ${model} ·`) }).check();
  }
  await page.getByRole('button', { name: 'Combine runs into generations' }).click();
  await page.getByText('3 rows · columns: instruction, generations, generation_models').waitFor();

  await page.getByRole('combobox', { name: 'Task' }).selectOption({ label: 'UltraFeedback' });
  await page.getByRole('combobox', { name: 'Model' }).fill('judge-model');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await status.filter({ hasText: 'Completed' }).waitFor();
  expect(await page.getByText('0 unreadable answers').count()).toBe(1);

  await page.getByRole('combobox', { name: 'Export as' }).selectOption('dpo');
  const rows = await exportJsonl(page);
  // A tie teaches no preference: that row is left out, and the page says so.
  expect(rows.map((r) => r.prompt)).toEqual(['Name a colour.', 'Name a fruit.']);
  await page
    .getByRole('status')
    .filter({ hasText: 'Downloaded. 1 row was left out: 1 with ratings that all tie' })
    .waitFor();
  for (const row of rows) {
    expect(row.prompt_id).toMatch(/^[0-9a-f]{64}$/);
    expect(row).toMatchObject({
      chosen_model: 'test-model-b',
      chosen_rating: 5,
      rejected_model: 'test-model',
      rejected_rating: 2,
    });
    expect(row.chosen).toEqual([
      { role: 'user', content: row.prompt },
      { role: 'assistant', content: `[test-model-b] echo: ${row.prompt}` },
    ]);
    expect((row.rejected as unknown[])[1]).toEqual({
      role: 'assistant',
      content: `[test-model] echo: ${row.prompt}`,
    });
    expect(row.ratings).toEqual([2, 5]);
    expect(row.model_name).toBe('judge-model');
  }
  await context.close();
});
