import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { readRows, sweepOrphanPages } from '../../src/engine/db/datasets';
import { db } from '../../src/engine/db/schema';
import { dpoFormat, type FormatColumns, sftFormat } from '../../src/engine/formats/trainingFormats';
import { exportRun } from '../../src/engine/io/exportRun';
import { createOpenAIModel } from '../../src/engine/llm/openai';
import { combineRuns, datasetFromRun } from '../../src/engine/run/derive';
import type { Row } from '../../src/engine/task';
import { startTestServer, type TestServer } from '../server/openaiServer';
import { boundRun, clearDatabase, runWith, storeDataset, textGenerationRun } from './fixtures';

const HELLO_SHA256 = '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824';

describe('DPO pairs', () => {
  const row = {
    instruction: 'hello',
    generations: ['a', 'b', 'c'],
    generation_models: ['m1', 'm2', 'm3'],
    ratings: [3, 5, 1],
  };

  it('picks the best-rated as chosen and the worst as rejected, with models, ratings and a prompt hash', async () => {
    expect(await pairOf(row)).toEqual({
      ...row,
      prompt: 'hello',
      prompt_id: HELLO_SHA256,
      chosen: [
        { role: 'user', content: 'hello' },
        { role: 'assistant', content: 'b' },
      ],
      chosen_model: 'm2',
      chosen_rating: 5,
      rejected: [
        { role: 'user', content: 'hello' },
        { role: 'assistant', content: 'c' },
      ],
      rejected_model: 'm3',
      rejected_rating: 1,
    });
  });

  it('never counts an unreadable rating, and gives no pair for ties or a single rating', async () => {
    const pair = await pairOf({ ...row, ratings: [null, 4, 2] });
    expect([pair.chosen_rating, pair.rejected_rating]).toEqual([4, 2]);
    expect(await dpoFormat.format({ ...row, ratings: [null, 4, null] })).toEqual({
      skipped: 'with fewer than two readable ratings',
    });
    expect(await dpoFormat.format({ ...row, ratings: [4, 4, 4] })).toEqual({
      skipped: expect.stringMatching(/^with ratings that all tie/),
    });
  });

  it('starts the conversations with the system prompt when there is one', async () => {
    const pair = await pairOf({ ...row, system_prompt: 'Be kind.' });
    expect((pair.chosen as unknown[])[0]).toEqual({ role: 'system', content: 'Be kind.' });
  });

  it('reads each input from the column mapped onto it', async () => {
    const pair = await pairOf(
      { question: 'hello', answers: ['a', 'b'], ratings: [1, 2] },
      { instruction: 'question', generations: 'answers' },
    );
    expect(pair).toMatchObject({ question: 'hello', prompt: 'hello', prompt_id: HELLO_SHA256 });
    expect(pair.chosen).toEqual([
      { role: 'user', content: 'hello' },
      { role: 'assistant', content: 'b' },
    ]);
    expect(pair).not.toHaveProperty('instruction');
  });

  it('skips a row without an instruction instead of prompting "undefined"', async () => {
    const { instruction: _, ...noInstruction } = row;
    expect(await dpoFormat.format(noInstruction)).toEqual({
      skipped: expect.stringMatching(/^without an instruction/),
    });
    expect(await dpoFormat.format({ ...row, instruction: 42 })).toHaveProperty('skipped');
  });
});

/** The one pair a row gives. */
async function pairOf(row: Row, columns?: FormatColumns): Promise<Row> {
  const result = await dpoFormat.format(row, columns);
  if (!('rows' in result)) throw new Error(`no pair: ${result.skipped}`);
  expect(result.rows).toHaveLength(1);
  return result.rows[0];
}

describe('SFT conversations', () => {
  it('turns instruction and generation into messages, and skips an empty generation', async () => {
    expect(await sftFormat.format({ instruction: 'hello', generation: 'hi!' })).toEqual({
      rows: [
        {
          instruction: 'hello',
          generation: 'hi!',
          prompt: 'hello',
          prompt_id: HELLO_SHA256,
          messages: [
            { role: 'user', content: 'hello' },
            { role: 'assistant', content: 'hi!' },
          ],
        },
      ],
    });
    expect(await sftFormat.format({ instruction: 'hello', generation: null })).toEqual({
      skipped: 'without a generation (empty, or it failed)',
    });
  });

  it('makes one conversation per generation of a list, leaving out the empty ones', async () => {
    const result = await sftFormat.format({ instruction: 'hello', generation: ['a', null, 'b'] });
    expect(result).toMatchObject({
      rows: [
        { generation: 'a', messages: [{ role: 'user' }, { role: 'assistant', content: 'a' }] },
        { generation: 'b', messages: [{ role: 'user' }, { role: 'assistant', content: 'b' }] },
      ],
    });
  });

  it('skips a row whose instruction is missing or not text', async () => {
    expect(await sftFormat.format({ generation: 'hi!' })).toHaveProperty('skipped');
    expect(await sftFormat.format({ instruction: ['x'], generation: 'hi!' })).toHaveProperty(
      'skipped',
    );
  });
});

describe('chains of runs', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());
  beforeEach(async () => {
    await clearDatabase();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  async function completedRun(datasetId: string, model: string) {
    const run = await textGenerationRun(datasetId, { baseURL: server.url, model });
    await runWith(
      run,
      createOpenAIModel({ baseURL: server.url, model }),
      new AbortController().signal,
    );
    return run;
  }

  const twoPrompts = () => storeDataset([{ instruction: 'one' }, { instruction: 'two' }]);

  it('combines the answers of two models into generations and generation_models', async () => {
    const datasetId = await twoPrompts();
    const a = await completedRun(datasetId, 'model-a');
    const b = await completedRun(datasetId, 'model-b');
    const combined = await combineRuns(await Promise.all([a.id, b.id].map(boundRun)));
    expect(combined.columns).toEqual(['instruction', 'generations', 'generation_models']);
    expect(combined.derivedFrom).toEqual({ kind: 'combine', runIds: [a.id, b.id] });
    expect(await readRows(combined.id, 0, 2)).toEqual([
      {
        instruction: 'one',
        generations: ['[model-a] echo: one', '[model-b] echo: one'],
        generation_models: ['model-a', 'model-b'],
      },
      {
        instruction: 'two',
        generations: ['[model-a] echo: two', '[model-b] echo: two'],
        generation_models: ['model-a', 'model-b'],
      },
    ]);
  });

  it('makes a dataset of a run, without the metadata', async () => {
    const run = await completedRun(await twoPrompts(), 'model-a');
    const dataset = await datasetFromRun(await boundRun(run.id));
    expect(dataset.columns).toEqual(['instruction', 'generation', 'model_name']);
    expect(dataset.derivedFrom).toEqual({ kind: 'results', runId: run.id });
    expect(dataset.rowCount).toBe(2);
  });

  it('exports a run over a run’s results with each engine column once, the new run’s value winning', async () => {
    const first = await completedRun(await twoPrompts(), 'model-a');
    const second = await completedRun(
      (await datasetFromRun(await boundRun(first.id))).id,
      'model-b',
    );
    const { file } = await exportRun(await boundRun(second.id), { format: 'csv' });
    const [header, row] = (await file.text()).split('\r\n');
    expect(header).toBe('instruction,generation,rating,comment,model_name,distilabel_metadata');
    expect(row).toMatch(/^one,\[model-b\] echo: one,,,model-b,/);
  });

  it('turns a full disk while making a dataset of runs into a storage error', async () => {
    const datasetId = await twoPrompts();
    const a = await completedRun(datasetId, 'model-a');
    const b = await completedRun(datasetId, 'model-b');
    vi.spyOn(db.rowPages, 'bulkPut').mockRejectedValue(
      new DOMException('The quota has been exceeded.', 'QuotaExceededError'),
    );
    const [boundA, boundB] = [await boundRun(a.id), await boundRun(b.id)];
    for (const make of [() => datasetFromRun(boundA), () => combineRuns([boundA, boundB])]) {
      const error = await make().catch((e: unknown) => e);
      expect(error).toMatchObject({
        kind: 'storage',
        message: expect.stringMatching(
          /^This browser could not store the dataset "prompts · .*" \(QuotaExceededError: The quota has been exceeded\.\)\. Free some disk space/,
        ),
      });
    }
    expect(await db.datasets.count()).toBe(1);
  });

  it('refuses a DPO export of rows that have no ratings, naming what is missing', async () => {
    const run = await completedRun(await twoPrompts(), 'model-a');
    await expect(
      exportRun(await boundRun(run.id), { format: 'jsonl', shape: 'dpo' }),
    ).rejects.toThrow(/lack generations, ratings/);
  });
});

describe('pages left by an interrupted import', () => {
  beforeEach(clearDatabase);

  it('are swept, and the pages of real datasets stay', async () => {
    const kept = await storeDataset([{ instruction: 'one' }]);
    await db.rowPages.bulkPut([
      { datasetId: 'cut-short', page: 0, rows: [{ a: 1 }] },
      { datasetId: 'cut-short', page: 1, rows: [{ a: 2 }] },
    ]);
    expect(await sweepOrphanPages()).toBe(2);
    expect(await db.rowPages.toCollection().primaryKeys()).toEqual([[kept, 0]]);
  });
});
