import type { z } from 'zod';
import type { AnyParams, PromptTask, Row, TaskInput } from '../engine/task';
import { renderTemplate, templateVariables } from '../engine/template';
import { chat } from './rows';

/** Reads one template variable from a (mapped) row: `name` is the variable's own. */
export type VariableReader<P> = (row: Row, name: string, params: P) => unknown;

export interface PromptTaskConfig<P extends AnyParams>
  extends Omit<PromptTask<P>, 'kind' | 'formatInput'> {
  /**
   * The system prompt: a Jinja template over the same variables as the user
   * prompt, or a function giving the text itself (a person's setting, a row's column).
   */
  system?: string | ((params: z.infer<P>, row: Row) => string | undefined);
  /** The user prompt: a Jinja template, fixed or one of the task's parameters. */
  template: string | ((params: z.infer<P>) => string);
  /**
   * How each variable a fixed template uses is read from the row. Without it
   * the template reads the row's columns as they are (a person's own template).
   */
  variables?: Record<string, VariableReader<z.infer<P>>>;
}

/**
 * The shape most tasks share: a row's variables rendered into a system prompt
 * and a user prompt. A fixed template's placeholders are checked against the
 * variables when the catalog loads, as distilabel's `_validate_templates`
 * does, so a misspelt one fails at once rather than on some row.
 */
export function promptTask<P extends AnyParams>(config: PromptTaskConfig<P>): PromptTask<P> {
  const { system, template, variables, ...task } = config;
  if (variables) {
    for (const source of [system, template]) {
      if (typeof source !== 'string') continue;
      const unknown = templateVariables(source).filter((v) => !Object.hasOwn(variables, v));
      if (unknown.length > 0)
        throw new Error(`The ${task.id} prompt uses ${unknown.join(', ')}, which it never reads.`);
    }
  }
  return {
    ...task,
    kind: 'prompt',
    formatInput(row, params) {
      const values = variables
        ? Object.fromEntries(
            Object.entries(variables).map(([name, read]) => [name, read(row, name, params)]),
          )
        : row;
      const systemText =
        typeof system === 'function'
          ? system(params, row)
          : system && renderTemplate(system, values);
      const source = typeof template === 'string' ? template : template(params);
      return chat(systemText || undefined, renderTemplate(source, values));
    },
  };
}

/** A template variable that is one of the task's settings (or made from them), not a column. */
export function setting<P, T>(pick: (params: P) => T): VariableReader<P> {
  return (_row, _name, params) => pick(params);
}

/** A person's template's inputs: each column it reads. */
export function templateInputs(source: string): TaskInput[] {
  return templateVariables(source).map((name) => ({
    name,
    description: 'Used by the prompt template',
  }));
}
