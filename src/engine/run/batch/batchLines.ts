import type { BoundTask } from '../../bound';
import type { Run } from '../../db/schema';
import { type EngineErrorData, toErrorData } from '../../errors';
import type { PromptTask } from '../../task';
import { promptFor } from '../generate';
import type { WorkItem } from '../workItems';
import type { BatchLimits, BatchProvider, LineOutcome } from './batchProvider';

/**
 * The lines of a batch: requests out, one per (row, generation), and what came
 * back for each. A line's custom_id names its row and generation, so an
 * answer finds its place whatever order the provider returns them in.
 */

/** A (row, generation) as workItems and results.ts key them. */
export const keyOf = (rowIndex: number, generation: number): string => `${rowIndex}:${generation}`;

/** What a line is made from: the run, its model's id, its task, the provider's line format. */
interface LineSource {
  run: Run;
  model: string;
  bound: BoundTask<PromptTask>;
  provider: BatchProvider;
}

/**
 * The request lines for pending work, a batch's worth at a time within
 * `limits`: one request per generation (n = 1), each seeded as the live
 * adapter seeds generations it asks for one by one. A row whose prompt cannot
 * be made goes to `unreadable`.
 */
export async function* requestBatches(
  source: LineSource,
  work: AsyncIterable<WorkItem>,
  limits: BatchLimits,
  unreadable: (item: WorkItem, error: EngineErrorData) => void,
): AsyncGenerator<string[]> {
  const encoder = new TextEncoder();
  let lines: string[] = [];
  let bytes = 0;
  for await (const item of work) {
    for (const line of linesOf(source, item, unreadable)) {
      const size = encoder.encode(line).length + 1;
      if (lines.length >= limits.requests || (lines.length > 0 && bytes + size > limits.bytes)) {
        yield lines;
        [lines, bytes] = [[], 0];
      }
      lines.push(line);
      bytes += size;
    }
  }
  if (lines.length > 0) yield lines;
}

function linesOf(
  { run, model, bound, provider }: LineSource,
  item: WorkItem,
  unreadable: (item: WorkItem, error: EngineErrorData) => void,
): string[] {
  let prompt: ReturnType<typeof promptFor>;
  try {
    prompt = promptFor(bound, item.row);
  } catch (error) {
    unreadable(item, toErrorData(error));
    return [];
  }
  const request = { ...prompt, sampling: run.sampling };
  const { seed } = run.sampling;
  return item.generations.map((generation) =>
    provider.requestLine({
      runId: run.id,
      rowIndex: item.rowIndex,
      generation,
      model,
      request,
      seed: seed === undefined ? undefined : seed + generation,
    }),
  );
}

/** Reads a JSONL of result lines into `outcomes`, by (row, generation): the lines of this run only. */
export function readOutcomes(
  jsonl: string,
  runId: string,
  provider: BatchProvider,
  outcomes: Map<string, LineOutcome>,
): void {
  for (const text of jsonl.split('\n')) {
    if (text.trim() === '') continue;
    const line = parseLine(text);
    const read = line === undefined ? undefined : provider.readResult(line, runId);
    if (read) outcomes.set(keyOf(read.rowIndex, read.generation), read.outcome);
  }
}

function parseLine(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
