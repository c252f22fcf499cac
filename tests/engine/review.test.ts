import { beforeEach, describe, expect, it } from 'vitest';
import { storeResults } from '../../src/engine/db/results';
import { createRun } from '../../src/engine/db/runs';
import type { Result } from '../../src/engine/db/schema';
import { rowDetails } from '../../src/engine/review/details';
import { runStatistics } from '../../src/engine/review/statistics';
import { openView, type ViewSpec, viewLines } from '../../src/engine/review/views';
import { defaultRunSettings, type Row } from '../../src/engine/task';
import { bindSpec } from '../../src/tasks';
import { boundRun, clearDatabase, storeDataset } from './fixtures';

beforeEach(clearDatabase);

/** A run of `taskId` over the dataset, with these results stored. */
async function runWith(
  datasetId: string,
  results: Omit<Result, 'runId' | 'modelName' | 'metadata'>[],
  { model = 'model-a', taskId = 'text_generation', numGenerations = 2 } = {},
) {
  const run = await createRun(
    {
      datasetId,
      taskId,
      taskParams: {},
      settings: { ...defaultRunSettings, numGenerations },
      provider: { provider: 'openai', baseURL: 'http://127.0.0.1:1/v1', model },
      sampling: {},
      concurrency: 1,
      pricing: { inputPerMillion: 1_000_000, outputPerMillion: 2_000_000 },
    },
    3 * numGenerations,
  );
  await storeResults(
    run.id,
    results.map((r, i) => ({
      ...r,
      runId: run.id,
      modelName: model,
      at: 1_000 + i * 1_000,
      metadata: { statistics_text_generation: { input_tokens: 10, output_tokens: 5 + i } },
    })),
  );
  return run.id;
}

const done = (rowIndex: number, generation: number, text: string) => ({
  rowIndex,
  generation,
  status: 'done' as const,
  formatFailed: false,
  outputs: { generation: text },
  finishReason: { unified: 'stop' as const, raw: 'stop' },
});

const ROWS: Row[] = [
  { instruction: 'Name a colour.', constructor: 'own value' },
  { instruction: 'Name a fruit.' },
  { instruction: 'Name a prime.' },
];

async function threeRowRun() {
  const datasetId = await storeDataset(ROWS);
  const runId = await runWith(datasetId, [
    done(0, 0, 'Red.'),
    done(0, 1, 'Blue.'),
    { ...done(1, 0, 'An app'), finishReason: { unified: 'length', raw: 'length' } },
    { ...done(1, 1, ''), outputs: { generation: null }, formatFailed: true },
    {
      rowIndex: 2,
      generation: 0,
      status: 'failed',
      formatFailed: false,
      outputs: {},
      error: 'HTTP 400: refused',
    },
  ]);
  return { datasetId, runId };
}

const view = (spec: ViewSpec) => openView(spec, bindSpec);

describe('a view of a run', () => {
  it('shows a line per row and generation, pending ones too, with inputs, outputs and model', async () => {
    const { datasetId, runId } = await threeRowRun();
    const state = await view({ datasetId, runId, show: 'all' });
    expect(state).toMatchObject({ length: 6, done: true });
    expect(state.columns.map((c) => `${c.from}:${c.name}`)).toEqual([
      'row:instruction',
      'row:constructor',
      'run:generation',
      'run:rating',
      'run:comment',
      'run:model_name',
    ]);
    const lines = await viewLines(state.id, 0, 10);
    expect(lines.map((l) => [l.rowIndex, l.generation, l.status, l.cells])).toEqual([
      [0, 0, 'done', ['Name a colour.', 'own value', 'Red.', '', '', 'model-a']],
      [0, 1, 'done', ['Name a colour.', 'own value', 'Blue.', '', '', 'model-a']],
      [1, 0, 'cut', ['Name a fruit.', '', 'An app', '', '', 'model-a']],
      [1, 1, 'unreadable', ['Name a fruit.', '', '', '', '', 'model-a']],
      [2, 0, 'failed', ['Name a prime.', '', '', '', '', 'model-a']],
      [2, 1, 'pending', ['Name a prime.', '', '', '', '', '']],
    ]);
  });

  it('filters by outcome', async () => {
    const { datasetId, runId } = await threeRowRun();
    const of = async (show: ViewSpec['show']) => {
      const state = await view({ datasetId, runId, show });
      return (await viewLines(state.id, 0, 10)).map((l) => [l.rowIndex, l.generation]);
    };
    expect(await of('failed')).toEqual([[2, 0]]);
    expect(await of('cut')).toEqual([[1, 0]]);
    expect(await of('unreadable')).toEqual([[1, 1]]);
    expect(await of('pending')).toEqual([[2, 1]]);
  });

  it('searches every cell for plain text in any case, or a regular expression', async () => {
    const { datasetId, runId } = await threeRowRun();
    const found = async (search: string) => {
      const state = await view({ datasetId, runId, show: 'all', search });
      return (await viewLines(state.id, 0, 10)).map((l) => [l.rowIndex, l.generation]);
    };
    expect(await found('FRUIT')).toEqual([
      [1, 0],
      [1, 1],
    ]);
    expect(await found('/^(Red|Blue)\\.$/')).toEqual([
      [0, 0],
      [0, 1],
    ]);
    expect(await found('/^b/i')).toEqual([[0, 1]]);
    await expect(view({ datasetId, runId, show: 'all', search: '/(unclosed/' })).rejects.toThrow(
      /^The search \/\(unclosed\/ is not a valid regular expression \(.+\)\. Fix it, or search for plain text/,
    );
  });

  it('streams a long search, and stops where it is when cancelled', async () => {
    const rows = Array.from({ length: 3_500 }, (_, i) => ({ n: `row ${i}` }));
    const datasetId = await storeDataset(rows);
    const seen: number[] = [];
    const state = await openView(
      { datasetId, show: 'all', search: '/row \\d*7$/' },
      bindSpec,
      (progress) => seen.push(progress.scanned),
    );
    expect(state).toMatchObject({ length: 350, scanned: 3_500, done: true });
    expect(seen.at(-1)).toBe(3_500);
    const stopped = await openView(
      { datasetId, show: 'all', search: 'row' },
      bindSpec,
      undefined,
      AbortSignal.abort(),
    );
    expect(stopped).toMatchObject({ done: false, length: 0, scanned: 0 });
  });

  it('shows a second run’s outputs beside the first’s, row by row', async () => {
    const { datasetId, runId } = await threeRowRun();
    const other = await runWith(datasetId, [done(0, 0, 'Green.'), done(1, 0, 'A pear.')], {
      model: 'model-b',
      numGenerations: 1,
    });
    const state = await view({ datasetId, runId, compareRunId: other, show: 'all' });
    expect(state.columns.map((c) => `${c.from}:${c.name}`).slice(2)).toEqual([
      'run:generation',
      'run:rating',
      'run:comment',
      'run:model_name',
      'compare:generation',
      'compare:model_name',
    ]);
    const [first, second] = await viewLines(state.id, 0, 2);
    expect(first.cells.slice(2)).toEqual(['Red.', '', '', 'model-a', 'Green.', 'model-b']);
    expect([second.compareStatus, second.cells[6]]).toEqual(['pending', '']);
  });

  it('shows a dataset before any run, and clips long cells', async () => {
    const datasetId = await storeDataset([{ text: 'x'.repeat(1_000) }]);
    const state = await view({ datasetId, show: 'all' });
    const [line] = await viewLines(state.id, 0, 5);
    expect(line.status).toBeUndefined();
    expect(line.cells[0]).toHaveLength(301);
    expect(line.cells[0].endsWith('…')).toBe(true);
  });
});

describe('a row in detail', () => {
  it('holds the row whole and every generation of each run with its metadata', async () => {
    const { datasetId, runId } = await threeRowRun();
    const details = await rowDetails({ datasetId, runIds: [runId] }, 2, bindSpec);
    expect(details.row).toEqual({ instruction: 'Name a prime.' });
    expect(details.runs[0].generations).toMatchObject([
      { rowIndex: 2, generation: 0, status: 'failed', error: 'HTTP 400: refused' },
    ]);
  });
});

describe('a run’s statistics', () => {
  it('counts outcomes, output lengths and tokens, values, tokens and cost per model, and pace', async () => {
    const { runId } = await threeRowRun();
    const stats = await runStatistics(await boundRun(runId));
    expect(stats.outcomes).toEqual({ done: 2, cut: 1, unreadable: 1, failed: 1, pending: 1 });
    const [lengths] = stats.lengths;
    expect(lengths.column).toBe('generation');
    expect(lengths.bins.reduce((sum, b) => sum + b.count, 0)).toBe(3);
    // Every answer has its tokens counted, read or not.
    expect(stats.tokens.reduce((sum, b) => sum + b.count, 0)).toBe(4);
    expect(stats.perModel).toEqual([
      {
        model: 'model-a',
        generations: 5,
        inputTokens: 50,
        outputTokens: 5 + 6 + 7 + 8 + 9,
        cost: 50 * 1 + 35 * 2,
      },
    ]);
    expect(stats.pace.reduce((sum, b) => sum + b.count, 0)).toBe(5);
  });

  it('counts ratings item by item, but not free text', async () => {
    const datasetId = await storeDataset(ROWS);
    const ratings = (rowIndex: number, values: (number | null)[]) => ({
      ...done(rowIndex, 0, ''),
      outputs: {
        ratings: values,
        rationales: values.map(
          (v) => `Text ${rowIndex} earns ${v} for its clear and correct answer.`,
        ),
      },
    });
    const runId = await runWith(
      datasetId,
      [ratings(0, [4, 5]), ratings(1, [5, null]), ratings(2, [2, 4])],
      { taskId: 'ultrafeedback_overall_rating', numGenerations: 1 },
    );
    const stats = await runStatistics(await boundRun(runId));
    expect(stats.values).toEqual([
      {
        column: 'ratings',
        counts: [
          { value: '2', count: 1 },
          { value: '4', count: 2 },
          { value: '5', count: 2 },
        ],
      },
    ]);
  });
});
