import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import {
  FIXTURE_ROWS,
  HUB_TOKENS,
  type HubServer,
  LONG_ROWS,
  longRows,
  startHubServer,
} from '../tests/server/hubServer';
import { launchChromium, serveApp } from './support';

/**
 * Datasets from the Hugging Face Hub and from a URL, in the browser, against
 * the loopback fake of the Hub on another port (so every request is
 * cross-origin, as to huggingface.co): by id with a config and split, from a
 * Parquet URL by range requests, a gated dataset and a refused token said
 * plainly, and Sign in with Hugging Face where the app has an OAuth client id.
 */
let browser: Browser;
let app: Awaited<ReturnType<typeof serveApp>>;
let hub: HubServer;

beforeAll(async () => {
  [browser, app, hub] = await Promise.all([launchChromium(), serveApp(), startHubServer()]);
});
afterAll(async () => {
  await Promise.all([browser?.close(), app?.close(), hub?.close()]);
});
beforeEach(() => {
  hub.requests.length = 0;
});

/**
 * The app in a fresh profile, its Hub address pointed at the fake. With
 * `oauthClientId`, the page is as in a static Space with OAuth, where the Hub
 * sets window.huggingface.variables.
 */
async function freshPage(oauthClientId?: string): Promise<Page> {
  const context = await browser.newContext();
  if (oauthClientId) {
    await context.addInitScript((id) => {
      Object.assign(window, { huggingface: { variables: { OAUTH_CLIENT_ID: id } } });
    }, oauthClientId);
  }
  const page = await context.newPage();
  await page.goto(app.url);
  await openHubPanel(page);
  await page.getByRole('textbox', { name: 'Hub address' }).fill(hub.url);
  return page;
}

async function openHubPanel(page: Page): Promise<void> {
  await page.getByText('From the Hugging Face Hub or a URL').click();
}

async function findDataset(page: Page, id: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Hub dataset' }).fill(id);
  await page.getByRole('button', { name: 'Find dataset' }).click();
}

/** The selected dataset's name and rows, read from the app's IndexedDB. */
function selectedRows(page: Page, name: string): Promise<unknown[]> {
  return page.evaluate(
    (wanted) =>
      new Promise<unknown[]>((resolve, reject) => {
        const open = indexedDB.open('retort');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const datasets = db.transaction('datasets').objectStore('datasets').getAll();
          datasets.onsuccess = () => {
            const dataset = (datasets.result as { id: string; name: string }[]).find(
              (d) => d.name === wanted,
            );
            if (!dataset) return reject(new Error(`no dataset ${wanted}`));
            const range = IDBKeyRange.bound([dataset.id, 0], [dataset.id, Infinity]);
            const pages = db.transaction('rowPages').objectStore('rowPages').getAll(range);
            pages.onsuccess = () => {
              db.close();
              resolve((pages.result as { rows: unknown[] }[]).flatMap((p) => p.rows));
            };
          };
        };
      }),
    name,
  );
}

async function datasetOptions(page: Page): Promise<string[]> {
  const select = page.getByRole('combobox', { name: 'Dataset' });
  return (await select.count()) ? select.locator('option').allTextContents() : [];
}

test('imports a config and split of a Hub dataset by id, rows exact, and selects it', async () => {
  const page = await freshPage();
  // Without an OAuth client id, a token is the one way in.
  expect(await page.getByRole('button', { name: 'Sign in with Hugging Face' }).count()).toBe(0);
  await findDataset(page, 'retort/instructions');
  await page.getByRole('combobox', { name: 'Config' }).selectOption('hard');
  expect(
    await page.getByRole('combobox', { name: 'Split' }).locator('option').allTextContents(),
  ).toEqual(['train']);
  await page.getByRole('button', { name: 'Import from Hub' }).click();
  const dataset = page.getByRole('combobox', { name: 'Dataset' });
  await expect
    .poll(() => dataset.locator('option:checked').textContent())
    .toBe('retort/instructions/hard/train (2 rows)');
  expect(await selectedRows(page, 'retort/instructions/hard/train')).toEqual(
    FIXTURE_ROWS['retort/instructions'].hard.train,
  );
  // Read cross-origin with no token: none was given.
  expect(hub.requests.every((request) => !request.authorized)).toBe(true);
  await page.context().close();
});

test('imports a Parquet file by URL with range requests, and the first rows of a split by the row groups that hold them', async () => {
  const page = await freshPage();
  const path = '/datasets/retort/instructions/resolve/main/data/long.parquet';
  await page.getByRole('textbox', { name: 'Dataset URL' }).fill(`${hub.url}${path}`);
  await page.getByRole('button', { name: 'Import from URL' }).click();
  await expect
    .poll(() => datasetOptions(page), { timeout: 30_000 })
    .toContain(`long (${LONG_ROWS.toLocaleString('en-US')} rows)`);
  expect(await selectedRows(page, 'long')).toEqual(longRows());
  const reads = hub.requests.filter((request) => request.path === path);
  expect(reads.filter((r) => r.method === 'GET' && !r.range)).toEqual([]);
  expect(reads.filter((r) => r.method === 'HEAD')).toHaveLength(1);

  hub.requests.length = 0;
  await findDataset(page, 'retort/instructions');
  await page.getByRole('combobox', { name: 'Config' }).selectOption('long');
  await page.getByRole('spinbutton', { name: 'Row limit' }).fill('5');
  await page.getByRole('button', { name: 'Import from Hub' }).click();
  await expect
    .poll(() => datasetOptions(page))
    .toContain('retort/instructions/long/train (5 rows)');
  expect(await selectedRows(page, 'retort/instructions/long/train')).toEqual(
    longRows().slice(0, 5),
  );
  const size = hub.repos.get('retort/instructions')!.parquet.long.train[0].length;
  const read = hub.requests
    .filter((r) => r.method === 'GET' && r.path.endsWith('/long/train/0000.parquet'))
    .reduce((sum, { range }) => {
      const [, from, to] = range!.match(/^bytes=(\d+)-(\d*)$/)!;
      return sum + (to ? Number(to) : size - 1) - Number(from) + 1;
    }, 0);
  expect(read).toBeGreaterThan(0);
  expect(read).toBeLessThan(size / 2);
  await page.context().close();
});

test('a gated dataset and a refused token are said plainly, and nothing is stored', async () => {
  const page = await freshPage();
  const token = page.getByRole('textbox', { name: 'Hub token' });
  await token.fill(HUB_TOKENS.bob);
  await findDataset(page, 'retort/gated');
  const alert = page.getByRole('alert');
  await alert.filter({ hasText: 'is a gated dataset' }).waitFor();
  expect(await alert.textContent()).toBe(
    `"retort/gated" is a gated dataset: to read it, accept its conditions on the Hub page (${hub.url}/datasets/retort/gated), then use a token of that account (this one has no access yet).`,
  );

  await token.fill(HUB_TOKENS.unknown);
  await page.getByRole('button', { name: 'Find dataset' }).click();
  await alert.filter({ hasText: /^The Hub refused the token/ }).waitFor();
  expect(await alert.textContent()).not.toContain(HUB_TOKENS.unknown);
  expect(await datasetOptions(page)).toEqual([]);

  // The token stays out of storage until the person ticks Remember token.
  const stored = () => page.evaluate(() => localStorage.getItem('retort-hub') ?? '');
  await expect.poll(stored).toContain(hub.url);
  expect(await stored()).not.toContain(HUB_TOKENS.unknown);
  await page.getByRole('checkbox', { name: 'Remember token' }).check();
  await expect.poll(stored).toContain(HUB_TOKENS.unknown);
  await page.context().close();
});

test('Sign in with Hugging Face takes the token the Hub gives, which reads a private dataset', async () => {
  const page = await freshPage('retort-test-client');
  // The fake's authorize page sends the browser straight back with a code.
  await Promise.all([
    page.waitForURL(/[?&]code=/, { waitUntil: 'commit' }),
    page.getByRole('button', { name: 'Sign in with Hugging Face' }).click(),
  ]);
  await openHubPanel(page);
  await page.getByRole('status').filter({ hasText: 'The token of alice.' }).waitFor();
  expect(new URL(page.url()).search).toBe('');
  expect(await page.getByRole('textbox', { name: 'Hub token' }).inputValue()).toBe(
    HUB_TOKENS.alice,
  );

  await findDataset(page, 'retort/private');
  await page.getByRole('button', { name: 'Import from Hub' }).click();
  await expect.poll(() => datasetOptions(page)).toContain('retort/private/default/train (1 row)');
  await page.context().close();
});
