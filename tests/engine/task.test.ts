import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { bindTask } from '../../src/engine/bound';
import { readGeneration } from '../../src/engine/generation';
import type { Choice } from '../../src/engine/llm/types';
import { outputRows, type StoredGeneration } from '../../src/engine/run/outputRows';
import { defaultRunSettings, type PromptTask, type RunSettings } from '../../src/engine/task';

/** A task whose answer must be "score: N": enough to see every engine rule at work. */
const scorer: PromptTask = {
  kind: 'prompt',
  id: 'scorer',
  label: 'Scorer',
  description: 'test',
  group: 'Judging',
  params: z.object({ scale: z.number().int().min(2).default(5).describe('Scale') }),
  inputs: [
    { name: 'text', description: 'what to score' },
    { name: 'note', description: 'a remark', optional: true },
  ],
  outputs: ['score'],
  formatInput: (row) => {
    if (typeof row.text !== 'string') throw new Error('The input "text" must be text.');
    return [{ role: 'user', content: `Score: ${row.text}` }];
  },
  formatOutput(text) {
    const match = /score:\s*(\d+)/i.exec(text);
    if (!match) throw new Error('no score');
    return { score: Number(match[1]) };
  },
  jsonSchema: () => ({ type: 'object', properties: { score: { type: 'integer' } } }),
};

const settings: RunSettings = { ...defaultRunSettings };
const bind = (over: Partial<RunSettings> = {}, taskParams: unknown = {}) =>
  bindTask(scorer, { taskParams, settings: { ...settings, ...over } });

const choice = (
  text: string | null,
  finish: Choice['finishReason']['unified'] = 'stop',
): Choice => ({
  text,
  usage: { inputTokens: 7, outputTokens: 3, reported: true },
  finishReason: { unified: finish, raw: finish },
});

function generate(text: string | null, s: Partial<RunSettings> = {}, finish?: 'length') {
  const bound = bind(s);
  const row = { text: 'a cat' };
  const messages = scorer.formatInput(row, bound.params);
  return readGeneration(bound, { row, messages, choice: choice(text, finish) });
}

describe('a bound task', () => {
  it("parses its parameters once, with defaults, and refuses invalid ones in the person's words", () => {
    expect(bind().params).toEqual({ scale: 5 });
    expect(() => bind({}, { scale: 1 })).toThrow(
      /^Check the Scorer settings\. Scale: it must be at least 2\.$/,
    );
  });

  it('finds a run ready when every required input has a column, and shows the first prompt', () => {
    expect(bind().check(['text', 'id'], { text: 'a cat', id: 1 })).toEqual({
      problems: [],
      preview: { messages: [{ role: 'user', content: 'Score: a cat' }] },
    });
  });

  it('names a required input that no column feeds, and the columns there are', () => {
    const { problems, preview } = bind().check(['review', 'id'], { review: 'x', id: 1 });
    expect(problems).toEqual([
      'The task needs a column "text", and the dataset has none. Map one of its columns (review, id) onto "text".',
    ]);
    expect(preview).toBeUndefined();
  });

  it('names a mapping to a column that does not exist', () => {
    const { problems } = bind({ inputMapping: { text: 'body' } }).check(['review']);
    expect(problems).toEqual([
      '"text" is mapped to the column "body", which the dataset does not have.',
    ]);
  });

  it('lists at most a dozen columns when it names them', () => {
    const columns = Array.from({ length: 5_000 }, (_, i) => `c${i}`);
    const [problem] = bind().check(columns).problems;
    expect(problem).toContain('c0, c1,');
    expect(problem).toContain('c11, … 4,988 more');
    expect(problem.length).toBeLessThan(300);
  });

  it('says why the first row cannot be prompted', () => {
    expect(bind().check(['text'], { text: 42 }).problems).toEqual([
      'The input "text" must be text.',
    ]);
  });

  it('refuses an output the engine writes itself', () => {
    const clashing = bindTask({ ...scorer, outputs: ['model_name'] }, { taskParams: {}, settings });
    expect(clashing.check(['text']).problems).toEqual([
      '"model_name" is a column Retort writes on every row: rename that output (a schema field or regex group).',
    ]);
  });

  it('feeds a task input from a dataset column of another name, own columns only', () => {
    const bound = bind({ inputMapping: { text: 'review' } });
    expect(bound.mapRow({ review: 'great soup', id: 3 })).toEqual({
      review: 'great soup',
      id: 3,
      text: 'great soup',
    });
    // A column named like an inherited property is not a column the row has.
    expect(bind({ inputMapping: { text: 'toString' } }).mapRow({ id: 1 })).toEqual({ id: 1 });
    expect(bound.preview({ review: 'great soup' })).toEqual({
      messages: [{ role: 'user', content: 'Score: great soup' }],
    });
  });

  it('sends the answer schema only when structured output is on', () => {
    expect(bind().jsonSchema({ text: 'x' })).toBeUndefined();
    expect(bind({ structuredOutput: true }).jsonSchema({ text: 'x' })).toEqual({
      type: 'object',
      properties: { score: { type: 'integer' } },
    });
  });
});

describe('a generation read with distilabel semantics', () => {
  it('keeps the parsed columns, the raw output and input, the token statistics and why it stopped', () => {
    const generation = generate('Score: 4');
    expect(generation.outputs).toEqual({ score: 4 });
    expect(generation.formatFailed).toBe(false);
    expect(generation.finishReason).toEqual({ unified: 'stop', raw: 'stop' });
    expect(generation.metadata).toEqual({
      raw_output_scorer: 'Score: 4',
      raw_input_scorer: [{ role: 'user', content: 'Score: a cat' }],
      statistics_scorer: { input_tokens: 7, output_tokens: 3 },
      finish_reason_scorer: 'stop',
    });
  });

  it('nulls every output and keeps the raw output when the answer cannot be read', () => {
    const generation = generate('I would rather not say.');
    expect(generation.outputs).toEqual({ score: null });
    expect(generation.formatFailed).toBe(true);
    expect(generation.metadata.raw_output_scorer).toBe('I would rather not say.');
  });

  it('records an answer cut at max tokens as cut, with the raw text kept', () => {
    const generation = generate('Let me think about the sco', {}, 'length');
    expect(generation.outputs).toEqual({ score: null });
    expect(generation.finishReason).toEqual({ unified: 'length', raw: 'length' });
    expect(generation.metadata.finish_reason_scorer).toBe('length');
    expect(generation.metadata.raw_output_scorer).toBe('Let me think about the sco');
  });

  it('treats an empty or missing answer as a format failure', () => {
    for (const text of ['', '   ', null]) {
      const generation = generate(text);
      expect(generation.outputs).toEqual({ score: null });
      expect(generation.formatFailed).toBe(true);
    }
  });

  it('leaves out the raw output and input when they are turned off, but keeps statistics', () => {
    const generation = generate('Score: 2', { addRawOutput: false, addRawInput: false });
    expect(Object.keys(generation.metadata)).toEqual(['statistics_scorer', 'finish_reason_scorer']);
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
    expect(Object.keys(rows[0])).toEqual([
      'text',
      'score',
      'rating',
      'comment',
      'model_name',
      'distilabel_metadata',
    ]);
  });

  it('groups 3 generations, one unreadable, into list columns in one row', () => {
    const [row, ...rest] = outputRows({ text: 'a cat' }, generations, ['score'], true);
    expect(rest).toEqual([]);
    expect(row.score).toEqual([5, null, 3]);
    expect(row.model_name).toBe('test-model');
    const metadata = row.distilabel_metadata as Record<string, unknown>[];
    expect(metadata.map((m) => m.raw_output_scorer)).toEqual(['Score: 5', 'no idea', 'score: 3']);
    expect(Object.keys(row)).toEqual([
      'text',
      'score',
      'rating',
      'comment',
      'model_name',
      'distilabel_metadata',
    ]);
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
