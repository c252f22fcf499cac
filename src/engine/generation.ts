import type { BoundTask } from './bound';
import type { Choice, FinishReason, Usage } from './llm/types';
import type { Outputs, PromptTask, Row } from './task';

/**
 * How a model's answer becomes a generation, with distilabel's rules: exactly
 * the declared output columns (all null when the answer cannot be read), and
 * under distilabel_metadata the raw output, the raw input and the token
 * statistics, keyed by the task's id. Nothing is dropped.
 */

/** One generation as stored: its output columns and metadata. */
export interface Generation {
  outputs: Outputs;
  /** True when the answer was empty or could not be read: every output is null. */
  formatFailed: boolean;
  metadata: Record<string, unknown>;
  /** Why the model stopped; `length` when any of its calls was cut at Max new tokens. */
  finishReason?: FinishReason;
  /** Its prompt was billed with another generation's (Usage.promptShared). */
  promptShared?: boolean;
}

/**
 * Reads one answer into output columns. An empty answer or a throwing parser
 * gives null: distilabel's rule is that a bad answer nulls every output column.
 */
export function parseAnswer(
  task: PromptTask,
  params: unknown,
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

/** A generation from what its call or calls gave: the outputs read, and what goes under the metadata. */
export function recordGeneration(
  bound: BoundTask,
  call: {
    outputs: Outputs | null;
    rawOutput: unknown;
    rawInput: unknown;
    usage: Pick<Usage, 'inputTokens' | 'outputTokens'>;
    finishReason: FinishReason;
  },
): Generation {
  const id = bound.task.id;
  const outputs = pickColumns(bound.outputs, call.outputs);
  const formatFailed = bound.outputs.every((c) => outputs[c] === null);
  const metadata: Record<string, unknown> = {};
  if (bound.settings.addRawOutput) metadata[`raw_output_${id}`] = call.rawOutput;
  if (bound.settings.addRawInput) metadata[`raw_input_${id}`] = call.rawInput;
  metadata[`statistics_${id}`] = {
    input_tokens: call.usage.inputTokens,
    output_tokens: call.usage.outputTokens,
  };
  metadata[`finish_reason_${id}`] = call.finishReason.unified;
  return { outputs, formatFailed, metadata, finishReason: call.finishReason };
}

/** A prompt task's generation: one choice of its call, parsed, then recorded. */
export function readGeneration(
  bound: BoundTask<PromptTask>,
  call: { row: Row; messages: unknown; choice: Choice },
): Generation {
  const { text, usage, finishReason } = call.choice;
  const generation = recordGeneration(bound, {
    outputs: parseAnswer(bound.task, bound.params, call.row, text),
    rawOutput: text,
    rawInput: call.messages,
    usage,
    finishReason,
  });
  return usage.promptShared ? { ...generation, promptShared: true } : generation;
}

/** Exactly the declared output columns, null where the task gave nothing. */
export function pickColumns(columns: readonly string[], outputs: Outputs | null): Outputs {
  return Object.fromEntries(
    columns.map((c) => [c, outputs && Object.hasOwn(outputs, c) ? (outputs[c] ?? null) : null]),
  );
}
