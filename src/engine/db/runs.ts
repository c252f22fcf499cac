import type { EngineErrorData } from '../errors';
import {
  db,
  PAGE_SIZE,
  type Result,
  type Run,
  type RunActivity,
  type RunCounters,
  type RunStatus,
} from './schema';

/**
 * Every write to runs and results goes through here, so the counters a person
 * sees are always updated in the same transaction as the results they count.
 */

/** The fields of a run that the person chose in the form. */
const SPEC_FIELDS = [
  'datasetId',
  'taskId',
  'taskParams',
  'settings',
  'provider',
  'sampling',
  'concurrency',
  'limits',
  'pricing',
] as const satisfies readonly (keyof Run)[];

/** What the person chose in the form: everything a run keeps, but never a key. */
export type RunSpec = Pick<Run, (typeof SPEC_FIELDS)[number]>;

/**
 * Stores a new run. Its fields are picked by name, never spread: a spec comes
 * from the page through the worker boundary, and a stray field in it (an API
 * key) must never be stored with the run.
 */
export async function createRun(spec: RunSpec, total: number): Promise<Run> {
  const now = Date.now();
  const record: Run = {
    ...(Object.fromEntries(
      SPEC_FIELDS.filter((field) => spec[field] !== undefined).map((field) => [field, spec[field]]),
    ) as RunSpec),
    id: crypto.randomUUID(),
    status: 'running',
    counters: emptyCounters(total),
    created: now,
    updated: now,
  };
  await db.runs.add(record);
  return record;
}

function emptyCounters(total: number): RunCounters {
  return { total, done: 0, failed: 0, formatFailed: 0, cut: 0, inputTokens: 0, outputTokens: 0 };
}

export async function setRunStatus(
  runId: string,
  status: RunStatus,
  error?: EngineErrorData,
): Promise<void> {
  await db.runs.update(runId, { status, error, activity: undefined, updated: Date.now() });
}

/**
 * Stores a batch of results and adds them to the run's counters in one
 * transaction. A result already stored for the same (row, generation) is
 * overwritten, never duplicated; the counters take back what it had counted.
 */
export async function storeResults(
  runId: string,
  results: Result[],
  activity?: RunActivity,
): Promise<void> {
  await db.transaction('rw', db.runs, db.results, async () => {
    const previous = await db.results.bulkGet(results.map(resultKey));
    const run = await db.runs.get(runId);
    if (!run) return; // deleted while its last requests were in flight
    const counters = { ...run.counters };
    for (const old of previous) if (old) count(counters, old, -1);
    for (const result of results) count(counters, result, +1);
    await db.results.bulkPut(results);
    await db.runs.update(runId, { counters, activity, updated: Date.now() });
  });
}

function count(counters: RunCounters, result: Result, sign: 1 | -1): void {
  if (result.status === 'failed') counters.failed += sign;
  else counters.done += sign;
  // An answer cut at Max new tokens is counted as cut, whether or not it could be read.
  if (result.finishReason?.unified === 'length') counters.cut += sign;
  else if (result.formatFailed) counters.formatFailed += sign;
  const stats = usageOf(result);
  if (!result.promptShared) counters.inputTokens += sign * stats.input;
  counters.outputTokens += sign * stats.output;
}

function usageOf(result: Result): { input: number; output: number } {
  for (const [key, value] of Object.entries(result.metadata)) {
    if (key.startsWith('statistics_') && value && typeof value === 'object') {
      const s = value as { input_tokens?: number; output_tokens?: number };
      return { input: s.input_tokens ?? 0, output: s.output_tokens ?? 0 };
    }
  }
  return { input: 0, output: 0 };
}

function resultKey(
  result: Pick<Result, 'runId' | 'rowIndex' | 'generation'>,
): [string, number, number] {
  return [result.runId, result.rowIndex, result.generation];
}

/** The results of rows [start, end) of a run, in row then generation order. */
export function resultsInRange(runId: string, start: number, end: number): Promise<Result[]> {
  return db.results
    .where('[runId+rowIndex+generation]')
    .between([runId, start, -Infinity], [runId, end, -Infinity])
    .toArray();
}

/** The keys of stored results for one page of rows: what a resumed run can skip. */
export async function storedKeysOfPage(runId: string, page: number): Promise<Set<string>> {
  const keys = await db.results
    .where('[runId+rowIndex+generation]')
    .between([runId, page * PAGE_SIZE, -Infinity], [runId, (page + 1) * PAGE_SIZE, -Infinity])
    .primaryKeys();
  return new Set(keys.map(([, row, generation]) => `${row}:${generation}`));
}

/** Deletes the failed results of a run so that a resume tries them again. */
export async function clearFailedResults(runId: string): Promise<number> {
  return db.transaction('rw', db.runs, db.results, async () => {
    const failed = await db.results.where('[runId+status]').equals([runId, 'failed']).toArray();
    const run = await db.runs.get(runId);
    if (!run || failed.length === 0) return 0;
    const counters = { ...run.counters };
    for (const result of failed) count(counters, result, -1);
    await db.results.bulkDelete(failed.map(resultKey));
    await db.runs.update(runId, { counters, updated: Date.now() });
    return failed.length;
  });
}

export async function deleteRun(runId: string): Promise<void> {
  await db.transaction('rw', db.runs, db.results, async () => {
    await db.results
      .where('[runId+rowIndex+generation]')
      .between([runId, -Infinity, -Infinity], [runId, Infinity, Infinity])
      .delete();
    await db.runs.delete(runId);
  });
}
