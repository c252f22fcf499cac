import { z } from 'zod';
import type { AnyParams, PromptTask, Row, TaskInput } from '../engine/task';
import { renderTemplate, templateVariables } from '../engine/template';
import { withExampleTurns } from './fewShot';
import { chat, listOf, textOf } from './rows';

/** A column a fixed template reads under its own name: what it holds, and how it is read. */
export interface Column<P> {
  description: string;
  optional?: boolean;
  /** Only some settings read it (Prometheus' reference answer). */
  when?: (params: P) => boolean;
  read: (row: Row, name: string) => unknown;
}

/** A text column; numbers and booleans become text. */
export function textColumn(description: string): Column<unknown> {
  return { description, read: textOf };
}

/** A list-of-texts column (a JSON array in a CSV cell too), of exactly `length` when given. */
export function listColumn(description: string, length?: number): Column<unknown> {
  return { description, read: (row, name) => listOf(row, name, length) };
}

type Params<P extends AnyParams> = z.infer<P>;

const noSettings = z.object({});
type NoSettings = typeof noSettings;

export interface PromptTaskConfig<P extends AnyParams>
  extends Omit<PromptTask<P>, 'kind' | 'formatInput' | 'inputs' | 'params'> {
  /** The task's settings; none when left out. */
  params?: P;
  /**
   * The system prompt: a Jinja template over the same variables as the user
   * prompt, or a function giving the text itself (a person's setting, a row's column).
   */
  system?: string | ((params: Params<P>, row: Row) => string | undefined);
  /** The user prompt: a Jinja template, fixed or one of the task's parameters. */
  template: string | ((params: Params<P>) => string);
  /**
   * The columns a fixed template reads, by name: they are the task's inputs.
   * Without them the template is the person's own and reads the row's columns
   * as they are; `inputs` then says which.
   */
  columns?: Record<string, Column<Params<P>>>;
  inputs?: PromptTask<P>['inputs'];
  /** Template variables made from the settings (or the row as a whole), beside the settings themselves. */
  derived?: Record<string, (params: Params<P>, row: Row) => unknown>;
}

/** The template variable that holds a few-shot task's examples: a list of rows. */
export const EXAMPLES_VARIABLE = 'examples';

/**
 * The shape most tasks share: a row rendered into a system prompt and a user
 * prompt. A fixed template sees its columns, the task's settings under their
 * own names, and the derived values; its placeholders are checked against
 * those when the catalog loads, as distilabel's `_validate_templates` does,
 * so a misspelt one fails at once rather than on some row. A few-shot task's
 * template sees its examples as `examples`; one that does not use them gets
 * them as earlier turns.
 */
export function promptTask<P extends AnyParams = NoSettings>(
  config: PromptTaskConfig<P>,
): PromptTask<P> {
  const { system, template, columns, inputs, derived = {}, params, ...task } = config;
  if (columns) checkPlaceholders(config);
  const columnInputs = (params: Params<P>): TaskInput[] =>
    Object.entries(columns ?? {})
      .filter(([, column]) => column.when?.(params) ?? true)
      .map(([name, { description, optional }]) => ({ name, description, optional }));
  return {
    ...task,
    kind: 'prompt',
    params: params ?? (noSettings as unknown as P),
    inputs: columns ? columnInputs : (inputs ?? []),
    formatInput(row, params, examples = []) {
      const source = typeof template === 'string' ? template : template(params);
      if (!task.fewShot || examples.length === 0) return messagesOf(row, params, source);
      if (templateVariables(source).includes(EXAMPLES_VARIABLE))
        return messagesOf({ ...row, [EXAMPLES_VARIABLE]: examples }, params, source);
      const outputs = typeof task.outputs === 'function' ? task.outputs(params) : task.outputs;
      return withExampleTurns(
        messagesOf(row, params, source),
        examples,
        (example) => messagesOf(example, params, source),
        outputs,
      );
    },
  };

  function messagesOf(row: Row, params: Params<P>, source: string) {
    const values = columns ? variablesOf(row, params) : row;
    const systemText =
      typeof system === 'function' ? system(params, row) : system && renderTemplate(system, values);
    return chat(systemText || undefined, renderTemplate(source, values));
  }

  function variablesOf(row: Row, params: Params<P>): Record<string, unknown> {
    const values: Record<string, unknown> = { ...params };
    for (const [name, make] of Object.entries(derived)) values[name] = make(params, row);
    for (const [name, column] of Object.entries(columns ?? {}))
      values[name] = (column.when?.(params) ?? true) ? column.read(row, name) : undefined;
    return values;
  }
}

/** Every placeholder of a fixed template is a column, a setting or a derived value. */
function checkPlaceholders<P extends AnyParams>(config: PromptTaskConfig<P>): void {
  const settings = Object.keys((config.params as unknown as z.ZodObject | undefined)?.shape ?? {});
  const known = new Set([
    ...Object.keys(config.columns ?? {}),
    ...Object.keys(config.derived ?? {}),
    ...settings,
  ]);
  for (const source of [config.system, config.template]) {
    if (typeof source !== 'string') continue;
    const unknown = templateVariables(source).filter((v) => !known.has(v));
    if (unknown.length > 0)
      throw new Error(`The ${config.id} prompt uses ${unknown.join(', ')}, which it never reads.`);
  }
}

/** A person's template's inputs: each column it reads (its few-shot examples are no column). */
export function templateInputs(source: string): TaskInput[] {
  return templateVariables(source)
    .filter((name) => name !== EXAMPLES_VARIABLE)
    .map((name) => ({
      name,
      description: 'Used by the prompt template',
    }));
}
