import { findTask } from '../../tasks';
import { createRun, type RunSpec, setRunStatus } from '../db/runs';
import { db, type Run } from '../db/schema';
import { EngineError, inputError, toErrorData } from '../errors';
import { createModel, type Secrets } from '../llm/createModel';
import {
  mapRow,
  missingInputs,
  reservedOutputs,
  resolveParams,
  taskInputs,
  taskOutputs,
} from '../task';
import { executeRun } from './runner';

/** A run this worker is executing: how to stop it, and its end (after the requests in flight). */
interface ActiveRun {
  controller: AbortController;
  done: Promise<void>;
  /** Set the moment Pause or Cancel is asked, before the status is written. */
  stopping: boolean;
}

const active = new Map<string, ActiveRun>();

/**
 * Checks a run before anything is stored: the task's settings, its inputs
 * against the dataset's columns and the first row's prompt. Every problem is
 * reported in the person's terms.
 */
export async function checkRun(spec: RunSpec): Promise<void> {
  const dataset = await db.datasets.get(spec.datasetId);
  if (!dataset) throw inputError('Import or pick a dataset first.');
  const task = findTask(spec.taskId);
  let params: unknown;
  try {
    params = resolveParams(task, spec.taskParams);
  } catch (error) {
    throw inputError((error as Error).message);
  }
  const problems = [
    ...missingInputs(taskInputs(task, params), dataset.columns, spec.settings),
    ...reservedOutputs(taskOutputs(task, params)),
  ];
  if (problems.length > 0) throw inputError(problems.join(' '));
  const first = (await db.rowPages.get([dataset.id, 0]))?.rows[0];
  if (first) task.formatInput(mapRow(first, taskInputs(task, params), spec.settings), params);
}

export async function startRun(spec: RunSpec, secrets: Secrets): Promise<string> {
  await checkRun(spec);
  // A local model is loaded before the run exists: a file that is no model leaves no run behind.
  await createModel(spec.provider, secrets, new AbortController().signal);
  const dataset = await db.datasets.get(spec.datasetId);
  const run = await createRun(spec, (dataset?.rowCount ?? 0) * spec.settings.numGenerations);
  void launch(run.id, secrets);
  return run.id;
}

export async function pauseRun(runId: string): Promise<void> {
  await stop(runId, 'paused');
}

export async function cancelRun(runId: string): Promise<void> {
  await stop(runId, 'cancelled');
}

export async function resumeRun(runId: string, secrets: Secrets): Promise<void> {
  const running = active.get(runId);
  // Already going (a second click on Resume): nothing to do.
  if (running && !running.stopping) return;
  // A run still winding down after Pause ends first, or it would swallow this resume.
  await running?.done;
  const run = await db.runs.get(runId);
  if (!run) throw inputError('That run no longer exists.');
  await setRunStatus(runId, 'running');
  void launch(runId, secrets);
}

/** Runs left 'running' by a closed or reloaded tab, taken up again. */
export async function resumeInterrupted(secrets: Secrets): Promise<string[]> {
  const orphans = await db.runs.where('status').equals('running').toArray();
  const resumable = orphans.filter((run) => !active.has(run.id));
  for (const run of resumable) void launch(run.id, secrets);
  return resumable.map((run) => run.id);
}

/** Cancels the runs of a dataset and waits for their end: before the dataset is deleted. */
export async function cancelRunsOf(datasetId: string): Promise<void> {
  const runs = await db.runs.where('datasetId').equals(datasetId).primaryKeys();
  await Promise.all(runs.filter((id) => active.has(id)).map((id) => stop(id, 'cancelled')));
}

/** Writes the status, stops the run's requests, and returns once it has stopped. */
async function stop(runId: string, status: 'paused' | 'cancelled'): Promise<void> {
  const running = active.get(runId);
  if (running) running.stopping = true;
  // The status is written first so the aborted requests are not taken for a failure.
  await setRunStatus(runId, status);
  running?.controller.abort();
  await running?.done;
}

/**
 * Executes a run to its end. A Web Lock per run keeps two tabs from running
 * the same run; the second one leaves it to the first.
 */
async function launch(runId: string, secrets: Secrets): Promise<void> {
  if (active.has(runId)) return;
  const controller = new AbortController();
  const done = withRunLock(runId, async () => {
    const run = await db.runs.get(runId);
    if (run?.status !== 'running') return;
    await execute(run, secrets, controller.signal);
  }).finally(() => active.delete(runId));
  active.set(runId, { controller, done, stopping: false });
  await done;
}

async function execute(run: Run, secrets: Secrets, signal: AbortSignal): Promise<void> {
  try {
    const model = await createModel(run.provider, secrets, signal);
    const outcome = await executeRun(run, model, signal);
    if (outcome === 'completed') await setRunStatus(run.id, 'completed');
    else if (!signal.aborted) throw new EngineError(UNFINISHED);
  } catch (error) {
    if (!signal.aborted) await setRunStatus(run.id, 'failed', toErrorData(error));
  }
}

/** All pending work was sent, yet the counters still miss results: said, never shown as done. */
const UNFINISHED = {
  kind: 'internal',
  message: 'The run ended with generations that have no result. Resume it to send them again.',
  retryable: false,
} as const;

function withRunLock(runId: string, body: () => Promise<void>): Promise<void> {
  const locks = globalThis.navigator?.locks;
  if (!locks) return body();
  return locks.request(`retort-run-${runId}`, { ifAvailable: true }, async (lock) => {
    if (lock) await body();
  });
}
