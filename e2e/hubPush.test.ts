import { parquetReadObjects } from 'hyparquet';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { parse } from 'yaml';
import { HUB_TOKENS, type HubServer, startHubServer } from '../tests/server/hubServer';
import { startTestServer, type TestServer } from '../tests/server/openaiServer';
import { chooseOpenAI, exportJsonl, launchChromium, runToCompletion, serveApp } from './support';

/**
 * Push to Hub from the Results step, against the loopback fake of the Hub on
 * another port (cross-origin, as huggingface.co is): a run made against the
 * loopback model server lands as a private dataset of Parquet rows equal to
 * the page's own export, a card and the recipe, and the page links to it. In
 * a fresh profile, Open from Hub by that dataset's id fills the form again.
 */
let browser: Browser;
let app: Awaited<ReturnType<typeof serveApp>>;
let server: TestServer;
let hub: HubServer;

beforeAll(async () => {
  [browser, app, server, hub] = await Promise.all([
    launchChromium(),
    serveApp(),
    startTestServer(),
    startHubServer(),
  ]);
});
afterAll(async () => {
  await Promise.all([browser?.close(), app?.close(), server?.close(), hub?.close()]);
});

async function freshPage(): Promise<Page> {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(app.url);
  return page;
}

/** Fills the Hub address and token of the one Hub settings panel open. */
async function hubSettings(page: Page, token: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Hub address' }).fill(hub.url);
  await page.getByRole('textbox', { name: 'Hub token' }).fill(token);
}

test('a run pushed from Results lands as Parquet rows, a card and a recipe, which opens again by the dataset id', async () => {
  const page = await freshPage();
  await page.getByLabel('Import dataset').setInputFiles({
    name: 'prompts.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('instruction\nName a colour.\nName a fruit.\nName a river.\n'),
  });
  await page.getByText('3 rows · columns: instruction').waitFor();
  await chooseOpenAI(page, server.url, 'test-model');
  await runToCompletion(page);

  await page.getByText('Push to the Hugging Face Hub').click();
  await hubSettings(page, HUB_TOKENS.aliceWrite);
  // The token's account names the repository until the person types another.
  const repository = page.getByRole('textbox', { name: 'Hub repository' });
  await expect.poll(() => repository.inputValue()).toBe('alice/prompts');
  await page.getByRole('checkbox', { name: 'Private' }).check();
  await page.getByRole('combobox', { name: 'License' }).selectOption('mit');
  await page.getByRole('button', { name: 'Push to Hub' }).click();
  const link = page.getByRole('link', { name: `${hub.url}/datasets/alice/prompts` });
  await link.waitFor();
  expect(await link.getAttribute('href')).toBe(`${hub.url}/datasets/alice/prompts`);

  const repo = hub.repos.get('alice/prompts')!;
  expect(repo.private).toBe(true);
  expect([...repo.files.keys()].sort()).toEqual([
    'README.md',
    'data/train-00000-of-00001.parquet',
    'retort-recipe.json',
  ]);
  const data = repo.files.get('data/train-00000-of-00001.parquet')!;
  const pushedRows = await parquetReadObjects({ file: data.slice().buffer });
  expect(pushedRows).toEqual(await exportJsonl(page));
  const card = new TextDecoder().decode(repo.files.get('README.md'));
  expect(parse(card.split(/^---$/m)[1])).toMatchObject({
    license: 'mit',
    tags: ['synthetic', 'distilabel', 'retort'],
    dataset_info: { splits: [{ name: 'train', num_examples: 3 }] },
  });
  for (const file of repo.files.values()) {
    expect(new TextDecoder().decode(file)).not.toContain(HUB_TOKENS.aliceWrite);
  }

  // A fresh profile: the recipe is found by the dataset id, with a token that may read it.
  const second = await freshPage();
  await second.getByText('From the Hugging Face Hub or a URL').click();
  await hubSettings(second, HUB_TOKENS.alice);
  await second
    .getByRole('textbox', { name: 'Recipe on the Hub (dataset id)' })
    .fill('alice/prompts');
  await second.getByRole('button', { name: 'Open from Hub' }).click();
  await second.getByRole('status').filter({ hasText: 'Opened the recipe' }).waitFor();
  expect(await second.getByRole('combobox', { name: 'Task' }).inputValue()).toBe('text_generation');
  expect(await second.getByRole('textbox', { name: 'Base URL', exact: true }).inputValue()).toBe(
    server.url,
  );
  expect(await second.getByRole('combobox', { name: 'Model' }).inputValue()).toBe('test-model');

  // A dataset pushed without Retort has no recipe, and the page says so.
  await second
    .getByRole('textbox', { name: 'Recipe on the Hub (dataset id)' })
    .fill('retort/instructions');
  await second.getByRole('button', { name: 'Open from Hub' }).click();
  await second
    .getByRole('alert')
    .filter({ hasText: 'The dataset “retort/instructions” has no retort-recipe.json' })
    .waitFor();
});
