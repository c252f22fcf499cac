import type { BindTask } from '../bound';
import { markForRegeneration, type Regeneration } from '../db/results';
import { createRun, type RunSpec, setRunProvider, setRunStatus, updateRunSpec } from '../db/runs';
import { db, type Run } from '../db/schema';
import { EngineError, inputError, toErrorData } from '../errors';
import { createModel, type Secrets } from '../llm/createModel';
import { isBatchMode, type LanguageModel, type ProviderConfig } from '../llm/types';
import { anthropicBatches } from './batch/anthropicBatches';
import { type BatchOptions, cancelBatches, chainRefusal, executeBatchRun } from './batch/batchRun';
import { openAIBatches } from './batch/openaiBatches';
import { withExamples } from './examples';
import { executeRun } from './runner';

/** A run this worker is executing: how to stop it, and its end (after the requests in flight). */
interface ActiveRun {
  controller: AbortController;
  done: Promise<void>;
  /** Set the moment Pause or Cancel is asked, before the status is written. */
  stopping: boolean;
}

/**
 * The run commands the worker exposes: check, start, pause, resume, cancel.
 * `bind` is the catalog's: the engine never looks a task up itself.
 */
export function runController(bind: BindTask, batchOptions?: BatchOptions) {
  const active = new Map<string, ActiveRun>();

  /**
   * Checks a run before anything is stored: the task's settings, its inputs
   * against the dataset's columns and the first row's prompt, as the form
   * does. Returns the spec with its few-shot examples read, as the run keeps it.
   */
  async function check(spec: RunSpec): Promise<RunSpec> {
    const dataset = await db.datasets.get(spec.datasetId);
    if (!dataset) throw inputError('Import or pick a dataset first.');
    const checked = await withExamples(spec, bind);
    const first = (await db.rowPages.get([dataset.id, 0]))?.rows[0];
    const bound = bind(checked);
    const { problems } = bound.check(dataset.columns, first);
    if (isBatchMode(spec.provider) && bound.task.kind === 'chain')
      problems.push(chainRefusal(bound.task.label).message);
    if (problems.length > 0) throw inputError(problems.join(' '));
    return checked;
  }

  async function startRun(form: RunSpec, secrets: Secrets): Promise<string> {
    const spec = await check(form);
    // A local model is loaded before the run exists: a file that is no model leaves no run behind.
    const model = await createModel(spec.provider, secrets, new AbortController().signal);
    const dataset = await db.datasets.get(spec.datasetId);
    const run = await createRun(spec, (dataset?.rowCount ?? 0) * spec.settings.numGenerations);
    void launch(run.id, secrets, model);
    return run.id;
  }

  /**
   * Takes a paused or failed run up again. With `provider`, the model settings
   * now in the form (a mended Base URL or model id): the run's task settings stay.
   */
  async function resumeRun(
    runId: string,
    secrets: Secrets,
    provider?: ProviderConfig,
  ): Promise<void> {
    const running = active.get(runId);
    // Already going (a second click on Resume): nothing to do.
    if (running && !running.stopping) return;
    // A run still winding down after Pause ends first, or it would swallow this resume.
    await running?.done;
    const run = await db.runs.get(runId);
    if (!run) throw inputError('That run no longer exists.');
    if (provider) await setRunProvider(runId, provider);
    await setRunStatus(runId, 'running');
    void launch(runId, secrets);
  }

  /**
   * Makes these generations again (or the failed ones), in the same run: with
   * `spec`, the form's settings now (a better prompt, another model), checked
   * as a new run would be. Their current answers stay in their history.
   */
  async function regenerate(
    runId: string,
    keys: Regeneration,
    spec: RunSpec | undefined,
    secrets: Secrets,
  ): Promise<number> {
    const running = active.get(runId);
    if (running && !running.stopping)
      throw inputError('The run is going: pause it, or let it finish, then regenerate.');
    if (spec) await updateRunSpec(runId, await check(spec));
    const marked = await markForRegeneration(runId, keys);
    if (marked > 0) await resumeRun(runId, secrets);
    return marked;
  }

  /** Runs left 'running' by a closed or reloaded tab, taken up again. */
  async function resumeInterrupted(secrets: Secrets): Promise<string[]> {
    const orphans = await db.runs.where('status').equals('running').toArray();
    const resumable = orphans.filter((run) => !active.has(run.id));
    for (const run of resumable) void launch(run.id, secrets);
    return resumable.map((run) => run.id);
  }

  /**
   * Pauses the runs of a dataset going on here and waits for their end: before
   * the dataset is deleted. Paused, not cancelled: Undo brings them back to be resumed.
   */
  async function pauseRunsOf(datasetId: string): Promise<void> {
    const runs = await db.runs.where('datasetId').equals(datasetId).primaryKeys();
    await Promise.all(runs.filter((id) => active.has(id)).map((id) => stop(id, 'paused')));
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

  /** Cancels a run, and its batches at the provider (which needs the key), if it has any. */
  async function cancelRun(runId: string, secrets: Secrets = {}): Promise<void> {
    await stop(runId, 'cancelled');
    const run = await db.runs.get(runId);
    const batch = run && batchApi(run, secrets);
    if (batch) await cancelBatches(run, batch);
  }

  /**
   * Executes a run to its end. A Web Lock per run keeps two tabs from running
   * the same run; the second one leaves it to the first. `model` is the one
   * Run has just loaded, else the run's provider makes one.
   */
  async function launch(runId: string, secrets: Secrets, model?: LanguageModel): Promise<void> {
    if (active.has(runId)) return;
    const controller = new AbortController();
    const done = withRunLock(runId, async () => {
      const run = await db.runs.get(runId);
      if (run?.status !== 'running') return;
      await execute(run, secrets, controller.signal, model);
    }).finally(() => active.delete(runId));
    active.set(runId, { controller, done, stopping: false });
    await done;
  }

  async function execute(
    run: Run,
    secrets: Secrets,
    signal: AbortSignal,
    loaded: LanguageModel | undefined,
  ): Promise<void> {
    try {
      const bound = bind(run);
      const batch = batchApi(run, secrets);
      const outcome = batch
        ? await executeBatchRun(run, bound, batch, signal, batchOptions)
        : await executeRun(
            run,
            bound,
            loaded ?? (await createModel(run.provider, secrets, signal)),
            signal,
          );
      if (outcome === 'completed') await setRunStatus(run.id, 'completed');
      else if (!signal.aborted) throw new EngineError(UNFINISHED);
    } catch (error) {
      if (!signal.aborted) await setRunStatus(run.id, 'failed', toErrorData(error));
    }
  }

  return {
    checkRun: async (spec: RunSpec): Promise<void> => void (await check(spec)),
    startRun,
    pauseRun: (runId: string) => stop(runId, 'paused'),
    resumeRun,
    regenerate,
    cancelRun,
    resumeInterrupted,
    pauseRunsOf,
  };
}

/** All pending work was sent, yet the counters still miss results: said, never shown as done. */
const UNFINISHED = {
  kind: 'internal',
  message: 'The run ended with generations that have no result. Resume it to send them again.',
  retryable: false,
} as const;

/** The Batch API of a run in batch mode, else undefined. */
function batchApi(run: Run, secrets: Secrets) {
  const { provider } = run;
  if (provider.provider !== 'openai' || !isBatchMode(provider)) return undefined;
  const endpoint = { baseURL: provider.baseURL, apiKey: secrets.apiKey };
  return provider.batchApi === 'anthropic' ? anthropicBatches(endpoint) : openAIBatches(endpoint);
}

function withRunLock(runId: string, body: () => Promise<void>): Promise<void> {
  const locks = globalThis.navigator?.locks;
  if (!locks) return body();
  return locks.request(`retort-run-${runId}`, { ifAvailable: true }, async (lock) => {
    if (lock) await body();
  });
}
