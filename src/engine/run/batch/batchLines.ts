import type { BoundTask } from '../../bound';
import type { Run } from '../../db/schema';
import { type EngineErrorData, toErrorData } from '../../errors';
import { chatBody } from '../../llm/openai';
import { httpError } from '../../llm/openaiErrors';
import type { PromptTask } from '../../task';
import { promptFor } from '../generate';
import type { WorkItem } from '../workItems';
import { CHAT_ENDPOINT } from './openaiBatches';

/**
 * The lines of a batch: requests out, one per (row, generation), and what came
 * back for each. A line's custom_id names its run, row and generation, so an
 * answer finds its place whatever order the provider returns them in.
 */

/** How many requests, and bytes, one batch's input file may hold. */
export interface BatchLimits {
  requests: number;
  bytes: number;
}

/** OpenAI's limits per batch. */
export const OPENAI_BATCH_LIMITS: BatchLimits = { requests: 50_000, bytes: 200 * 1024 * 1024 };

/** What came back for one line: a chat completion's body, or why there is none. */
export type LineOutcome = { body: unknown } | { error: EngineErrorData };

/** A (row, generation) as workItems and results.ts key them. */
export const keyOf = (rowIndex: number, generation: number): string => `${rowIndex}:${generation}`;

/**
 * The input files for pending work, each within `limits`: one request per
 * generation (n = 1), each seeded as the live adapter seeds generations it asks
 * for one by one. A row whose prompt cannot be made goes to `unreadable`.
 */
export async function* requestFiles(
  batch: LineSource,
  work: AsyncIterable<WorkItem>,
  limits: BatchLimits,
  unreadable: (item: WorkItem, error: EngineErrorData) => void,
): AsyncGenerator<string> {
  const encoder = new TextEncoder();
  let lines: string[] = [];
  let bytes = 0;
  for await (const item of work) {
    for (const line of linesOf(batch, item, unreadable)) {
      const size = encoder.encode(line).length + 1;
      if (lines.length >= limits.requests || (lines.length > 0 && bytes + size > limits.bytes)) {
        yield lines.join('\n');
        [lines, bytes] = [[], 0];
      }
      lines.push(line);
      bytes += size;
    }
  }
  if (lines.length > 0) yield lines.join('\n');
}

/** What a line is made from: the run, its model's id, its task. */
interface LineSource {
  run: Run;
  model: string;
  bound: BoundTask<PromptTask>;
}

function linesOf(
  { run, model, bound }: LineSource,
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
    JSON.stringify({
      custom_id: `${run.id}/${item.rowIndex}/${generation}`,
      method: 'POST',
      url: CHAT_ENDPOINT,
      body: chatBody(model, request, 1, seed === undefined ? undefined : seed + generation),
    }),
  );
}

interface OutputLine {
  custom_id?: unknown;
  response?: { status_code?: unknown; body?: unknown } | null;
  error?: { code?: unknown; message?: unknown } | null;
}

/**
 * Reads an output or error file into `outcomes`, by (row, generation): the
 * lines of this run only. A line the provider answered with an error status
 * reads as a live call's HTTP error would, so it is retried, or not, alike.
 */
export function readOutcomes(
  jsonl: string,
  runId: string,
  url: string,
  outcomes: Map<string, LineOutcome>,
): void {
  for (const text of jsonl.split('\n')) {
    if (text.trim() === '') continue;
    const line = parseLine(text);
    const [lineRun, row, generation] = String(line?.custom_id ?? '').split('/');
    if (!line || lineRun !== runId) continue;
    outcomes.set(keyOf(Number(row), Number(generation)), outcomeOf(line, url));
  }
}

function parseLine(text: string): OutputLine | undefined {
  try {
    return JSON.parse(text) as OutputLine;
  } catch {
    return undefined;
  }
}

function outcomeOf({ response, error }: OutputLine, url: string): LineOutcome {
  const status = typeof response?.status_code === 'number' ? response.status_code : undefined;
  if (status === 200) return { body: response?.body };
  if (status !== undefined) {
    const said = JSON.stringify(response?.body ?? '');
    return { error: toErrorData(httpError(new Response(null, { status }), said, url)) };
  }
  // No response at all: expired or cancelled before it ran, or timed out; another batch may do it.
  const code = typeof error?.code === 'string' ? ` (${error.code})` : '';
  const message = typeof error?.message === 'string' ? error.message : 'No answer came back.';
  return { error: { kind: 'response', message: `${message}${code}`, retryable: true } };
}
