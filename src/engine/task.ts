import type { z } from 'zod';
import type { ChatMessage, Usage } from './llm/types';

/**
 * The Task contract, after distilabel's: a task declares the columns it reads
 * and writes and two pure functions, one that turns a row into chat messages and
 * one that reads the model's answer back into columns. Everything else
 * distilabel's Task does (generations, grouping, raw output and input,
 * statistics, model_name, failures, column mappings) the engine applies here,
 * once, for every task.
 */
export type Row = Record<string, unknown>;
export type Outputs = Record<string, unknown>;

export interface TaskInput {
  name: string;
  description: string;
  optional?: boolean;
}

export type TaskGroup =
  | 'Generation'
  | 'Evolution'
  | 'Judging'
  | 'Classification and embeddings'
  | 'Custom';

// biome-ignore lint/suspicious/noExplicitAny: a catalog holds tasks of many parameter shapes.
export type AnyParams = z.ZodType<any>;

export interface Task<P extends AnyParams = AnyParams> {
  /** snake_case; names the metadata keys (`raw_output_<id>`). */
  id: string;
  label: string;
  description: string;
  group: TaskGroup;
  /** The task's own parameters, with defaults. The UI builds its form from this schema. */
  params: P;
  inputs: readonly TaskInput[] | ((params: z.infer<P>) => readonly TaskInput[]);
  outputs: readonly string[] | ((params: z.infer<P>) => readonly string[]);
  /** The row (already mapped onto the task's input names) as chat messages. */
  formatInput(row: Row, params: z.infer<P>): ChatMessage[];
  /**
   * The answer as output columns. A column that cannot be read with confidence
   * is null; a throw means nothing could be read and is handled like an empty answer.
   */
  formatOutput(text: string, row: Row, params: z.infer<P>): Outputs;
  /** A JSON schema for structured output, for backends that can enforce one. */
  jsonSchema?(params: z.infer<P>, row?: Row): Record<string, unknown> | undefined;
  /** True for methods that write the chat template themselves (Magpie): they need raw completion. */
  needsRawCompletion?: boolean;
  /**
   * Only for methods that call the model more than once per generation
   * (Evol-Instruct's rounds of mutation): drives the calls itself through
   * `chain.complete`, which the engine meters, retries and records. Without it
   * a generation is one call: formatInput, then formatOutput.
   */
  run?(row: Row, params: z.infer<P>, chain: ChainContext): Promise<Outputs>;
}

export interface ChainContext {
  /** One model call, one generation; the answer text, or null when the model gave nothing. */
  complete(messages: ChatMessage[]): Promise<string | null>;
  /** Raw completion of a prompt, no chat template applied; only for tasks with needsRawCompletion. */
  completeRaw(prompt: string, options?: { stop?: string[] }): Promise<string | null>;
  /** Uniform in [0, 1), seeded by the run's seed, the row and the generation: a rerun makes the same choices. */
  random(): number;
}

/** What the engine applies around every task, as distilabel's Task attributes do. */
export interface RunSettings {
  numGenerations: number;
  groupGenerations: boolean;
  addRawOutput: boolean;
  addRawInput: boolean;
  /** task input name -> dataset column that feeds it */
  inputMapping: Record<string, string>;
}

export const defaultRunSettings: RunSettings = {
  numGenerations: 1,
  groupGenerations: false,
  addRawOutput: true,
  addRawInput: true,
  inputMapping: {},
};

export function taskInputs<P extends AnyParams>(
  task: Task<P>,
  params: z.infer<P>,
): readonly TaskInput[] {
  return typeof task.inputs === 'function' ? task.inputs(params) : task.inputs;
}

export function taskOutputs<P extends AnyParams>(
  task: Task<P>,
  params: z.infer<P>,
): readonly string[] {
  return typeof task.outputs === 'function' ? task.outputs(params) : task.outputs;
}

/** The task's parameters with its defaults filled in; throws a readable error when invalid. */
export function resolveParams<P extends AnyParams>(task: Task<P>, raw: unknown): z.infer<P> {
  const parsed = task.params.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const shape = (task.params as unknown as z.ZodObject).shape ?? {};
  const issues = parsed.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? '');
    // The form labels each field with its description: the error names it by the
    // label's head ("Custom rubric (when ...): ..." is "Custom rubric").
    const label = (shape[key] as z.ZodType | undefined)?.description;
    const field = label?.split(/ \(|: /)[0] ?? (key || 'Settings');
    return `${field}: ${plainWords(issue)}`;
  });
  throw new Error(`Check the ${task.label} settings. ${issues.join('; ')}.`);
}

/** Zod's wording of the common problems, in the person's terms. */
function plainWords(issue: z.core.$ZodIssue): string {
  if (issue.code === 'too_small') {
    if (issue.origin === 'string' && Number(issue.minimum) === 1) return 'it is empty';
    return `it must be at least ${issue.minimum}`;
  }
  if (issue.code === 'too_big') return `it must be at most ${issue.maximum}`;
  return issue.message;
}

/** Columns the engine writes on every output row: no task may declare them. */
export const ENGINE_COLUMNS = ['model_name', 'distilabel_metadata'] as const;

/** Output columns that would be overwritten by the engine's own, named for the person. */
export function reservedOutputs(outputs: readonly string[]): string[] {
  return outputs
    .filter((c) => (ENGINE_COLUMNS as readonly string[]).includes(c))
    .map(
      (c) =>
        `"${c}" is a column Retort writes on every row: rename that output (a schema field or regex group).`,
    );
}

/** The dataset column that feeds each task input: the mapping, else the column of the same name. */
export function columnFor(input: string, settings: Pick<RunSettings, 'inputMapping'>): string {
  return settings.inputMapping[input] || input;
}

/**
 * The row as the task sees it: each input under the task's name for it, read
 * from the mapped column. The other columns pass through unchanged.
 */
export function mapRow(
  row: Row,
  inputs: readonly TaskInput[],
  settings: Pick<RunSettings, 'inputMapping'>,
): Row {
  const mapped: Row = { ...row };
  for (const input of inputs) {
    const column = columnFor(input.name, settings);
    if (column in row) mapped[input.name] = row[column];
  }
  return mapped;
}

/**
 * Problems that stop a run before it starts: required inputs no column feeds.
 * Each message names the input and what to do.
 */
export function missingInputs(
  inputs: readonly TaskInput[],
  columns: readonly string[],
  settings: Pick<RunSettings, 'inputMapping'>,
): string[] {
  return inputs
    .filter((input) => !input.optional && !columns.includes(columnFor(input.name, settings)))
    .map((input) => {
      const column = columnFor(input.name, settings);
      return column === input.name
        ? `The task needs a column "${input.name}", and the dataset has none. Map one of its columns (${columns.join(', ')}) onto "${input.name}".`
        : `"${input.name}" is mapped to the column "${column}", which the dataset does not have.`;
    });
}

/** One generation as stored: its output columns and metadata. */
export interface Generation {
  outputs: Outputs;
  /** True when the answer was empty or could not be read: every output is null. */
  formatFailed: boolean;
  metadata: Record<string, unknown>;
  /** Its prompt was billed with another generation's (Usage.promptShared). */
  promptShared?: boolean;
}

/**
 * Reads one answer into output columns. An empty answer or a throwing parser
 * gives null: distilabel's rule is that a bad answer nulls every output column.
 */
export function parseAnswer<P extends AnyParams>(
  task: Task<P>,
  params: z.infer<P>,
  row: Row,
  text: string | null,
): Outputs | null {
  if (text === null || text.trim() === '') return null;
  try {
    return task.formatOutput(text, row, params);
  } catch {
    return null;
  }
}

/**
 * One generation as stored: exactly the declared output columns (all null on a
 * format failure), and under distilabel_metadata the raw output, the raw input
 * and the token statistics, keyed by the task's id.
 */
export function recordGeneration<P extends AnyParams>(
  task: Task<P>,
  params: z.infer<P>,
  settings: RunSettings,
  call: {
    outputs: Outputs | null;
    rawOutput: unknown;
    rawInput: unknown;
    usage: Pick<Usage, 'inputTokens' | 'outputTokens'>;
  },
): Generation {
  const columns = taskOutputs(task, params);
  const outputs = pickColumns(columns, call.outputs);
  const formatFailed = columns.every((c) => outputs[c] === null);
  const metadata: Record<string, unknown> = {};
  if (settings.addRawOutput) metadata[`raw_output_${task.id}`] = call.rawOutput;
  if (settings.addRawInput) metadata[`raw_input_${task.id}`] = call.rawInput;
  metadata[`statistics_${task.id}`] = {
    input_tokens: call.usage.inputTokens,
    output_tokens: call.usage.outputTokens,
  };
  return { outputs, formatFailed, metadata };
}

/** A single-call generation: the answer parsed, then recorded. */
export function readGeneration<P extends AnyParams>(
  task: Task<P>,
  params: z.infer<P>,
  settings: RunSettings,
  call: { row: Row; messages: ChatMessage[]; text: string | null; usage: Usage },
): Generation {
  const outputs = parseAnswer(task, params, call.row, call.text);
  const generation = recordGeneration(task, params, settings, {
    outputs,
    rawOutput: call.text,
    rawInput: call.messages,
    usage: call.usage,
  });
  return call.usage.promptShared ? { ...generation, promptShared: true } : generation;
}

/** Exactly the declared output columns, null where the task gave nothing. */
export function pickColumns(columns: readonly string[], outputs: Outputs | null): Outputs {
  return Object.fromEntries(columns.map((c) => [c, outputs?.[c] ?? null]));
}

/** A generation as it leaves the engine: what readGeneration gave, or a failure. */
export interface StoredGeneration {
  generation: number;
  status: 'done' | 'failed';
  outputs: Outputs;
  modelName: string;
  metadata: Record<string, unknown>;
  error?: string;
}

/**
 * The output rows for one dataset row: the input columns, then the task's
 * outputs, then model_name and distilabel_metadata. With groupGenerations one
 * row holds lists (distilabel's group_dicts); otherwise one row per generation.
 */
export function outputRows(
  inputRow: Row,
  generations: readonly StoredGeneration[],
  columns: readonly string[],
  groupGenerations: boolean,
): Row[] {
  const rowOf = (g: StoredGeneration): Row => ({
    ...inputRow,
    ...pickColumns(columns, g.outputs),
    model_name: g.modelName,
    distilabel_metadata: g.error ? { ...g.metadata, error: g.error } : g.metadata,
  });
  const rows = generations.map(rowOf);
  if (!groupGenerations || rows.length === 0) return rows;
  const grouped: Row = { ...inputRow };
  for (const column of columns) grouped[column] = rows.map((r) => r[column]);
  grouped.model_name = rows[0].model_name;
  grouped.distilabel_metadata = rows.map((r) => r.distilabel_metadata);
  return [grouped];
}
