import Papa from 'papaparse';
import { beforeEach, describe, expect, it } from 'vitest';
import type { TaskSpec } from '../../src/engine/bound';
import {
  judge,
  markForRegeneration,
  restoreJudgements,
  storedKeysOfPage,
  storeResults,
} from '../../src/engine/db/results';
import { createRun } from '../../src/engine/db/runs';
import { db, type Result } from '../../src/engine/db/schema';
import { exportRun } from '../../src/engine/io/exportRun';
import { withExamples } from '../../src/engine/run/examples';
import { defaultRunSettings } from '../../src/engine/task';
import { bindSpec } from '../../src/tasks';
import { boundRun, clearDatabase, prompts, storeDataset, storedResults } from './fixtures';

/**
 * The storage rules of a person's judgement: it sits beside the model's
 * result and never over it, a regenerated answer keeps the old one in its
 * history, and the run's counters always match what is stored.
 */
beforeEach(clearDatabase);

const answer = (rowIndex: number, text: string, over: Partial<Result> = {}) => ({
  rowIndex,
  generation: 0,
  status: 'done' as const,
  formatFailed: false,
  outputs: { generation: text },
  modelName: 'model-a',
  metadata: {
    raw_output_text_generation: text,
    statistics_text_generation: { input_tokens: 4, output_tokens: 2 },
  },
  ...over,
});

async function runOfThree() {
  const run = await createRun(
    {
      datasetId: await storeDataset(prompts(3)),
      taskId: 'text_generation',
      taskParams: {},
      settings: defaultRunSettings,
      provider: { provider: 'openai', baseURL: 'http://127.0.0.1:1/v1', model: 'model-a' },
      sampling: {},
      concurrency: 1,
    },
    3,
  );
  await storeResults(
    run.id,
    [
      answer(0, 'Red.'),
      answer(1, 'Blue.'),
      answer(2, '', { status: 'failed', outputs: {}, error: 'HTTP 500' }),
    ].map((r) => ({ ...r, runId: run.id })),
  );
  return run.id;
}

const counters = async (runId: string) => (await db.runs.get(runId))!.counters;
const first = { rowIndex: 0, generation: 0 };
const second = { rowIndex: 1, generation: 0 };

describe('a judgement', () => {
  it('keeps an edit beside the model’s answer, never over it, and Undo puts it back', async () => {
    const runId = await runOfThree();
    const before = await judge(runId, [first], { edits: { generation: 'Crimson.' } });
    const [edited] = await storedResults(runId);
    expect(edited.outputs).toEqual({ generation: 'Red.' });
    expect(edited.metadata.raw_output_text_generation).toBe('Red.');
    expect(edited.judgement).toMatchObject({ edits: { generation: 'Crimson.' } });
    expect(await counters(runId)).toMatchObject({ edited: 1, done: 2, failed: 1 });

    await restoreJudgements(runId, before);
    const [restored] = await storedResults(runId);
    expect(restored.judgement).toBeUndefined();
    expect(restored.outputs).toEqual({ generation: 'Red.' });
    expect(await counters(runId)).toMatchObject({ edited: 0 });
  });

  it('counts ratings as they change, with a comment, and deletions until restored', async () => {
    const runId = await runOfThree();
    await judge(runId, [first, second], { rating: 'good' });
    await judge(runId, [second], { rating: 'bad', comment: '  Too short.  ' });
    expect(await counters(runId)).toMatchObject({ good: 1, bad: 1 });
    expect((await storedResults(runId))[1].judgement).toMatchObject({
      rating: 'bad',
      comment: 'Too short.',
    });
    await judge(runId, [second], { rating: null, comment: null });
    expect((await storedResults(runId))[1].judgement).toEqual({ at: expect.any(Number) });

    await judge(runId, [first, second], { deleted: true });
    expect(await counters(runId)).toMatchObject({ deleted: 2, good: 1, bad: 0 });
    await judge(runId, [first], { deleted: false });
    expect(await counters(runId)).toMatchObject({ deleted: 1 });
  });
});

describe('regenerating', () => {
  it('makes a generation pending, then keeps the replaced answer, judged, in its history', async () => {
    const runId = await runOfThree();
    await judge(runId, [first], { rating: 'bad', comment: 'Wrong colour.' });
    expect(await markForRegeneration(runId, [first])).toBe(1);
    expect(await counters(runId)).toMatchObject({ done: 1, bad: 0 });
    expect([...(await storedKeysOfPage(runId, 0))]).toEqual(['1:0', '2:0']);

    await storeResults(runId, [{ ...answer(0, 'Green.'), runId }]);
    const [regenerated] = await storedResults(runId);
    expect(regenerated.outputs).toEqual({ generation: 'Green.' });
    expect(regenerated.judgement).toBeUndefined();
    expect(regenerated.regenerating).toBeUndefined();
    expect(regenerated.history).toMatchObject([
      { outputs: { generation: 'Red.' }, judgement: { rating: 'bad', comment: 'Wrong colour.' } },
    ]);
    expect(await counters(runId)).toMatchObject({ done: 2, failed: 1, bad: 0, inputTokens: 12 });
  });

  it('marks only the failed generations for Retry failed', async () => {
    const runId = await runOfThree();
    expect(await markForRegeneration(runId, 'failed')).toBe(1);
    expect(await counters(runId)).toMatchObject({ done: 2, failed: 0 });
    expect([...(await storedKeysOfPage(runId, 0))]).toEqual(['0:0', '1:0']);
    // Marking again changes nothing.
    expect(await markForRegeneration(runId, 'failed')).toBe(0);
  });
});

describe('the exports of a judged run', () => {
  /** A run of two generations a row over three rows, every answer stored. */
  async function twoEach(groupGenerations = false) {
    const run = await createRun(
      {
        datasetId: await storeDataset(prompts(3)),
        taskId: 'text_generation',
        taskParams: {},
        settings: { ...defaultRunSettings, numGenerations: 2, groupGenerations },
        provider: { provider: 'openai', baseURL: 'http://127.0.0.1:1/v1', model: 'model-a' },
        sampling: {},
        concurrency: 1,
      },
      6,
    );
    await storeResults(
      run.id,
      [0, 1, 2].flatMap((row) =>
        [0, 1].map((generation) => ({
          ...answer(row, `answer ${row}.${generation}`),
          generation,
          runId: run.id,
        })),
      ),
    );
    return run.id;
  }

  const rowsOf = async (runId: string, request: Parameters<typeof exportRun>[1]) => {
    const { file, skipped } = await exportRun(await boundRun(runId), request);
    const text = await file.text();
    return {
      rows: text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
      skipped,
    };
  };

  it('carries edits, ratings and comments, keeps the raw output, and leaves deleted rows out', async () => {
    const runId = await twoEach();
    await judge(runId, [first], { edits: { generation: 'edited answer' }, rating: 'good' });
    await judge(runId, [{ rowIndex: 0, generation: 1 }], { rating: 'bad', comment: 'Vague.' });
    await judge(runId, [second, { rowIndex: 2, generation: 1 }], { deleted: true });
    const { rows, skipped } = await rowsOf(runId, { format: 'jsonl' });
    expect(rows.map((r) => [r.instruction, r.generation, r.rating, r.comment])).toEqual([
      ['prompt 0', 'edited answer', 'good', null],
      ['prompt 0', 'answer 0.1', 'bad', 'Vague.'],
      ['prompt 1', 'answer 1.1', null, null],
      ['prompt 2', 'answer 2.0', null, null],
    ]);
    expect(rows[0].distilabel_metadata.raw_output_text_generation).toBe('answer 0.0');
    expect(skipped).toBe('2 rows were left out: 2 deleted.');

    const good = await rowsOf(runId, { format: 'jsonl', onlyGood: true });
    expect(good.rows.map((r) => r.generation)).toEqual(['edited answer']);
    expect(good.skipped).toBe('5 rows were left out: 3 not rated good, 2 deleted.');
  });

  it('writes the same cells to CSV as to JSON Lines: metadata as its JSON text, a failure’s error in it', async () => {
    const asCells = (row: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries(row).map(([column, value]) => [
          column,
          value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value),
        ]),
      );
    const csvOf = async (runId: string) => {
      const { file } = await exportRun(await boundRun(runId), { format: 'csv' });
      return Papa.parse<Record<string, string>>(await file.text(), {
        header: true,
        skipEmptyLines: true,
      }).data;
    };

    const runId = await runOfThree();
    await judge(runId, [{ rowIndex: 1, generation: 0 }], { edits: { generation: 'Teal.' } });
    const { rows } = await rowsOf(runId, { format: 'jsonl' });
    expect(await csvOf(runId)).toEqual(rows.map(asCells));
    expect(rows.map((r) => r.generation)).toEqual(['Red.', 'Teal.', null]);
    expect(rows[2].distilabel_metadata).toMatchObject({ error: 'HTTP 500' });

    // Grouped generations: one row holds each column's list, the metadata's too.
    const grouped = await twoEach(true);
    const groupedRows = (await rowsOf(grouped, { format: 'jsonl' })).rows;
    expect(await csvOf(grouped)).toEqual(groupedRows.map(asCells));
    expect(groupedRows[0].distilabel_metadata).toHaveLength(2);
    expect(groupedRows[0].distilabel_metadata[1].raw_output_text_generation).toBe('answer 0.1');
  });

  it('pairs a row’s good and bad generations as DPO pairs, the person’s edit included', async () => {
    const runId = await twoEach();
    await judge(runId, [first], { rating: 'good', edits: { generation: 'the better answer' } });
    await judge(runId, [{ rowIndex: 0, generation: 1 }], { rating: 'bad' });
    await judge(runId, [second], { rating: 'good' });
    const { rows, skipped } = await rowsOf(runId, { format: 'jsonl', shape: 'dpo' });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      prompt: 'prompt 0',
      chosen: [
        { role: 'user', content: 'prompt 0' },
        { role: 'assistant', content: 'the better answer' },
      ],
      chosen_rating: 'good',
      chosen_model: 'model-a',
      rejected: [
        { role: 'user', content: 'prompt 0' },
        { role: 'assistant', content: 'answer 0.1' },
      ],
      rejected_rating: 'bad',
    });
    expect(skipped).toBe('2 rows were left out: 2 with fewer than two readable ratings.');
  });
});

describe('rated rows as examples', () => {
  const specOf = async (
    runId: string,
    count = 3,
    taskId = 'text_generation',
  ): Promise<TaskSpec & { datasetId: string }> => {
    const run = (await db.runs.get(runId))!;
    return {
      datasetId: run.datasetId,
      taskId,
      taskParams: {},
      settings: { ...defaultRunSettings, fewShot: { fromRunId: runId, count } },
    };
  };

  it('are the first generations rated good and kept, with the person’s edits, as rows of inputs and outputs', async () => {
    const runId = await runOfThree();
    await judge(runId, [second], { rating: 'good' });
    await judge(runId, [first], { rating: 'good', edits: { generation: 'Crimson.' } });
    const { examples } = await withExamples(await specOf(runId), bindSpec);
    expect(examples).toEqual([
      { instruction: 'prompt 0', generation: 'Crimson.' },
      { instruction: 'prompt 1', generation: 'Blue.' },
    ]);
    expect((await withExamples(await specOf(runId, 1), bindSpec)).examples).toHaveLength(1);

    // A deleted one is no example; a rated bad one neither.
    await judge(runId, [first], { deleted: true });
    await judge(runId, [second], { rating: 'bad' });
    expect((await withExamples(await specOf(runId), bindSpec)).examples).toEqual([]);
  });

  it('are none for a task that takes no examples, and an error from a run whose task writes other columns', async () => {
    const runId = await runOfThree();
    await judge(runId, [first], { rating: 'good' });
    const judging = await withExamples(await specOf(runId, 3, 'ultrafeedback_honesty'), bindSpec);
    expect(judging.examples).toBeUndefined();
    await expect(withExamples(await specOf(runId, 3, 'custom_json'), bindSpec)).rejects.toThrow(
      'The run picked for examples has no "name", "summary"',
    );
  });
});
