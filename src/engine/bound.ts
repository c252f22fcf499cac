import { toErrorData } from './errors';
import { listNames, shortName } from './names';
import {
  cell,
  ENGINE_COLUMNS,
  type Prompt,
  type PromptTask,
  type Row,
  type RunSettings,
  resolveParams,
  type Task,
  type TaskInput,
} from './task';

/** What names a run's task: its id, its parameters as stored, and the engine's settings. */
export interface TaskSpec {
  taskId: string;
  taskParams: unknown;
  settings: RunSettings;
  /**
   * The few-shot examples `settings.fewShot` names, read when the run starts
   * (run/examples.ts) and kept with it: a resumed run sends the same ones.
   */
  examples?: Row[];
}

/** A problem that stops a run before it starts, and the first row's prompt when there is none. */
export interface TaskCheck {
  problems: string[];
  preview?: Prompt;
}

/**
 * A task with its parameters parsed, once: everything the engine and the UI
 * ask of a run's task. The catalog binds (tasks/index.ts); the engine only
 * ever receives bound tasks.
 */
export interface BoundTask<T extends Task = Task> {
  readonly task: T;
  readonly params: unknown;
  readonly settings: RunSettings;
  /** The few-shot examples its prompts carry: none unless the task takes them and the run has some. */
  readonly examples: readonly Row[];
  readonly inputs: readonly TaskInput[];
  readonly outputs: readonly string[];
  /** Model calls one generation makes at most: 1 for a prompt task. */
  readonly callsPerGeneration: number;
  /** The dataset column that feeds an input: the mapping, else the column of its name. */
  columnFor(input: string): string;
  /** A dataset row as the task reads it: each input under its own name, the rest unchanged. */
  mapRow(row: Row): Row;
  /** The first call of a generation for a dataset row. Throws when the row cannot be read. */
  preview(row: Row): Prompt;
  /** The JSON schema to send with a chat call for this (mapped) row, when structured output is on. */
  jsonSchema(row: Row): Record<string, unknown> | undefined;
  /**
   * Problems that stop a run before it starts, in the person's words: inputs
   * no column feeds, outputs that clash with the engine's, and a first row
   * whose prompt cannot be made. Pure: the form and the worker ask the same.
   */
  check(columns: readonly string[], firstRow?: Row): TaskCheck;
}

/** Narrows a bound task to one of a prompt task or a chain task. */
export function isBoundPrompt(bound: BoundTask): bound is BoundTask<PromptTask> {
  return bound.task.kind === 'prompt';
}

/** The catalog's binding, which the engine is handed (it never looks tasks up itself). */
export type BindTask = (spec: TaskSpec) => BoundTask;

/** Binds a task to a spec's parameters and settings; an input error when the parameters are invalid. */
export function bindTask<T extends Task>(task: T, spec: Omit<TaskSpec, 'taskId'>): BoundTask<T> {
  const params = resolveParams(task, spec.taskParams);
  const { settings } = spec;
  const inputs = typeof task.inputs === 'function' ? task.inputs(params) : task.inputs;
  const outputs = typeof task.outputs === 'function' ? task.outputs(params) : task.outputs;
  const columnFor = (input: string) => cell(settings.inputMapping, input) || input;
  const fewShot = task.fewShot ? settings.fewShot : undefined;
  const examples = (fewShot && spec.examples) || [];

  const mapRow = (row: Row): Row => {
    const mapped: Row = { ...row };
    for (const input of inputs) {
      const column = columnFor(input.name);
      if (Object.hasOwn(row, column)) mapped[input.name] = row[column];
    }
    return mapped;
  };

  const preview = (row: Row): Prompt => {
    const mapped = mapRow(row);
    return task.kind === 'prompt'
      ? { messages: task.formatInput(mapped, params, examples) }
      : task.preview(mapped, params);
  };

  const missingInputs = (columns: readonly string[]): string[] =>
    inputs
      .filter((input) => !input.optional && !columns.includes(columnFor(input.name)))
      .map((input) => {
        const column = columnFor(input.name);
        return column === input.name
          ? `The task needs a column "${input.name}", and the dataset has none. Map one of its columns (${listNames(columns)}) onto "${input.name}".`
          : `"${input.name}" is mapped to the column "${shortName(column)}", which the dataset does not have.`;
      });

  return {
    task,
    params,
    settings,
    examples,
    inputs,
    outputs,
    callsPerGeneration: task.kind === 'chain' ? task.callsPerGeneration(params) : 1,
    columnFor,
    mapRow,
    preview,
    jsonSchema: (row) => (settings.structuredOutput ? task.jsonSchema?.(params, row) : undefined),
    check(columns, firstRow) {
      const problems = [...missingInputs(columns), ...reservedOutputs(outputs)];
      // Examples asked for and read, and none found: say so rather than send none.
      if (fewShot && spec.examples?.length === 0)
        problems.push(
          'No generation of the run picked for examples is rated good (and kept). Rate some Good under Results, or turn off Use rated rows as examples.',
        );
      if (problems.length > 0 || firstRow === undefined) return { problems };
      try {
        return { problems, preview: preview(firstRow) };
      } catch (error) {
        return { problems: [toErrorData(error).message] };
      }
    },
  };
}

/** Output columns that would be overwritten by the engine's own, named for the person. */
function reservedOutputs(outputs: readonly string[]): string[] {
  return outputs
    .filter((c) => (ENGINE_COLUMNS as readonly string[]).includes(c))
    .map(
      (c) =>
        `"${c}" is a column Retort writes on every row: rename that output (a schema field or regex group).`,
    );
}
