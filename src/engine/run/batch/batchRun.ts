import { type BoundTask, isBoundPrompt } from '../../bound';
import { storeResults } from '../../db/results';
import { addRunBatch, updateRunBatch } from '../../db/runs';
import { type BatchJob, db, type Result, type Run } from '../../db/schema';
import { EngineError, type EngineErrorData, toErrorData } from '../../errors';
import { readGeneration } from '../../generation';
import type { PromptTask } from '../../task';
import { promptFor } from '../generate';
import { defaultRetryPolicy, sleep } from '../retry';
import { failed, finishedAll } from '../runner';
import { pendingWork, type WorkItem } from '../workItems';
import { keyOf, readOutcomes, requestBatches } from './batchLines';
import {
  type BatchInfo,
  type BatchLimits,
  type BatchProvider,
  hasEnded,
  type LineOutcome,
} from './batchProvider';

export interface BatchOptions {
  /** The first wait between polls; it doubles after each poll, up to maxPollMs. */
  pollMs?: number;
  maxPollMs?: number;
  /** Smaller per-batch limits than the provider's (tests split a run). */
  limits?: BatchLimits;
  /** Waits between polls (tests stand in a worker that never wakes, as a closed tab). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

const DEFAULTS = { pollMs: 30_000, maxPollMs: 600_000, sleep };

/** Everything one execution of a batch run works with. */
interface BatchContext {
  run: Run;
  model: string;
  bound: BoundTask<PromptTask>;
  provider: BatchProvider;
  signal: AbortSignal;
  options: Required<BatchOptions>;
}

/**
 * Runs the pending work of a run through a provider's Batch API: submits it
 * (split over the per-batch limits), polls until the batches end, stores what
 * came back under the same exactly-once key as live answers, and submits the
 * lines that failed or expired again, up to the run's retries; then stores
 * them as failed with the provider's reason. Jobs live on the run record, so a
 * run taken up after a reload polls its batches rather than sending again.
 * Returns as executeRun does; a batch the provider refuses as a whole ends the run.
 */
export async function executeBatchRun(
  run: Run,
  bound: BoundTask,
  provider: BatchProvider,
  signal: AbortSignal,
  options: BatchOptions = {},
): Promise<'completed' | 'stopped'> {
  if (!isBoundPrompt(bound)) throw new EngineError(chainRefusal(bound.task.label));
  if (run.provider.provider !== 'openai') throw new EngineError(PROVIDER_REFUSAL);
  const ctx: BatchContext = {
    run,
    model: run.provider.model,
    bound,
    provider,
    signal,
    options: { ...DEFAULTS, limits: provider.limits, ...options },
  };
  const maxAttempts = (run.limits?.maxRetries ?? defaultRetryPolicy.maxRetries) + 1;
  // Batches left by a closed tab go on counting their attempts; a run started or resumed begins at 1.
  let attempt = Math.max(0, ...openJobs(run.batches).map((job) => job.attempt));
  for (;;) {
    await collectAll(ctx, attempt >= maxAttempts);
    if (attempt >= maxAttempts) {
      await failUnanswered(ctx);
      break;
    }
    attempt += 1;
    if ((await submit(ctx, attempt)) === 0) break;
  }
  return (await finishedAll(run.id)) ? 'completed' : 'stopped';
}

/**
 * Asks the provider to cancel a run's batches that have not ended. Their
 * answers so far are not collected: a cancelled run is not resumed.
 */
export async function cancelBatches(run: Run, provider: BatchProvider): Promise<void> {
  for (const job of openJobs(run.batches).filter((job) => !hasEnded(job.status))) {
    await updateRunBatch(run.id, job.id, described(await provider.cancel(job.id)));
  }
}

const openJobs = (jobs: BatchJob[] = []) => jobs.filter((job) => !job.collected);

/** Submits the pending work as new batches; the number of batches made. */
async function submit(ctx: BatchContext, attempt: number): Promise<number> {
  const { run, provider, signal } = ctx;
  const unreadable: Result[] = [];
  const batches = requestBatches(ctx, pendingWork(run, false), ctx.options.limits, (item, error) =>
    unreadable.push(...failedItem(ctx, item, item.generations, error)),
  );
  let made = 0;
  for await (const lines of batches) {
    const name = `retort-${run.id}-${attempt}-${made}.jsonl`;
    const { batch, inputFileId } = await provider.submit(lines, name, signal);
    await addRunBatch(run.id, {
      id: batch.id,
      ...(inputFileId && { inputFileId }),
      ...described(batch),
      submittedAt: Date.now(),
      attempt,
    });
    made += 1;
  }
  if (unreadable.length > 0) await storeResults(run.id, unreadable);
  return made;
}

/** Polls the run's open batches, backing off, and collects each as it ends. */
async function collectAll(ctx: BatchContext, final: boolean): Promise<void> {
  const { run, signal, options } = ctx;
  let delay = options.pollMs;
  for (;;) {
    let waiting = 0;
    for (const job of openJobs((await db.runs.get(run.id))?.batches)) {
      if (!(await pollOnce(ctx, job, delay, final))) waiting += 1;
    }
    if (waiting === 0) return;
    await options.sleep(delay, signal);
    delay = Math.min(delay * 2, options.maxPollMs);
  }
}

/** Reads a batch, and collects it if it has ended: true once it is collected. */
async function pollOnce(ctx: BatchContext, job: BatchJob, delay: number, final: boolean) {
  const info = await ctx.provider.get(job.id, ctx.signal).catch(passing(ctx.signal));
  if (!info) return false;
  await updateRunBatch(ctx.run.id, job.id, { ...described(info), pollMs: delay });
  if (!hasEnded(info.status)) return false;
  await collect(ctx, job, info, final);
  return true;
}

/**
 * A poll that meets an error a retry may mend (a dropped connection, a 429, a
 * 5xx) is tried again at the next one: a batch takes hours, and one blip must
 * not end the run. Anything else is thrown.
 */
function passing(signal: AbortSignal) {
  return (error: unknown): undefined => {
    if (signal.aborted || !EngineError.isInstance(error) || !error.retryable) throw error;
  };
}

/**
 * Stores the answers of an ended batch, and the failures that are final:
 * lasting ones (a request the provider refused as it is), and all of them on
 * the last attempt. The others stay pending for the next batch.
 */
async function collect(ctx: BatchContext, job: BatchJob, info: BatchInfo, final: boolean) {
  const { run, provider, signal } = ctx;
  const outcomes = new Map<string, LineOutcome>();
  for (const jsonl of await provider.results(info, signal)) {
    readOutcomes(jsonl, run.id, provider, outcomes);
  }
  await storeOutcomes(ctx, outcomes, final);
  await updateRunBatch(run.id, job.id, { collected: true });
  if (info.status === 'failed') throw new EngineError(batchRefused(job.id, info.error));
}

/** How many results are written a transaction at a time. */
const STORE_CHUNK = 1000;

/** Stores the outcomes of pending generations only: a batch collected twice stores nothing twice. */
async function storeOutcomes(
  ctx: BatchContext,
  outcomes: Map<string, LineOutcome>,
  final: boolean,
): Promise<void> {
  let chunk: Result[] = [];
  for await (const item of pendingWork(ctx.run, false)) {
    for (const generation of item.generations) {
      const outcome = outcomes.get(keyOf(item.rowIndex, generation));
      const result = outcome && resultOf(ctx, item, generation, outcome);
      if (result && (result.status === 'done' || final || result.lasting)) chunk.push(result);
    }
    if (chunk.length >= STORE_CHUNK) {
      await storeResults(ctx.run.id, chunk);
      chunk = [];
    }
  }
  if (chunk.length > 0) await storeResults(ctx.run.id, chunk);
}

/** A line's outcome as a result: its answer read by the task, as a live answer is, or its failure. */
function resultOf(
  ctx: BatchContext,
  item: WorkItem,
  generation: number,
  outcome: LineOutcome,
): Result {
  if ('error' in outcome) return failedItem(ctx, item, [generation], outcome.error)[0];
  try {
    const { row, messages } = promptFor(ctx.bound, item.row);
    const choice = ctx.provider.readAnswer(outcome.body, messages);
    const generated = readGeneration(ctx.bound, { row, messages, choice });
    return { ...resultKey(ctx, item.rowIndex, generation), status: 'done', ...generated };
  } catch (error) {
    return failedItem(ctx, item, [generation], toErrorData(error))[0];
  }
}

/**
 * After the last attempt, the generations no line answered (a batch that
 * expired or was cancelled without an error file) are failed with its reason.
 */
async function failUnanswered(ctx: BatchContext): Promise<void> {
  const last = (await db.runs.get(ctx.run.id))?.batches?.at(-1);
  const error: EngineErrorData = {
    kind: 'response',
    message: `No answer came back from the Batch API${last ? ` (batch ${last.id} ${last.status}${last.error ? `: ${last.error}` : ''})` : ''}.`,
    retryable: true,
  };
  const results: Result[] = [];
  for await (const item of pendingWork(ctx.run, false)) {
    results.push(...failedItem(ctx, item, item.generations, error));
  }
  if (results.length > 0) await storeResults(ctx.run.id, results);
}

function resultKey(ctx: BatchContext, rowIndex: number, generation: number) {
  return { runId: ctx.run.id, rowIndex, generation, modelName: ctx.model, at: Date.now() };
}

function failedItem(
  ctx: BatchContext,
  item: WorkItem,
  generations: number[],
  error: EngineErrorData,
): Result[] {
  return generations.map((g) => failed(resultKey(ctx, item.rowIndex, g), error));
}

/** What the provider says of a batch, as a job keeps it. */
function described({ id: _, ...info }: BatchInfo): Omit<BatchInfo, 'id'> {
  return info;
}

/** Why a task cannot go through a Batch API: it chains calls, each made from the answer before. */
export function chainRefusal(label: string): EngineErrorData {
  return {
    kind: 'input',
    message: `${label} makes several calls a generation, each from the answer before, so it cannot go through a Batch API. Pick Live requests under Model.`,
    retryable: false,
  };
}

const PROVIDER_REFUSAL: EngineErrorData = {
  kind: 'input',
  message: 'Batch mode needs an OpenAI-compatible or Anthropic provider with a Batch API.',
  retryable: false,
};

function batchRefused(id: string, reason: string | undefined): EngineErrorData {
  return {
    kind: 'http',
    message: `The provider failed batch ${id}${reason ? `: ${reason}` : '.'} Resume the run to submit its requests again.`,
    retryable: false,
  };
}
