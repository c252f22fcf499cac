import type { BoundTask } from '../bound';
import { db, type Result, type Run } from '../db/schema';
import { EngineError, type EngineErrorData, toErrorData } from '../errors';
import type { LanguageModel } from '../llm/types';
import { FailurePolicy, lasts } from './failurePolicy';
import { generator } from './generate';
import { AdaptiveConcurrency, RateLimiter } from './limits';
import { ActivityMeter } from './meter';
import { modelCall } from './modelCall';
import { ResultWriter } from './resultWriter';
import { defaultRetryPolicy, type RetryPolicy } from './retry';
import { runWindow } from './window';
import { pendingWork, type WorkItem } from './workItems';

export interface RunOptions {
  retry?: RetryPolicy;
  /** Results are written in batched transactions of at most this many... */
  flushSize?: number;
  /** ...or after this long, whichever comes first. */
  flushMs?: number;
}

/**
 * Runs the pending work of a run: every (row, generation) without a stored
 * result, through a sliding window of the run's concurrency. Returns
 * 'completed' when all of it has a result, else 'stopped': `signal` aborted
 * (requests in flight are dropped and redone on resume), or the work ran out
 * with results still missing. Errors that no retry can mend (an unreachable
 * endpoint, a refused key, a model that will not load, a write the browser's
 * storage refused) end the run at once, are thrown, and leave the rest pending.
 */
export async function executeRun(
  run: Run,
  bound: BoundTask,
  model: LanguageModel,
  signal: AbortSignal,
  options: RunOptions = {},
): Promise<'completed' | 'stopped'> {
  if (bound.task.kind === 'chain' && bound.task.needsRawCompletion && !model.complete) {
    throw new EngineError({
      kind: 'input',
      message: `${bound.task.label} writes the chat template itself and needs raw completion, which this provider does not offer. Pick another provider.`,
      retryable: false,
    });
  }
  // Aborted when the run must end at once (an error no retry mends, a failed write):
  // the requests in flight stop too, and their rows stay pending.
  const ending = new AbortController();
  const runSignal = AbortSignal.any([signal, ending.signal]);
  const concurrency = new AdaptiveConcurrency(Math.min(run.concurrency, model.maxConcurrency));
  const failures = new FailurePolicy();
  const writer = new ResultWriter(
    run.id,
    options.flushSize ?? 64,
    options.flushMs ?? 250,
    () => meter.snapshot(),
    (error) => ending.abort(error),
  );
  const meter = new ActivityMeter(
    run.counters,
    () => concurrency.limit,
    () => writer.touch(),
  );
  const call = modelCall({
    model,
    sampling: run.sampling,
    policy: options.retry ?? retryPolicyOf(run),
    limiter: new RateLimiter(run.limits ?? {}),
    concurrency,
    meter,
    failures,
    signal: runSignal,
  });
  const generate = generator(bound, call, { seed: run.sampling.seed, signal: runSignal });
  const result = (item: WorkItem, generation: number) => ({
    runId: run.id,
    rowIndex: item.rowIndex,
    generation,
    modelName: model.modelName,
    at: Date.now(),
  });

  /** Stores an item's generations, or each as failed with its reason, unless the error ends the run. */
  const settle = async (item: WorkItem) => {
    try {
      const made = await generate(item);
      writer.add(
        item.generations.map((g, i) => ({ ...result(item, g), status: 'done', ...made[i] })),
      );
    } catch (error) {
      if (runSignal.aborted) return; // redone on resume
      const data = toErrorData(error);
      if (failures.endsRun(data)) {
        ending.abort(error);
        throw error;
      }
      writer.add(item.generations.map((g) => failed(result(item, g), data)));
    }
  };

  try {
    const work = pendingWork(run, bound.task.kind === 'chain');
    await runWindow(work, () => concurrency.limit, settle, runSignal);
  } finally {
    await writer.close();
  }
  if (signal.aborted) return 'stopped';
  return (await finishedAll(run.id)) ? 'completed' : 'stopped';
}

/** Every generation of the run has a result, done or failed. */
export async function finishedAll(runId: string): Promise<boolean> {
  const counters = (await db.runs.get(runId))?.counters;
  return counters !== undefined && counters.done + counters.failed >= counters.total;
}

/** A generation failed with this error; a lasting failure waits for new settings (Result.lasting). */
export function failed(
  key: Pick<Result, 'runId' | 'rowIndex' | 'generation' | 'modelName'>,
  error: EngineErrorData,
): Result {
  const failure: Result = {
    ...key,
    status: 'failed',
    formatFailed: false,
    outputs: {},
    metadata: {},
  };
  return { ...failure, error: error.message, ...(lasts(error) && { lasting: true }) };
}

function retryPolicyOf(run: Run): RetryPolicy {
  const { limits } = run;
  return limits
    ? {
        ...defaultRetryPolicy,
        timeoutMs: limits.timeoutSeconds * 1000,
        maxRetries: limits.maxRetries,
      }
    : defaultRetryPolicy;
}
