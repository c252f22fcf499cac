import { parquetMetadata } from 'hyparquet';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { iterateRowPages } from '../../src/engine/db/datasets';
import { db } from '../../src/engine/db/schema';
import { EngineError, type EngineErrorData, toErrorData } from '../../src/engine/errors';
import type { HubAccess } from '../../src/engine/hub/access';
import { hubAccount, hubDataset } from '../../src/engine/hub/datasets';
import { importFromHub } from '../../src/engine/hub/importHub';
import { importFromUrl } from '../../src/engine/io/url';
import {
  FIXTURE_ROWS,
  HUB_TOKENS,
  type HubServer,
  LONG_GROUP_ROWS,
  LONG_ROWS,
  longRows,
  startHubServer,
} from '../server/hubServer';

/**
 * Datasets come in from the Hub (a config and split of a dataset id, through
 * the Parquet files the Hub exposes) and from a file's URL, read against a
 * loopback fake of the Hub. Reads are HTTP range requests of only the bytes
 * needed; refusals say what to do, and store nothing.
 */
let hub: HubServer;
beforeAll(async () => {
  hub = await startHubServer();
});
afterAll(() => hub.close());
beforeEach(async () => {
  await db.datasets.clear();
  await db.rowPages.clear();
  hub.requests.length = 0;
});

const as = (token?: string): HubAccess => ({ endpoint: hub.url, token });

async function allRows(datasetId: string) {
  const rows = [];
  for await (const page of iterateRowPages(datasetId)) rows.push(...page.rows);
  return rows;
}

/** The command's error as data, after checking that nothing was stored. */
async function failure(command: Promise<unknown>): Promise<EngineErrorData> {
  const error = await command.then(
    () => new Error('it succeeded'),
    (thrown: unknown) => thrown,
  );
  if (!EngineError.isInstance(error) && !(error instanceof DOMException)) throw error;
  expect(await db.datasets.count()).toBe(0);
  expect(await db.rowPages.count()).toBe(0);
  return toErrorData(error);
}

/** The byte ranges the fake served of one path: [first, last] inclusive. */
function rangesOf(path: string, size: number): [number, number][] {
  return hub.requests
    .filter((request) => request.method === 'GET' && request.path === path)
    .map(({ range }) => {
      const [, from, to] = range?.match(/^bytes=(\d*)-(\d*)$/) ?? [];
      if (range === undefined) return [0, size - 1];
      return from === ''
        ? [size - Number(to), size - 1]
        : [Number(from), to ? Number(to) : size - 1];
    });
}

const LONG_SHARD = `/datasets/retort/instructions/resolve/${encodeURIComponent('refs/convert/parquet')}/long/train/0000.parquet`;

describe('a Hub dataset', () => {
  it('lists its configs and their splits', async () => {
    expect(await hubDataset(as(), 'retort/instructions')).toEqual({
      id: 'retort/instructions',
      private: false,
      gated: false,
      configs: [
        { name: 'default', splits: ['train', 'test'] },
        { name: 'hard', splits: ['train'] },
        { name: 'long', splits: ['train'] },
      ],
    });
  });

  it('takes the address of its Hub page for its id', async () => {
    const page = `${hub.url}/datasets/retort/instructions/viewer/hard/train`;
    expect((await hubDataset(as(), page)).id).toBe('retort/instructions');
  });

  it.each([
    ['default', 'test'],
    ['hard', 'train'],
  ] as const)(
    'imports config %s, split %s, rows exact, named after them',
    async (config, split) => {
      const dataset = await importFromHub(as(), { dataset: 'retort/instructions', config, split });
      const expected = (FIXTURE_ROWS['retort/instructions'][config] as Record<string, unknown[]>)[
        split
      ];
      expect(dataset).toMatchObject({
        name: `retort/instructions/${config}/${split}`,
        columns: ['instruction', 'id'],
        rowCount: expected.length,
      });
      expect(await allRows(dataset.id)).toEqual(expected);
    },
  );

  it('imports every row group of a long split, and reports rows and bytes', async () => {
    const progress: [number, number | undefined][] = [];
    const dataset = await importFromHub(
      as(),
      { dataset: 'retort/instructions', config: 'long', split: 'train' },
      (rows, bytes) => progress.push([rows, bytes]),
    );
    expect(await allRows(dataset.id)).toEqual(longRows());
    expect(progress.map(([rows]) => rows)).toEqual([1, 2, 3, 4].map((n) => n * LONG_GROUP_ROWS));
    const size = hub.repos.get('retort/instructions')!.parquet.long.train[0].length;
    expect(progress.at(-1)![1]).toBeGreaterThan(size * 0.9);
  });

  it('with a row limit, fetches only the row group that holds those rows, and the footer', async () => {
    const dataset = await importFromHub(as(), {
      dataset: 'retort/instructions',
      config: 'long',
      split: 'train',
      rowLimit: 10,
    });
    expect(await allRows(dataset.id)).toEqual(longRows().slice(0, 10));

    const file = hub.repos.get('retort/instructions')!.parquet.long.train[0];
    const groups = parquetMetadata(file.buffer as ArrayBuffer).row_groups.map((group) => {
      const starts = group.columns.map(({ meta_data }) =>
        Number(meta_data!.dictionary_page_offset ?? meta_data!.data_page_offset),
      );
      const first = Math.min(...starts);
      return [first, first + Number(group.total_compressed_size) - 1];
    });
    expect(groups).toHaveLength(4);
    const ranges = rangesOf(LONG_SHARD, file.length);
    // Every read is a range: the footer from the end, then the first row group's column chunks.
    expect(
      hub.requests.filter((r) => r.path === LONG_SHARD && r.method === 'GET' && !r.range),
    ).toEqual([]);
    const [footer, ...rest] = ranges;
    expect(footer[1]).toBe(file.length - 1);
    expect(footer[1] - footer[0]).toBeLessThan(64 * 1024);
    for (const [from, to] of rest) {
      expect(from).toBeGreaterThanOrEqual(groups[0][0]);
      expect(to).toBeLessThanOrEqual(groups[0][1]);
    }
    const read = ranges.reduce((sum, [from, to]) => sum + to - from + 1, 0);
    expect(read).toBeLessThan(file.length / 2);
  });

  it('stops when cancelled, and stores nothing', async () => {
    const controller = new AbortController();
    const error = await failure(
      importFromHub(
        as(),
        { dataset: 'retort/instructions', config: 'long', split: 'train' },
        () => controller.abort(),
        controller.signal,
      ),
    );
    expect(error.kind).toBe('aborted');
  });
});

describe('refusals say what to do and store nothing', () => {
  const request = (dataset: string) => ({ dataset, config: 'default', split: 'train' });

  it('a dataset that does not exist', async () => {
    const error = await failure(importFromHub(as(), request('retort/nothing-here')));
    expect(error).toMatchObject({ kind: 'input' });
    expect(error.message).toBe(
      `There is no dataset "retort/nothing-here" on ${hub.url}, or it is private: then enter a token of an account that can read it under Hub token. Check the id (owner/name, as in the address of its Hub page).`,
    );
    const withToken = await failure(hubDataset(as(HUB_TOKENS.bob), 'retort/nothing-here'));
    expect(withToken.message).toContain('or the account of this token cannot read it');
  });

  it('a private dataset without a token, or with a token of an account that cannot read it', async () => {
    expect((await failure(importFromHub(as(), request('retort/private')))).message).toContain(
      'or it is private',
    );
    expect(
      (await failure(importFromHub(as(HUB_TOKENS.bob), request('retort/private')))).message,
    ).toContain('cannot read it');
  });

  it('reads a private dataset with a token of an account that can', async () => {
    const dataset = await importFromHub(as(HUB_TOKENS.alice), request('retort/private'));
    expect(await allRows(dataset.id)).toEqual([{ text: 'secret' }]);
    // The token went with every request, and only as the Authorization header.
    expect(hub.requests.every((r) => r.account === 'alice')).toBe(true);
  });

  it('a token the Hub does not know', async () => {
    const expected = {
      kind: 'input',
      status: 401,
      message: `The Hub refused the token (HTTP 401). Check that it was copied whole and is still valid, or make a new one at ${hub.url}/settings/tokens.`,
    };
    expect(
      await failure(importFromHub(as(HUB_TOKENS.unknown), request('retort/instructions'))),
    ).toMatchObject(expected);
    expect(await failure(hubDataset(as(HUB_TOKENS.unknown), 'retort/instructions'))).toMatchObject(
      expected,
    );
    expect(await failure(hubAccount(as(HUB_TOKENS.unknown)))).toMatchObject(expected);
    expect((await failure(hubAccount(as('not-even-a-token')))).message).toBe(
      `A Hugging Face token starts with hf_. Copy it again from ${hub.url}/settings/tokens.`,
    );
  });

  it('a gated dataset without access: accept its conditions, then use a token of that account', async () => {
    const gated = `"retort/gated" is a gated dataset: to read it, accept its conditions on the Hub page (${hub.url}/datasets/retort/gated)`;
    const anonymous = await failure(hubDataset(as(), 'retort/gated'));
    expect(anonymous).toMatchObject({ kind: 'input', status: 401 });
    expect(anonymous.message).toBe(`${gated}, then enter a token of that account under Hub token.`);
    const notGranted = await failure(importFromHub(as(HUB_TOKENS.bob), request('retort/gated')));
    expect(notGranted.message).toBe(
      `${gated}, then use a token of that account (this one has no access yet).`,
    );
    const granted = await importFromHub(as(HUB_TOKENS.alice), request('retort/gated'));
    expect(await allRows(granted.id)).toEqual([{ text: 'gated' }]);
  });

  it('no network: the Hub address could not be reached', async () => {
    const closed = await startHubServer([]);
    await closed.close();
    const error = await failure(hubDataset({ endpoint: closed.url }, 'retort/instructions'));
    expect(error).toMatchObject({
      kind: 'network',
      message: `Could not reach ${closed.url} — check the Hub address and your connection.`,
    });
  });

  it('a config or split the dataset does not have', async () => {
    const error = await failure(
      importFromHub(as(), { dataset: 'retort/instructions', config: 'hard', split: 'test' }),
    );
    expect(error.message).toBe(
      'The Hub has no config "hard", split "test" of "retort/instructions". Find the dataset again to list what it has.',
    );
  });

  it('an id that is no owner/name, a row limit below 1, a Hub address that is no address', async () => {
    expect((await failure(hubDataset(as(), 'just-a-name'))).message).toMatch(
      /^"just-a-name" is no dataset id/,
    );
    expect(
      (await failure(importFromHub(as(), { ...request('retort/instructions'), rowLimit: 0 })))
        .message,
    ).toMatch(/row limit must be 1 or more/);
    expect((await failure(hubDataset({ endpoint: 'hub' }, 'a/b'))).message).toMatch(
      /"hub" is no web address/,
    );
  });
});

describe('the token', () => {
  it('is checked with whoami: whose it is and its role', async () => {
    expect(await hubAccount(as(HUB_TOKENS.alice))).toEqual({ name: 'alice', role: 'read' });
  });
});

describe('import from a URL', () => {
  const file = (path: string) => `${hub.url}/datasets/retort/instructions/resolve/main/${path}`;
  const small = [
    { instruction: 'Name three colours.', id: '0' },
    { instruction: 'Say "hi".', id: '1' },
  ];

  it('reads a Parquet file with range requests only, each byte once but for the footer', async () => {
    const dataset = await importFromUrl(as(), file('data/long.parquet'));
    expect(dataset).toMatchObject({
      name: 'long',
      rowCount: LONG_ROWS,
      source: file('data/long.parquet'),
    });
    expect(await allRows(dataset.id)).toEqual(longRows());
    const path = '/datasets/retort/instructions/resolve/main/data/long.parquet';
    const size = hub.repos.get('retort/instructions')!.files.get('data/long.parquet')!.length;
    expect(hub.requests.filter((r) => r.path === path && !r.range).map((r) => r.method)).toEqual([
      'HEAD',
    ]);
    const read = rangesOf(path, size).reduce((sum, [from, to]) => sum + to - from + 1, 0);
    expect(read).toBeLessThanOrEqual(size + 64 * 1024);
  });

  it.each([
    ['data/train.csv', small],
    ['data/train.jsonl', small.map((row, id) => ({ ...row, id }))],
  ])('reads %s, rows exact', async (path, rows) => {
    const dataset = await importFromUrl(as(), file(path));
    expect(await allRows(dataset.id)).toEqual(rows);
  });

  it('takes the address of a file’s Hub page (…/blob/…) for the file', async () => {
    const page = `${hub.url}/datasets/retort/instructions/blob/main/data/train.csv`;
    expect((await importFromUrl(as(), page)).rowCount).toBe(2);
  });

  it('sends the Hub token to the Hub only', async () => {
    const elsewhere = file('data/train.csv').replace('127.0.0.1', 'localhost');
    await importFromUrl(as(HUB_TOKENS.alice), elsewhere);
    await importFromUrl(as(HUB_TOKENS.alice), file('data/train.csv'));
    expect(hub.requests.map((r) => r.authorized)).toEqual([false, true]);
  });

  it('refuses a file that is no CSV, JSON Lines or Parquet, and says what the server called it', async () => {
    const error = await failure(importFromUrl(as(), file('README')));
    expect(error).toMatchObject({ kind: 'http', status: 404 });
    const markdown = await failure(importFromUrl(as(), file('README.md')));
    expect(markdown.message).toBe(
      `${file('README.md')} is not a CSV, JSON Lines or Parquet file (the server calls it application/octet-stream). Give the address of the file itself, ending in .csv, .jsonl or .parquet.`,
    );
  });

  it('a gated file on the Hub gives the gated message', async () => {
    const gated = `${hub.url}/datasets/retort/gated/resolve/main/data.parquet`;
    expect((await failure(importFromUrl(as(), gated))).message).toMatch(
      /"retort\/gated" is a gated dataset/,
    );
  });
});
