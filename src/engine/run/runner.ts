import { findTask } from '../../tasks';
import { iterateRowPages } from '../db/datasets';
import { storedKeysOfPage } from '../db/runs';
import { db, PAGE_SIZE, type Run, type RunActivity } from '../db/schema';
import { EngineError, type EngineErrorData, toErrorData } from '../errors';
import {
  type ChatMessage,
  estimateTokens,
  type GenerateResult,
  type LanguageModel,
  type Usage,
} from '../llm/types';
import {
  type Generation,
  mapRow,
  type Row,
  readGeneration,
  recordGeneration,
  resolveParams,
  type Task,
  taskInputs,
} from '../task';
import { AdaptiveConcurrency, RateLimiter } from './limits';
import { ResultWriter } from './resultWriter';
import { defaultRetryPolicy, type RetryPolicy, withRetries } from './retry';
import { seededRandom } from './seededRandom';
import { runWindow } from './window';

/** Network failures in a row, with no answer between them, after which a run ends. */
const NETWORK_FAILURES_TO_END_RUN = 3;

/** One row with the generations it still lacks. */
interface WorkItem {
  rowIndex: number;
  row: Row;
  generations: number[];
}

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
  model: LanguageModel,
  signal: AbortSignal,
  options: RunOptions = {},
): Promise<'completed' | 'stopped'> {
  const task = findTask(run.taskId);
  const params = resolveParams(task, run.taskParams);
  const inputs = taskInputs(task, params);
  const policy = options.retry ?? retryPolicyOf(run);
  const limiter = new RateLimiter(run.limits ?? {});
  const window = new AdaptiveConcurrency(Math.min(run.concurrency, model.maxConcurrency));
  // Aborted when the run must end at once (an error no retry mends, a failed write):
  // the requests in flight stop too, and their rows stay pending.
  const ending = new AbortController();
  const runSignal = AbortSignal.any([signal, ending.signal]);
  let inFlight = 0;
  let waiting = 0;
  let lastRetry: RunActivity['lastRetry'];
  /** Whether the endpoint has answered in this stretch, and network failures since its last answer. */
  let answered = false;
  let networkFailuresInARow = 0;
  const since = Date.now();
  const finishedSince = run.counters.done + run.counters.failed;
  const outputTokensSince = run.counters.outputTokens;
  const activity = (): RunActivity => ({
    inFlight,
    waiting,
    lastRetry: waiting > 0 ? lastRetry : undefined,
    concurrency: window.limit,
    since,
    finishedSince,
    outputTokensSince,
  });
  const writer = new ResultWriter(
    run.id,
    options.flushSize ?? 64,
    options.flushMs ?? 250,
    activity,
    (error) => ending.abort(error),
  );

  const generate = async (item: WorkItem): Promise<void> => {
    const row = mapRow(item.row, inputs, run.settings);
    if (!task.run) {
      const n = item.generations.length;
      await settle(item.rowIndex, item.generations, () => singleCall(task, params, row, n));
      return;
    }
    // A chain's work item is one generation (pendingWork): the window counts its
    // requests, one at a time, and it succeeds or fails on its own.
    const [generation] = item.generations;
    await settle(item.rowIndex, item.generations, async () => [
      await chainedGeneration(task, params, row, item.rowIndex, generation),
    ]);
  };

  /**
   * Stores the generations made by `produce`, or each as failed with its reason.
   * An error that would fail every other request the same way ends the run instead,
   * leaving the work pending.
   */
  const settle = async (
    rowIndex: number,
    generations: number[],
    produce: () => Promise<Generation[]>,
  ): Promise<void> => {
    try {
      const made = await produce();
      writer.add(
        generations.map((generation, i) => ({
          ...base(rowIndex, generation),
          status: 'done',
          ...made[i],
        })),
      );
    } catch (error) {
      if (runSignal.aborted) return; // redone on resume
      const data = toErrorData(error);
      if (data.kind === 'network') networkFailuresInARow += 1;
      if (endsRun(data)) {
        ending.abort(error);
        throw error;
      }
      writer.add(
        generations.map((generation) => ({
          ...base(rowIndex, generation),
          status: 'failed',
          formatFailed: false,
          outputs: {},
          metadata: {},
          error: data.message,
        })),
      );
    }
  };

  /**
   * Errors after which the next request would fail the same way. A network error
   * is one while the endpoint has not answered, or when it repeats: a single reset
   * on a live server fails only its own generation.
   */
  const endsRun = ({ kind, status }: EngineErrorData): boolean =>
    (kind === 'network' && (!answered || networkFailuresInARow >= NETWORK_FAILURES_TO_END_RUN)) ||
    kind === 'model' ||
    (kind === 'http' && (status === 401 || status === 403 || status === 404));

  const base = (rowIndex: number, generation: number) => ({
    runId: run.id,
    rowIndex,
    generation,
    modelName: model.modelName,
  });

  if (task.needsRawCompletion && !model.complete) {
    throw new EngineError({
      kind: 'input',
      message: `${task.label} writes the chat template itself and needs raw completion, which this provider does not offer. Pick another provider.`,
      retryable: false,
    });
  }

  /** One request, metered, rate limited and retried: a chat, or a raw prompt. */
  const call = async (
    input: { messages: ChatMessage[]; row: Row } | { prompt: string; stop?: string[] },
    n: number,
    seed = run.sampling.seed,
  ) => {
    const stop = 'prompt' in input && input.stop ? input.stop : run.sampling.stop;
    const sampling = { ...run.sampling, stop, seed };
    const text = 'prompt' in input ? input.prompt : input.messages.map((m) => m.content).join('\n');
    const estimate = estimateTokens(text) + n * (sampling.maxTokens ?? 256);
    const send = (attemptSignal: AbortSignal) =>
      'prompt' in input
        ? model.complete!({ prompt: input.prompt, n, sampling }, attemptSignal)
        : model.generate(
            {
              messages: input.messages,
              n,
              sampling,
              jsonSchema: task.jsonSchema?.(params, input.row),
            },
            attemptSignal,
          );
    let sentInEpoch = window.epoch;
    let retrying = false;
    const beforeAttempt = async (attemptSignal: AbortSignal) => {
      if (retrying) {
        retrying = false;
        waiting -= 1;
      }
      await limiter.acquire(estimate, attemptSignal);
    };
    const attempt = async (attemptSignal: AbortSignal) => {
      sentInEpoch = window.epoch;
      inFlight += 1;
      try {
        return await send(attemptSignal);
      } finally {
        inFlight -= 1;
      }
    };
    const onRetry = (error: EngineError, delayMs: number) => {
      if (error.status === 429) window.throttled(sentInEpoch);
      retrying = true;
      waiting += 1;
      lastRetry = { message: error.message, delayMs };
      writer.touch();
    };
    const answer = await withRetries(attempt, policy, runSignal, { beforeAttempt, onRetry });
    answered = true;
    networkFailuresInARow = 0;
    window.succeeded();
    limiter.settle(
      estimate,
      answer.usage.reduce((sum, u, i) => sum + u.outputTokens + (i === 0 ? u.inputTokens : 0), 0),
    );
    return answer;
  };

  const singleCall = async (t: Task, p: unknown, row: Row, n: number): Promise<Generation[]> => {
    const messages = t.formatInput(row, p);
    const answer = await call({ messages, row }, n);
    return answer.texts.map((text, i) =>
      readGeneration(t, p, run.settings, { row, messages, text, usage: usageOf(answer.usage, i) }),
    );
  };

  const chainedGeneration = async (
    t: Task,
    p: unknown,
    row: Row,
    rowIndex: number,
    generation: number,
  ): Promise<Generation> => {
    const rawInputs: (ChatMessage[] | string)[] = [];
    const rawOutputs: (string | null)[] = [];
    const usage = { inputTokens: 0, outputTokens: 0 };
    // With a run seed, each call of the chain gets its own seed drawn from it, so
    // rows and generations differ (Magpie's first prompt is the same for every row)
    // and a rerun repeats them.
    let calls = 0;
    const seedOf = (callIndex: number) =>
      run.sampling.seed === undefined
        ? undefined
        : Math.floor(
            seededRandom(`${run.sampling.seed}:${rowIndex}:${generation}:${callIndex}`)() * 2 ** 31,
          );
    const record = async (input: ChatMessage[] | string, pending: Promise<GenerateResult>) => {
      const answer = await pending;
      rawInputs.push(input);
      rawOutputs.push(answer.texts[0]);
      usage.inputTokens += answer.usage[0]?.inputTokens ?? 0;
      usage.outputTokens += answer.usage[0]?.outputTokens ?? 0;
      return answer.texts[0];
    };
    const outputs = await t.run!(row, p, {
      random: seededRandom(`${run.sampling.seed ?? 0}:${rowIndex}:${generation}`),
      complete: (messages) => record(messages, call({ messages, row }, 1, seedOf(calls++))),
      completeRaw: (prompt, options) =>
        record(prompt, call({ prompt, stop: options?.stop }, 1, seedOf(calls++))),
    }).catch((error) => {
      if (EngineError.isInstance(error) || runSignal.aborted) throw error;
      return null; // the task could not read an answer: a format failure
    });
    return recordGeneration(t, p, run.settings, {
      outputs,
      rawOutput: rawOutputs,
      rawInput: rawInputs,
      usage,
    });
  };

  try {
    await runWindow(
      pendingWork(run, task.run !== undefined),
      () => window.limit,
      generate,
      runSignal,
    );
  } finally {
    await writer.close();
  }
  if (signal.aborted) return 'stopped';
  const stored = await db.runs.get(run.id);
  const counters = stored?.counters;
  return counters && counters.done + counters.failed >= counters.total ? 'completed' : 'stopped';
}

function retryPolicyOf(run: Run): RetryPolicy {
  const limits = run.limits;
  return limits
    ? {
        ...defaultRetryPolicy,
        timeoutMs: limits.timeoutSeconds * 1000,
        maxRetries: limits.maxRetries,
      }
    : defaultRetryPolicy;
}

function usageOf(usage: Usage[], i: number): Usage {
  return usage[i] ?? { inputTokens: 0, outputTokens: 0, reported: false };
}

/** The work still to do, read a page of rows at a time: a row per item, or a generation. */
async function* pendingWork(run: Run, oneGenerationEach: boolean): AsyncGenerator<WorkItem> {
  const n = run.settings.numGenerations;
  for await (const { page, rows } of iterateRowPages(run.datasetId)) {
    const stored = await storedKeysOfPage(run.id, page);
    for (const [position, row] of rows.entries()) {
      const rowIndex = page * PAGE_SIZE + position;
      const generations = [...Array(n).keys()].filter((g) => !stored.has(`${rowIndex}:${g}`));
      if (generations.length === 0) continue;
      // A chain makes each generation in requests of its own, so each is an item.
      if (oneGenerationEach) for (const g of generations) yield { rowIndex, row, generations: [g] };
      else yield { rowIndex, row, generations };
    }
  }
}
