import { parquetReadObjects } from 'hyparquet';
import { beforeEach, describe, expect, it } from 'vitest';
import { storeResults } from '../../src/engine/db/results';
import { createRun } from '../../src/engine/db/runs';
import type { Run } from '../../src/engine/db/schema';
import { exportRun } from '../../src/engine/io/exportRun';
import {
  defaultRunSettings,
  type Outputs,
  type Row,
  type RunSettings,
} from '../../src/engine/task';
import { boundRun, clearDatabase, storeDataset } from './fixtures';

/**
 * A run over `rows` with its results stored as given: `outputs[i]` holds row
 * i's generations. Training exports read only what is stored, so no model is needed.
 */
async function storedRun(
  rows: Row[],
  taskId: string,
  outputs: Outputs[][],
  settings: Partial<RunSettings> = {},
): Promise<Run> {
  const datasetId = await storeDataset(rows);
  const run = await createRun(
    {
      datasetId,
      taskId,
      taskParams: {},
      settings: { ...defaultRunSettings, ...settings },
      provider: { provider: 'openai', baseURL: 'http://127.0.0.1:1', model: 'm' },
      sampling: {},
      concurrency: 1,
    },
    rows.length,
  );
  await storeResults(
    run.id,
    outputs.flatMap((generations, rowIndex) =>
      generations.map((out, generation) => ({
        runId: run.id,
        rowIndex,
        generation,
        status: 'done' as const,
        formatFailed: false,
        outputs: out,
        modelName: 'm',
        metadata: { generation },
      })),
    ),
  );
  return run;
}

async function jsonl(run: Run, shape: 'dpo' | 'sft') {
  const { file, skipped } = await exportRun(await boundRun(run.id), { format: 'jsonl', shape });
  const lines = (await file.text()).trimEnd().split('\n');
  return { objects: lines.map((line) => JSON.parse(line) as Row), skipped };
}

beforeEach(clearDatabase);

describe('SFT export of a run', () => {
  it('keeps a column that only later rows have, in every row', async () => {
    const run = await storedRun(
      [{ instruction: 'one' }, { instruction: 'two', system_prompt: 'Be brief.' }],
      'text_generation',
      [[{ generation: 'a' }], [{ generation: 'b' }]],
    );
    const { objects } = await jsonl(run, 'sft');
    const columns = [
      'instruction',
      'system_prompt',
      'generation',
      'rating',
      'comment',
      'model_name',
      'distilabel_metadata',
      'prompt',
      'prompt_id',
      'messages',
    ];
    expect(objects.map((o) => Object.keys(o))).toEqual([columns, columns]);
    expect(objects[0].system_prompt).toBeNull();
    expect(objects[1].messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'two' },
      { role: 'assistant', content: 'b' },
    ]);

    const { file } = await exportRun(await boundRun(run.id), { format: 'csv', shape: 'sft' });
    expect((await file.text()).split('\r\n')[0]).toBe(columns.join(','));
  });

  it('writes one conversation per generation of a run that grouped them', async () => {
    const run = await storedRun(
      [{ instruction: 'one' }, { instruction: 'two' }],
      'text_generation',
      [
        [{ generation: 'a1' }, { generation: 'a2' }],
        [{ generation: 'b1' }, { generation: null }],
      ],
      { numGenerations: 2, groupGenerations: true },
    );
    const { objects, skipped } = await jsonl(run, 'sft');
    expect(objects.map((o) => [o.prompt, o.generation, o.distilabel_metadata])).toEqual([
      ['one', 'a1', { generation: 0 }],
      ['one', 'a2', { generation: 1 }],
      ['two', 'b1', { generation: 0 }],
    ]);
    expect(skipped).toBe('1 row was left out: 1 without a generation (empty, or it failed).');
  });

  it('reads the instruction from the column the run mapped onto it', async () => {
    const run = await storedRun(
      [{ question: 'hello' }],
      'text_generation',
      [[{ generation: 'hi' }]],
      {
        inputMapping: { instruction: 'question' },
      },
    );
    const { objects } = await jsonl(run, 'sft');
    expect(objects[0]).toMatchObject({ question: 'hello', prompt: 'hello' });
    expect(objects[0]).not.toHaveProperty('instruction');
  });

  it('says, for SFT, how many rows were left out and why when none gives a conversation', async () => {
    const run = await storedRun([{ instruction: 'one' }, { instruction: '' }], 'text_generation', [
      [{ generation: null }],
      [{ generation: 'b' }],
    ]);
    await expect(
      exportRun(await boundRun(run.id), { format: 'jsonl', shape: 'sft' }),
    ).rejects.toThrow(
      'No row of this run gives an SFT conversation: 2 rows were left out: 1 without a generation (empty, or it failed), 1 without an instruction (it is missing, empty or not text). A conversation needs an instruction and a generation that is not empty: resume the run',
    );
  });
});

describe('DPO export of a run', () => {
  const rated = (ratings: unknown[]) => ({ ratings, rationales: ratings.map(() => 'why') });

  it('reads the prompt and the answers from the columns the run mapped', async () => {
    const run = await storedRun(
      [
        { question: 'q1', answers: ['a', 'b'], generation_models: ['x', 'y'] },
        { question: 'q2', answers: ['c', 'd'], generation_models: ['x', 'y'] },
      ],
      'ultrafeedback_honesty',
      [[rated([2, 5])], [rated([3, 3])]],
      { inputMapping: { instruction: 'question', generations: 'answers' } },
    );
    const { objects, skipped } = await jsonl(run, 'dpo');
    expect(objects).toHaveLength(1);
    expect(objects[0]).toMatchObject({
      prompt: 'q1',
      chosen: [
        { role: 'user', content: 'q1' },
        { role: 'assistant', content: 'b' },
      ],
      chosen_model: 'y',
      rejected_rating: 2,
    });
    expect(skipped).toMatch(/^1 row was left out: 1 with ratings that all tie/);

    // Parquet reads the rows twice; the rows left out are counted once, and progress counts pairs.
    const progress: number[] = [];
    const parquet = await exportRun(
      await boundRun(run.id),
      { format: 'parquet', shape: 'dpo' },
      (rows) => progress.push(rows),
    );
    expect(parquet.skipped).toBe(skipped);
    expect(progress.at(-1)).toBe(1);
    const read = await parquetReadObjects({ file: await parquet.file.arrayBuffer() });
    expect(read.map((r) => r.prompt)).toEqual(['q1']);
  });

  it('names a mapped column the rows do not have, and what to do', async () => {
    const run = await storedRun(
      [{ question: 'q', generations: ['a', 'b'] }],
      'ultrafeedback_honesty',
      [[rated([1, 2])]],
      { inputMapping: { instruction: 'prompt_text' } },
    );
    await expect(
      exportRun(await boundRun(run.id), { format: 'jsonl', shape: 'dpo' }),
    ).rejects.toThrow(
      /lack instruction \(mapped to "prompt_text", which they do not have\)\. Start the run with the column that holds the prompts mapped onto "instruction"\./,
    );
  });

  it('says, for DPO, how many rows were left out and why when none gives a pair', async () => {
    const run = await storedRun(
      [
        { instruction: 'one', generations: ['a', 'b'] },
        { instruction: 'two', generations: ['a', 'b'] },
        { generations: ['a', 'b'] },
      ],
      'ultrafeedback_honesty',
      [[rated([4, 4])], [rated([null, 3])], [rated([1, 2])]],
    );
    await expect(
      exportRun(await boundRun(run.id), { format: 'jsonl', shape: 'dpo' }),
    ).rejects.toThrow(
      /^No row of this run gives a DPO pair: 3 rows were left out: 1 with ratings that all tie \(a tie teaches no preference\), 1 with fewer than two readable ratings, 1 without an instruction .*\. A pair needs an instruction and at least two generations with different readable ratings: rate more/,
    );
  });
});
