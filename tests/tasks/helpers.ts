import { expect, it } from 'vitest';
import type { ChatMessage } from '../../src/engine/llm/types';
import {
  type Outputs,
  parseAnswer,
  pickColumns,
  type Row,
  resolveParams,
  type Task,
  taskInputs,
  taskOutputs,
} from '../../src/engine/task';
import { templateVariables } from '../../src/engine/template';

/** A task with any parameter shape, as the catalog holds them. */
// biome-ignore lint/suspicious/noExplicitAny: tests drive tasks of every parameter shape.
export type AnyTask = Task<any>;

/** The stored columns for an answer, as the engine records them (null on a format failure). */
export function read(task: AnyTask, row: Row, text: string | null, raw: unknown = {}): Outputs {
  const params = resolveParams(task, raw);
  return pickColumns(taskOutputs(task, params), parseAnswer(task, params, row, text));
}

/** All of the task's output columns null: what an unreadable answer must give. */
export function nulls(task: AnyTask, raw: unknown = {}): Outputs {
  return pickColumns(taskOutputs(task, resolveParams(task, raw)), null);
}

export function messages(task: AnyTask, row: Row, raw: unknown = {}): ChatMessage[] {
  return task.formatInput(row, resolveParams(task, raw));
}

export type AnswerCase = [name: string, answer: string | null, expected: Outputs | 'nulls'];

/** One test per answer: the columns read from it, compared in full. */
export function answers(task: AnyTask, row: Row, cases: AnswerCase[], raw: unknown = {}): void {
  it.each(cases)('reads %s', (_name, answer, expected) => {
    expect(read(task, row, answer, raw)).toEqual(
      expected === 'nulls' ? nulls(task, raw) : { ...nulls(task, raw), ...expected },
    );
  });
}

/** Answers that cannot be read with confidence, all of which must give nulls. */
export const UNREADABLE: AnswerCase[] = [
  ['an empty answer', '', 'nulls'],
  ['a blank answer', '  \n\t ', 'nulls'],
  ['no answer at all', null, 'nulls'],
  ['a refusal', "I'm sorry, but I can't help with that.", 'nulls'],
];

/** Every variable a template reads is one of the task's inputs or a name the task supplies. */
export function expectTemplateReads(template: string, allowed: readonly string[]): void {
  expect(templateVariables(template).filter((v) => !allowed.includes(v))).toEqual([]);
}

/** Each declared input name, for template checks. */
export function inputNames(task: AnyTask, raw: unknown = {}): string[] {
  return taskInputs(task, resolveParams(task, raw)).map((i) => i.name);
}
