import { type EngineErrorData, inputError } from '../errors';
import type { ProviderConfig } from '../llm/types';
import { deleteResultsOf } from './results';
import { type BatchJob, db, type Run, type RunCounters, type RunStatus } from './schema';

/** Every write to run records goes through here; results.ts writes their results. */

/** The fields of a run that the person chose in the form. */
const SPEC_FIELDS = [
  'datasetId',
  'taskId',
  'taskParams',
  'settings',
  'examples',
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
  return {
    total,
    done: 0,
    failed: 0,
    formatFailed: 0,
    cut: 0,
    good: 0,
    bad: 0,
    edited: 0,
    deleted: 0,
    inputTokens: 0,
    outputTokens: 0,
  };
}

export async function setRunStatus(
  runId: string,
  status: RunStatus,
  error?: EngineErrorData,
): Promise<void> {
  await db.runs.update(runId, { status, error, activity: undefined, updated: Date.now() });
}

/**
 * Gives a run the settings the form has now (a changed prompt template, model
 * or sampling), so that what it regenerates is made with them. The dataset,
 * the task and the generations per row stay the run's: its results are theirs.
 */
export async function updateRunSpec(runId: string, spec: RunSpec): Promise<void> {
  const run = await db.runs.get(runId);
  if (!run) return;
  const same =
    spec.datasetId === run.datasetId &&
    spec.taskId === run.taskId &&
    spec.settings.numGenerations === run.settings.numGenerations;
  if (!same)
    throw inputError(
      'Regenerating keeps the run’s dataset, task and generations per row. Pick those again under Task, or start a new run.',
    );
  const fields = Object.fromEntries(
    SPEC_FIELDS.map((field) => [field, spec[field]]),
  ) as Partial<Run>;
  await db.runs.update(runId, {
    ...fields,
    settings: { ...spec.settings, groupGenerations: run.settings.groupGenerations },
    updated: Date.now(),
  });
}

/**
 * A failed run resumed with the model settings now in the form (a mended Base
 * URL, model id): only the provider changes, never the task's settings.
 */
export async function setRunProvider(runId: string, provider: ProviderConfig): Promise<void> {
  await db.runs.update(runId, { provider, updated: Date.now() });
}

/** A Batch API job just created for a run: kept so a reload polls it rather than sending again. */
export async function addRunBatch(runId: string, job: BatchJob): Promise<void> {
  await db.transaction('rw', db.runs, async () => {
    const run = await db.runs.get(runId);
    if (run) await db.runs.update(runId, { batches: [...(run.batches ?? []), job] });
  });
}

/** What the provider said of a run's batch job, or that its answers are stored. */
export async function updateRunBatch(
  runId: string,
  jobId: string,
  patch: Partial<BatchJob>,
): Promise<void> {
  await db.transaction('rw', db.runs, async () => {
    const run = await db.runs.get(runId);
    const batches = run?.batches?.map((job) => (job.id === jobId ? { ...job, ...patch } : job));
    if (batches) await db.runs.update(runId, { batches, updated: Date.now() });
  });
}

/** A name the person gives a run, shown in the Run list; an empty one goes back to the default. */
export async function renameRun(runId: string, name: string): Promise<void> {
  await db.runs.update(runId, { name: name.trim() || undefined });
}

export async function deleteRun(runId: string): Promise<void> {
  await db.transaction('rw', db.runs, db.resultPages, db.resultMeta, async () => {
    await deleteResultsOf(runId);
    await db.runs.delete(runId);
  });
}
