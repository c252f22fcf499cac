import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { decodePage, encodePage } from '../../src/engine/db/resultColumns';
import { type Result, RetortDB } from '../../src/engine/db/schema';

/**
 * Stored data survives upgrades: a database written by version 1 of the
 * schema, opened by today's, keeps every record, and its runs read as today's.
 */
const NAME = 'retort-upgrade-test';

afterEach(() => Dexie.delete(NAME));

/** The stores of earlier versions of the schema, as they declared them. */
const EARLIER_STORES = {
  1: {
    datasets: 'id, created',
    rowPages: '[datasetId+page]',
    runs: 'id, datasetId, status, created',
    results: '[runId+rowIndex+generation], [runId+status]',
  },
  2: {
    datasets: 'id, created',
    rowPages: '[datasetId+page]',
    runs: 'id, datasetId, status, created',
    resultPages: '[runId+page]',
    resultMeta: '[runId+page]',
  },
};

/** Writes a database exactly as an earlier version of the schema did. */
async function writeVersion(
  version: keyof typeof EARLIER_STORES,
  write: (db: Dexie) => Promise<unknown>,
): Promise<void> {
  const old = new Dexie(NAME);
  old.version(version).stores(EARLIER_STORES[version]);
  await write(old);
  old.close();
}

const settingsV1 = {
  numGenerations: 2,
  groupGenerations: false,
  addRawOutput: true,
  addRawInput: true,
  inputMapping: { instruction: 'prompt' },
};
const countersV1 = {
  total: 4,
  done: 3,
  failed: 1,
  formatFailed: 1,
  inputTokens: 9,
  outputTokens: 12,
};

function runV1(id: string, taskId: string, taskParams: object) {
  return {
    id,
    datasetId: 'd1',
    taskId,
    taskParams,
    settings: settingsV1,
    provider: { provider: 'openai', baseURL: 'http://127.0.0.1:1/v1', model: 'm' },
    sampling: { temperature: 0 },
    concurrency: 4,
    status: 'completed',
    counters: countersV1,
    created: 1,
    updated: 2,
  };
}

describe('the version 2 upgrade', () => {
  it('moves structured output from task parameters into run settings, and counts no cut answers yet', async () => {
    await writeVersion(1, async (db) => {
      await db.table('datasets').add({
        id: 'd1',
        name: 'prompts',
        columns: ['prompt'],
        rowCount: 2,
        source: 'prompts.csv',
        created: 1,
      });
      await db
        .table('rowPages')
        .add({ datasetId: 'd1', page: 0, rows: [{ prompt: 'a' }, { prompt: 'b' }] });
      await db
        .table('runs')
        .bulkAdd([
          runV1('judge', 'ultrafeedback_overall_rating', { structuredOutput: true }),
          runV1('plain', 'ultrafeedback_overall_rating', {}),
          runV1('labels', 'text_classification', { labels: ['a', 'b'] }),
          runV1('labels-off', 'text_classification', { labels: ['a'], structuredOutput: false }),
          runV1('schema', 'structured_generation', { schema: '{}' }),
        ]);
      await db.table('results').bulkAdd([
        {
          runId: 'judge',
          rowIndex: 0,
          generation: 0,
          status: 'done',
          formatFailed: false,
          outputs: { ratings: [4] },
          modelName: 'm',
          metadata: { raw_output_ultrafeedback_overall_rating: 'Rating: 4' },
        },
        {
          runId: 'judge',
          rowIndex: 1,
          generation: 0,
          status: 'failed',
          formatFailed: false,
          outputs: {},
          modelName: 'm',
          metadata: {},
          error: 'HTTP 500',
        },
      ]);
    });

    const db = new RetortDB(NAME);
    const runs = Object.fromEntries((await db.runs.toArray()).map((run) => [run.id, run]));
    const structured = (id: string) => [runs[id].settings.structuredOutput, runs[id].taskParams];
    expect(structured('judge')).toEqual([true, {}]);
    expect(structured('plain')).toEqual([false, {}]);
    expect(structured('labels')).toEqual([true, { labels: ['a', 'b'] }]);
    expect(structured('labels-off')).toEqual([false, { labels: ['a'] }]);
    expect(structured('schema')).toEqual([true, { schema: '{}' }]);
    for (const run of Object.values(runs)) {
      expect(run.counters).toEqual({
        ...countersV1,
        cut: 0,
        good: 0,
        bad: 0,
        edited: 0,
        deleted: 0,
      });
      expect(run.settings).toMatchObject(settingsV1);
    }
    // Nothing else is touched or lost.
    expect(await db.datasets.get('d1')).toMatchObject({ name: 'prompts', rowCount: 2 });
    expect((await db.rowPages.get(['d1', 0]))?.rows).toEqual([{ prompt: 'a' }, { prompt: 'b' }]);
    const [page, ...others] = await db.resultPages.toArray();
    expect(others).toEqual([]);
    expect([page.runId, page.page]).toEqual(['judge', 0]);
    const [meta] = await db.resultMeta.toArray();
    const results = decodePage(page, meta);
    expect(results[0].metadata).toEqual({ raw_output_ultrafeedback_overall_rating: 'Rating: 4' });
    expect(results.map((r) => [r.rowIndex, r.status, r.outputs, r.error])).toEqual([
      [0, 'done', { ratings: [4] }, undefined],
      [1, 'failed', {}, 'HTTP 500'],
    ]);
    db.close();
  });

  it('packs a run’s results a page of rows to a record, in order, losing none', async () => {
    const rows = 2_500;
    await writeVersion(1, async (db) => {
      await db.table('runs').add(runV1('big', 'text_generation', {}));
      await db.table('runs').add(runV1('small', 'text_generation', {}));
      // Two generations a row, written out of order, as a resumed run would have.
      const result = (runId: string, rowIndex: number, generation: number) => ({
        runId,
        rowIndex,
        generation,
        status: 'done',
        formatFailed: false,
        outputs: { generation: `${runId} ${rowIndex}.${generation}` },
        modelName: 'm',
        metadata: {},
      });
      const all = Array.from({ length: rows * 2 }, (_, i) => result('big', i >> 1, i & 1));
      await db.table('results').bulkAdd(all.reverse());
      await db.table('results').add(result('small', 7, 0));
    });

    const db = new RetortDB(NAME);
    const pages = await db.resultPages.orderBy(':id').toArray();
    expect(pages.map((p) => [p.runId, p.page, p.rowIndex.length])).toEqual([
      ['big', 0, 2_000],
      ['big', 1, 2_000],
      ['big', 2, 1_000],
      ['small', 0, 1],
    ]);
    const big = pages.filter((p) => p.runId === 'big').flatMap((p) => decodePage(p));
    expect(big.map((r) => r.outputs.generation)).toEqual(
      Array.from({ length: rows * 2 }, (_, i) => `big ${i >> 1}.${i & 1}`),
    );
    expect(db.tables.map((t) => t.name).sort()).toEqual([
      'datasets',
      'resultMeta',
      'resultPages',
      'rowPages',
      'runs',
    ]);
    db.close();
  });
});

describe('the version 3 upgrade', () => {
  it('keeps each result’s metadata, now as its JSON text, and touches nothing else', async () => {
    const result = (rowIndex: number, metadata: Record<string, unknown>): Result => ({
      runId: 'r1',
      rowIndex,
      generation: 0,
      status: 'done',
      formatFailed: false,
      outputs: { generation: `answer ${rowIndex}` },
      modelName: 'm',
      metadata,
    });
    const metadata: Record<string, unknown>[] = [
      {
        raw_output_text_generation: 'answer 0',
        raw_input_text_generation: [{ role: 'user', content: 'Café ☕, "quoted"' }],
        statistics_text_generation: { input_tokens: 5, output_tokens: 2 },
      },
      {},
      { raw_output_text_generation: null, constructor: 'a key like any other' },
    ];
    const results = metadata.map((m, i) => result(i, m));
    const { columns } = encodePage('r1', 0, results);
    await writeVersion(2, async (db) => {
      await db.table('resultPages').add(columns);
      // Version 2: a column per metadata key, undefined where a result has none.
      await db.table('resultMeta').add({
        runId: 'r1',
        page: 0,
        metadata: {
          raw_output_text_generation: ['answer 0', undefined, null],
          raw_input_text_generation: [metadata[0].raw_input_text_generation, undefined, undefined],
          statistics_text_generation: [
            metadata[0].statistics_text_generation,
            undefined,
            undefined,
          ],
          constructor: [undefined, undefined, 'a key like any other'],
        },
        history: [null, null, null],
      });
    });

    const db = new RetortDB(NAME);
    const [meta, ...others] = await db.resultMeta.toArray();
    expect(others).toEqual([]);
    expect(meta.metadataJson.map((text) => JSON.parse(text))).toEqual(metadata);
    expect(decodePage((await db.resultPages.get(['r1', 0]))!, meta)).toEqual(results);
    expect(meta).not.toHaveProperty('metadata');
    db.close();
  });
});
