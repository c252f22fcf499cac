import { expect, it } from 'vitest';
import { bindTask } from '../../src/engine/bound';
import { parseAnswer, pickColumns } from '../../src/engine/generation';
import type { ChatMessage } from '../../src/engine/llm/types';
import {
  type AnyParams,
  type ChainContext,
  type ChainTask,
  defaultRunSettings,
  type Outputs,
  type Prompt,
  type PromptTask,
  type Row,
  resolveParams,
  type Task,
} from '../../src/engine/task';
import { templateVariables } from '../../src/engine/template';

/** A task with any parameter shape, as the catalog holds them. */
// biome-ignore lint/suspicious/noExplicitAny: tests drive tasks of every parameter shape.
export type AnyTask = Task<any>;
// biome-ignore lint/suspicious/noExplicitAny: as above.
type AnyPromptTask = PromptTask<any>;

/** The task bound to raw parameters, with the engine's default settings. */
export function bound(task: AnyTask, raw: unknown = {}) {
  return bindTask(task, { taskParams: raw, settings: defaultRunSettings });
}

/** The stored columns for an answer, as the engine records them (null on a format failure). */
export function read(
  task: AnyPromptTask,
  row: Row,
  text: string | null,
  raw: unknown = {},
): Outputs {
  const { outputs, params } = bound(task, raw);
  return pickColumns(outputs, parseAnswer(task, params, row, text));
}

/** All of the task's output columns null: what an unreadable answer must give. */
export function nulls(task: AnyTask, raw: unknown = {}): Outputs {
  return pickColumns(bound(task, raw).outputs, null);
}

export function messages(task: AnyPromptTask, row: Row, raw: unknown = {}): ChatMessage[] {
  return task.formatInput(row, resolveParams(task, raw));
}

export type AnswerCase = [name: string, answer: string | null, expected: Outputs | 'nulls'];

/**
 * One test per answer: the columns read from it, compared in full. A chain
 * task is run with every call answered so, as its one-call reading.
 */
export function answers(task: AnyTask, row: Row, cases: AnswerCase[], raw: unknown = {}): void {
  it.each(cases)('reads %s', async (_name, answer, expected) => {
    const got =
      task.kind === 'prompt'
        ? read(task, row, answer, raw)
        : pickColumns(bound(task, raw).outputs, await runChain(task, row, answer, raw));
    expect(got).toEqual(
      expected === 'nulls' ? nulls(task, raw) : { ...nulls(task, raw), ...expected },
    );
  });
}

/** A chain task's outputs when every call it makes gets `answer`. */
function runChain(task: ChainTask<AnyParams>, row: Row, answer: string | null, raw: unknown) {
  const chain: ChainContext = {
    complete: async () => answer,
    completeRaw: async () => answer,
    random: () => 0,
  };
  return task.run(row, bound(task, raw).params, chain);
}

/** What the first call of a generation sends, as the preview shows it. */
export function preview(task: AnyTask, row: Row, raw: unknown = {}): Prompt {
  return bound(task, raw).preview(row);
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
  return bound(task, raw).inputs.map((i) => i.name);
}
