import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestServer } from '../tests/server/openaiServer';
import {
  chooseOpenAI,
  downloadText,
  exportJsonl,
  judgePreferringModelB,
  launchChromium,
  serveApp,
} from './support';

/**
 * Recipes end to end: a chained preference run made by hand (two models,
 * combined, rated by UltraFeedback, exported as DPO pairs) is saved as a
 * recipe, opened in a fresh browser profile on the same seed file, and run
 * step by step to the same DPO pairs. The model server wants a key, which the
 * recipe must not carry: the second profile types it again.
 */

const KEY = 'sk-recipes-e2e-not-to-be-shared';
const SEED = 'instruction\nName a colour.\nName a fruit.\nName a river.\n';

/** Serves recipes to the page from another origin, as a file host with CORS would. */
async function startRecipeHost(files: Map<string, string>) {
  const server = createServer((request, response) => {
    const body = files.get(request.url ?? '');
    response.setHeader('Access-Control-Allow-Origin', '*');
    if (body === undefined) response.writeHead(404, 'Not Found').end();
    else response.writeHead(200, { 'Content-Type': 'application/json' }).end(body);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

let browser: Browser;
let app: Awaited<ReturnType<typeof serveApp>>;
let server: Awaited<ReturnType<typeof startTestServer>>;
let host: Awaited<ReturnType<typeof startRecipeHost>>;
const hosted = new Map<string, string>();

beforeAll(async () => {
  [browser, app, server, host] = await Promise.all([
    launchChromium(),
    serveApp(),
    startTestServer({ answer: judgePreferringModelB, requireKey: KEY }),
    startRecipeHost(hosted),
  ]);
});

afterAll(async () => {
  await Promise.all([browser?.close(), app?.close(), server?.close(), host?.close()]);
});

/** A new browser profile: its own IndexedDB and localStorage. */
async function freshPage(path = ''): Promise<Page> {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${app.url}${path}`);
  return page;
}

async function importSeed(page: Page): Promise<void> {
  await page
    .getByLabel('Import dataset')
    .setInputFiles({ name: 'prompts.csv', mimeType: 'text/csv', buffer: Buffer.from(SEED) });
  await page.getByText('3 rows · columns: instruction').waitFor();
}

async function runAndWait(page: Page, model: string): Promise<void> {
  await page.getByRole('combobox', { name: 'Model' }).fill(model);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.getByText(`with ${model} at`).waitFor();
  await page.getByRole('status', { name: 'Run status' }).filter({ hasText: 'Completed' }).waitFor();
}

/** The settings the form shows, as the person reads them. */
async function shownSettings(page: Page) {
  const value = (role: 'combobox' | 'textbox' | 'spinbutton', name: string) =>
    page.getByRole(role, { name, exact: true }).inputValue();
  return {
    task: await value('combobox', 'Task'),
    provider: await value('combobox', 'Provider'),
    baseURL: await value('textbox', 'Base URL'),
    model: await value('combobox', 'Model'),
    generations: await value('spinbutton', 'Generations per row'),
    concurrency: await value('spinbutton', 'Concurrency'),
    temperature: await value('spinbutton', 'Temperature'),
  };
}

test('a chained preference run saved as a recipe gives the same settings and DPO pairs in a fresh profile', async () => {
  const first = await freshPage();
  await importSeed(first);
  await chooseOpenAI(first, server.url);
  await first.getByLabel('API key').fill(KEY);
  await first.getByRole('spinbutton', { name: 'Temperature' }).fill('0.3');
  for (const model of ['test-model', 'test-model-b']) await runAndWait(first, model);
  await first.getByText('Use these results in another run').click();
  for (const model of ['test-model', 'test-model-b'])
    await first.getByRole('checkbox', { name: new RegExp(`Text generation · ${model} ·`) }).check();
  await first.getByRole('button', { name: 'Combine runs into generations' }).click();
  await first.getByText('3 rows · columns: instruction, generations, generation_models').waitFor();
  await first.getByRole('combobox', { name: 'Task' }).selectOption({ label: 'UltraFeedback' });
  await runAndWait(first, 'judge-model');
  await first.getByRole('combobox', { name: 'Export as' }).selectOption('dpo');
  const pairs = await exportJsonl(first);
  expect(pairs.map((pair) => pair.prompt)).toEqual(['Name a colour.', 'Name a fruit.']);
  const settings = await shownSettings(first);

  const saved = await downloadText(first, 'Save recipe');
  expect(saved).not.toContain(KEY);
  const recipe = JSON.parse(saved);
  expect(recipe).toMatchObject({ retort: 'recipe', version: 1, export: { as: 'dpo' } });
  expect(recipe.steps).toMatchObject([
    { kind: 'run', task: { id: 'text_generation' }, provider: { model: 'test-model' } },
    { kind: 'run', task: { id: 'text_generation' }, provider: { model: 'test-model-b' } },
    { kind: 'combine', runs: [1, 2] },
    {
      kind: 'run',
      task: { id: 'ultrafeedback_overall_rating' },
      provider: { id: 'openai', baseURL: server.url, model: 'judge-model' },
      sampling: { temperature: 0.3 },
    },
  ]);

  // A fresh profile: no datasets, no runs, no form, no key.
  const second = await freshPage();
  await importSeed(second);
  await second.getByLabel('Open recipe').setInputFiles({
    name: 'retort-recipe.json',
    mimeType: 'application/json',
    buffer: Buffer.from(saved),
  });
  await second.getByRole('status').filter({ hasText: 'Opened the recipe' }).waitFor();
  expect(await shownSettings(second)).toEqual(settings);
  expect(await second.getByLabel('API key').inputValue()).toBe('');
  // Without the key the server refuses the first run, and the steps stop there, saying why.
  const steps = second.getByRole('status', { name: 'Recipe steps' });
  await second.getByRole('button', { name: 'Run the steps' }).click();
  await steps
    .filter({ hasText: 'Stopped at step 1 of 4 (Text generation with test-model).' })
    .waitFor();
  await second
    .getByRole('alert')
    .filter({ hasText: /^Its run failed: .*401/ })
    .waitFor();
  expect(await second.getByText('3 rows · columns: instruction', { exact: true }).count()).toBe(1);
  await second.getByLabel('API key').fill(KEY);
  await second.getByRole('button', { name: 'Run the steps' }).click();
  await steps.filter({ hasText: 'Done: the 4 steps ran.' }).waitFor();
  await second.getByText('3 rows · columns: instruction, generations, generation_models').waitFor();
  expect(await shownSettings(second)).toEqual(settings);
  expect(await second.getByRole('combobox', { name: 'Export as' }).inputValue()).toBe('dpo');
  expect(await exportJsonl(second)).toEqual(pairs);
  // The runs made here give the very recipe that was opened.
  expect(JSON.parse(await downloadText(second, 'Save recipe'))).toEqual(recipe);
});

test('a recipe opens from ?recipe=<url> once; a newer one, or one that cannot be fetched, changes nothing', async () => {
  const recipe = {
    retort: 'recipe',
    version: 1,
    steps: [
      {
        kind: 'run',
        task: {
          id: 'text_generation',
          params: { template: 'Briefly: {{ instruction }}' },
          structuredOutput: false,
          inputMapping: {},
          generations: { count: 2, group: false },
        },
        provider: { id: 'openai', baseURL: server.url, model: 'shared-model' },
        sampling: { temperature: 0.5, maxTokens: 64 },
        limits: { concurrency: 3, timeoutSeconds: 60, maxRetries: 1 },
      },
    ],
  };
  hosted.set('/retort-recipe.json', JSON.stringify(recipe));
  const address = `${host.url}/retort-recipe.json`;
  const page = await freshPage(`?recipe=${encodeURIComponent(address)}`);
  await page.getByRole('status').filter({ hasText: 'Opened the recipe' }).waitFor();
  expect(new URL(page.url()).search).toBe('');
  const opened = await shownSettings(page);
  expect(opened).toMatchObject({
    task: 'text_generation',
    baseURL: server.url,
    model: 'shared-model',
    generations: '2',
    concurrency: '3',
  });
  expect(await page.getByRole('textbox', { name: 'Prompt template' }).inputValue()).toBe(
    'Briefly: {{ instruction }}',
  );

  await page.getByLabel('Open recipe').setInputFiles({
    name: 'newer.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify({ ...recipe, version: 2 })),
  });
  await page
    .getByRole('alert')
    .filter({ hasText: 'This recipe was written by a newer Retort (version 2)' })
    .waitFor();
  await page.getByRole('textbox', { name: 'Recipe URL' }).fill(`${host.url}/missing.json`);
  await page.getByRole('button', { name: 'Open from URL' }).click();
  await page
    .getByRole('alert')
    .filter({ hasText: 'could not be fetched: the server answered HTTP 404' })
    .waitFor();
  expect(await shownSettings(page)).toEqual(opened);

  // A reload does not open the recipe again (the address no longer names it).
  await page.reload();
  await page.getByRole('button', { name: 'Save recipe' }).waitFor();
  expect(await page.getByText('Opened the recipe').count()).toBe(0);
});
