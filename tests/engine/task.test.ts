import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  defaultRunSettings,
  mapRow,
  missingInputs,
  outputRows,
  type RunSettings,
  readGeneration,
  type StoredGeneration,
  type Task,
  taskInputs,
} from '../../src/engine/task';

/** A task whose answer must be "score: N": enough to see every engine rule at work. */
const scorer: Task = {
  id: 'scorer',
  label: 'Scorer',
  description: 'test',
  group: 'Judging',
  params: z.object({}),
  inputs: [{ name: 'text', description: 'what to score' }],
  outputs: ['score'],
  formatInput: (row) => [{ role: 'user', content: `Score: ${row.text}` }],
  formatOutput(text) {
    const match = /score:\s*(\d+)/i.exec(text);
    if (!match) throw new Error('no score');
    return { score: Number(match[1]) };
  },
};

const usage = { inputTokens: 7, outputTokens: 3, reported: true };
const settings: RunSettings = { ...defaultRunSettings };

function generate(text: string | null, s: RunSettings = settings) {
  const row = { text: 'a cat' };
  const messages = scorer.formatInput(row, {});
  return readGeneration(scorer, {}, s, { row, messages, text, usage });
}

describe('a generation read with distilabel semantics', () => {
  it('keeps the parsed columns, the raw output and input and the token statistics', () => {
    const generation = generate('Score: 4');
    expect(generation.outputs).toEqual({ score: 4 });
    expect(generation.formatFailed).toBe(false);
    expect(generation.metadata).toEqual({
      raw_output_scorer: 'Score: 4',
      raw_input_scorer: [{ role: 'user', content: 'Score: a cat' }],
      statistics_scorer: { input_tokens: 7, output_tokens: 3 },
    });
  });

  it('nulls every output and keeps the raw output when the answer cannot be read', () => {
    const generation = generate('I would rather not say.');
    expect(generation.outputs).toEqual({ score: null });
    expect(generation.formatFailed).toBe(true);
    expect(generation.metadata.raw_output_scorer).toBe('I would rather not say.');
  });

  it('treats an empty or missing answer as a format failure', () => {
    for (const text of ['', '   ', null]) {
      const generation = generate(text);
      expect(generation.outputs).toEqual({ score: null });
      expect(generation.formatFailed).toBe(true);
    }
  });

  it('leaves out the raw output and input when they are turned off, but keeps statistics', () => {
    const generation = generate('Score: 2', {
      ...settings,
      addRawOutput: false,
      addRawInput: false,
    });
    expect(Object.keys(generation.metadata)).toEqual(['statistics_scorer']);
  });
});

describe('output rows', () => {
  const stored = (generation: number, text: string | null): StoredGeneration => ({
    generation,
    status: 'done',
    modelName: 'test-model',
    ...generate(text),
  });
  const generations = [stored(0, 'Score: 5'), stored(1, 'no idea'), stored(2, 'score: 3')];

  it('gives one row per generation, each with model_name, when not grouped', () => {
    const rows = outputRows({ text: 'a cat' }, generations, ['score'], false);
    expect(rows.map((r) => r.score)).toEqual([5, null, 3]);
    expect(rows.every((r) => r.model_name === 'test-model' && r.text === 'a cat')).toBe(true);
    expect(Object.keys(rows[0])).toEqual(['text', 'score', 'model_name', 'distilabel_metadata']);
  });

  it('groups 3 generations, one unreadable, into list columns in one row', () => {
    const [row, ...rest] = outputRows({ text: 'a cat' }, generations, ['score'], true);
    expect(rest).toEqual([]);
    expect(row.score).toEqual([5, null, 3]);
    expect(row.model_name).toBe('test-model');
    const metadata = row.distilabel_metadata as Record<string, unknown>[];
    expect(metadata.map((m) => m.raw_output_scorer)).toEqual(['Score: 5', 'no idea', 'score: 3']);
    expect(Object.keys(row)).toEqual(['text', 'score', 'model_name', 'distilabel_metadata']);
  });

  it('keeps the error of a failed generation in its metadata', () => {
    const failed: StoredGeneration = {
      generation: 0,
      status: 'failed',
      outputs: {},
      modelName: 'm',
      metadata: {},
      error: 'HTTP 500',
    };
    const [row] = outputRows({ text: 'x' }, [failed], ['score'], false);
    expect(row.score).toBeNull();
    expect(row.distilabel_metadata).toEqual({ error: 'HTTP 500' });
  });
});

describe('input mappings', () => {
  it('feeds a task input from a dataset column of another name', () => {
    const inputs = taskInputs(scorer, {});
    const row = mapRow({ review: 'great soup' }, inputs, { inputMapping: { text: 'review' } });
    expect(scorer.formatInput(row, {})).toEqual([{ role: 'user', content: 'Score: great soup' }]);
  });

  it('names a required input that no column feeds, and the columns there are', () => {
    const [problem] = missingInputs(taskInputs(scorer, {}), ['review', 'id'], { inputMapping: {} });
    expect(problem).toContain('"text"');
    expect(problem).toContain('review, id');
  });

  it('names a mapping to a column that does not exist', () => {
    const [problem] = missingInputs(taskInputs(scorer, {}), ['review'], {
      inputMapping: { text: 'body' },
    });
    expect(problem).toContain('"body"');
  });
});
