import type { z } from 'zod';
import { inputError } from './errors';
import type { ChatMessage } from './llm/types';

/**
 * The Task contract, after distilabel's: a task declares the columns it reads
 * and writes, and how a row becomes a prompt and an answer becomes columns.
 * Everything else distilabel's Task does (generations, grouping, raw output
 * and input, statistics, model_name, failures, column mappings) the engine
 * applies, once, for every task (bound.ts, generation.ts).
 *
 * There are two kinds: a prompt task makes one call per row (format the
 * prompt, parse the answer); a chain task drives several calls itself
 * (Evol-Instruct's rounds, Magpie's turns) and says what its first call looks
 * like and how many calls a generation makes.
 */
export type Row = Record<string, unknown>;

/**
 * A row's value in a column, read from its own properties only: a file may
 * name a column `constructor` or `__proto__`, and a row without that column
 * must read as empty, never as Object's inherited members.
 */
export function cell<T = unknown>(row: Readonly<Record<string, T>>, column: string): T | undefined {
  return Object.hasOwn(row, column) ? row[column] : undefined;
}
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

/** What a call sends: chat messages, or a raw prompt with no chat template around it. */
export type Prompt = { messages: ChatMessage[] } | { raw: string; stop?: string[] };

/** A prompt's text as a whole, for token estimates. */
export function promptText(prompt: Prompt): string {
  return 'raw' in prompt ? prompt.raw : prompt.messages.map((m) => m.content).join('\n');
}

interface TaskInfo<P extends AnyParams> {
  /** snake_case; names the metadata keys (`raw_output_<id>`). */
  id: string;
  label: string;
  description: string;
  group: TaskGroup;
  /** The task's own parameters, with defaults. The UI builds its form from this schema. */
  params: P;
  inputs: readonly TaskInput[] | ((params: z.infer<P>) => readonly TaskInput[]);
  outputs: readonly string[] | ((params: z.infer<P>) => readonly string[]);
  /**
   * The answer's shape as a JSON schema, for backends that can enforce one.
   * Whether a run sends it is a run setting (structured output), not the task's.
   */
  jsonSchema?(params: z.infer<P>, row?: Row): Record<string, unknown> | undefined;
  /** Structured output is on unless the person turns it off: the answer is JSON by design. */
  structuredByDefault?: boolean;
  /** Takes rows the person rated good as few-shot examples (RunSettings.fewShot). */
  fewShot?: boolean;
}

export interface PromptTask<P extends AnyParams = AnyParams> extends TaskInfo<P> {
  kind: 'prompt';
  /**
   * The row (already mapped onto the task's input names) as chat messages.
   * A few-shot task gets the examples of the run, each a row of its inputs and
   * outputs by name; it puts them where its template says, else as earlier turns.
   */
  formatInput(row: Row, params: z.infer<P>, examples?: readonly Row[]): ChatMessage[];
  /**
   * The answer as output columns. A column that cannot be read with confidence
   * is null; a throw means nothing could be read and is handled like an empty answer.
   */
  formatOutput(text: string, row: Row, params: z.infer<P>): Outputs;
}

export interface ChainTask<P extends AnyParams = AnyParams> extends TaskInfo<P> {
  kind: 'chain';
  /** True for methods that write the chat template themselves (Magpie). */
  needsRawCompletion?: boolean;
  /** The first call of a generation, for the preview and the estimate. */
  preview(row: Row, params: z.infer<P>): Prompt;
  /** The calls one generation makes at most, for the estimate. */
  callsPerGeneration(params: z.infer<P>): number;
  /**
   * One generation: drives the calls itself through `chain`, which the engine
   * meters, retries and records. Resolves with the output columns ({} when an
   * answer could not be read).
   */
  run(row: Row, params: z.infer<P>, chain: ChainContext): Promise<Outputs>;
}

export type Task<P extends AnyParams = AnyParams> = PromptTask<P> | ChainTask<P>;

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
  /** Send the task's JSON schema to backends that can enforce it. */
  structuredOutput: boolean;
  /** Rows rated good in an earlier run, put into the prompt as examples (tasks with `fewShot`). */
  fewShot?: FewShot;
}

/** Where a run's few-shot examples come from: up to `count` generations rated good in a run. */
export interface FewShot {
  fromRunId: string;
  count: number;
}

export const defaultRunSettings: RunSettings = {
  numGenerations: 1,
  groupGenerations: false,
  addRawOutput: true,
  addRawInput: true,
  inputMapping: {},
  structuredOutput: false,
};

/** The task's parameters with its defaults filled in; an input error in the person's terms when invalid. */
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
  throw inputError(`Check the ${task.label} settings. ${issues.join('; ')}.`);
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
