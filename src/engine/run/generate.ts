import { type BoundTask, isBoundPrompt } from '../bound';
import { EngineError } from '../errors';
import { type Generation, readGeneration, recordGeneration } from '../generation';
import type { Choice, FinishReason } from '../llm/types';
import type { ChainTask, Prompt, PromptTask, Row } from '../task';
import type { ModelCall } from './modelCall';
import { seededRandom } from './seededRandom';
import type { WorkItem } from './workItems';

/**
 * The generations of one work item: a prompt task's one request for all of
 * the row's missing generations, or one generation of a chain task, its calls
 * recorded one by one. Rejects when a call fails (retries spent).
 */
export function generator(
  bound: BoundTask,
  call: ModelCall,
  run: { seed: number | undefined; signal: AbortSignal },
): (item: WorkItem) => Promise<Generation[]> {
  if (!isBoundPrompt(bound)) {
    return async (item) => [await chainGeneration(bound as BoundTask<ChainTask>, call, run, item)];
  }
  return async (item) => {
    const { row, messages, jsonSchema } = promptFor(bound, item.row);
    const n = item.generations.length;
    const answer = await call({ messages }, n, { jsonSchema });
    return Array.from({ length: n }, (_, i) =>
      readGeneration(bound, { row, messages, choice: answer.choices[i] ?? NO_ANSWER }),
    );
  };
}

/**
 * A prompt task's request for a dataset row: the row as the task reads it, its
 * messages and JSON schema. Throws when the row cannot be read.
 */
export function promptFor(bound: BoundTask<PromptTask>, datasetRow: Row) {
  const row = bound.mapRow(datasetRow);
  const messages = bound.task.formatInput(row, bound.params, bound.examples);
  return { row, messages, jsonSchema: bound.jsonSchema(row) };
}

/** What a request that came back with fewer choices than asked gives for the missing ones. */
const NO_ANSWER: Choice = {
  text: null,
  usage: { inputTokens: 0, outputTokens: 0, reported: false },
  finishReason: { unified: 'other' },
};

/**
 * One generation of a chain: the task drives its calls; each is recorded
 * (raw input and output lists, summed usage). With a run seed, each call gets
 * its own seed drawn from it, so rows and generations differ (Magpie's first
 * prompt is the same for every row) and a rerun repeats them.
 */
async function chainGeneration(
  bound: BoundTask<ChainTask>,
  call: ModelCall,
  { seed, signal }: { seed: number | undefined; signal: AbortSignal },
  { rowIndex, row, generations: [generation] }: WorkItem,
): Promise<Generation> {
  const mapped = bound.mapRow(row);
  const rawInputs: unknown[] = [];
  const rawOutputs: (string | null)[] = [];
  const finishReasons: FinishReason[] = [];
  const usage = { inputTokens: 0, outputTokens: 0 };
  const key = `${rowIndex}:${generation}`;
  let calls = 0;
  const seedOfCall = () =>
    seed === undefined
      ? undefined
      : Math.floor(seededRandom(`${seed}:${key}:${calls++}`)() * 2 ** 31);

  const ask = async (prompt: Prompt, rawInput: unknown) => {
    const jsonSchema = 'messages' in prompt ? bound.jsonSchema(mapped) : undefined;
    const answer = await call(prompt, 1, { seed: seedOfCall(), jsonSchema });
    const [choice = NO_ANSWER] = answer.choices;
    rawInputs.push(rawInput);
    rawOutputs.push(choice.text);
    finishReasons.push(choice.finishReason);
    usage.inputTokens += choice.usage.inputTokens;
    usage.outputTokens += choice.usage.outputTokens;
    return choice.text;
  };

  const outputs = await bound.task
    .run(mapped, bound.params, {
      random: seededRandom(`${seed ?? 0}:${key}`),
      complete: (messages) => ask({ messages }, messages),
      completeRaw: (raw, options) => ask({ raw, stop: options?.stop }, raw),
    })
    .catch((error) => {
      // A failed call fails the generation; anything else is an answer the task could not read.
      if (EngineError.isInstance(error) || signal.aborted) throw error;
      return null;
    });
  return recordGeneration(bound, {
    outputs,
    rawOutput: rawOutputs,
    rawInput: rawInputs,
    usage,
    // The generation is cut when any of its calls was.
    finishReason: finishReasons.find((f) => f.unified === 'length') ??
      finishReasons.at(-1) ?? { unified: 'other' },
  });
}
