import Dexie, { type EntityTable, type Transaction } from 'dexie';
import type { EngineErrorData } from '../errors';
import type { FinishReason, ProviderConfig, SamplingOptions } from '../llm/types';
import type { RateLimits } from '../run/limits';
import type { Outputs, Row, RunSettings } from '../task';
import { decodePage, encodePage, metaOfVersion3 } from './resultColumns';

/** Rows are stored a page at a time: one record per row caps IndexedDB near 14k rows/s. */
export const PAGE_SIZE = 1000;

export interface Dataset {
  id: string;
  name: string;
  columns: string[];
  rowCount: number;
  /** Where the rows came from: a file name, or the run they were made by. */
  source: string;
  /** The runs it was made from, when it was (run/derive.ts): the chain a recipe replays. */
  derivedFrom?: DerivedFrom;
  created: number;
}

/** How a dataset was made from runs: their answers combined, or one run's results as rows. */
export type DerivedFrom =
  | { kind: 'combine'; runIds: string[] }
  | { kind: 'results'; runId: string };

export interface RowPage {
  datasetId: string;
  page: number;
  rows: Row[];
}

export type RunStatus = 'running' | 'paused' | 'completed' | 'cancelled' | 'failed';

export interface RunCounters {
  /** Generations the run must produce: rows x numGenerations. */
  total: number;
  done: number;
  failed: number;
  /** Failed generations whose failure lasts (Result.lasting); absent on runs stored before it was counted. */
  lasting?: number;
  /** Answers that could not be read (and were not cut short). */
  formatFailed: number;
  /** Answers cut at Max new tokens (finish reason `length`), readable or not. */
  cut: number;
  /** The person's judgements: generations rated good or bad, edited, deleted. */
  good: number;
  bad: number;
  edited: number;
  deleted: number;
  inputTokens: number;
  outputTokens: number;
}

/** What the worker is doing right now, written with each batch of results. */
export interface RunActivity {
  inFlight: number;
  /** Requests waiting out a backoff or a Retry-After before they are sent again. */
  waiting: number;
  /** Why the latest of them waits, and for how long: a stalled run says why. */
  lastRetry?: { message: string; delayMs: number };
  /** The window after adaptive narrowing on 429s. */
  concurrency: number;
  /** When this stretch of running began, and how many generations were finished then: for rates and ETA. */
  since: number;
  finishedSince: number;
  outputTokensSince: number;
}

/**
 * Prices per million tokens, for the cost shown beside a run. A batch-mode
 * run pays the batch prices, each one that is not entered half its live price.
 */
export interface Pricing {
  inputPerMillion: number;
  outputPerMillion: number;
  batchInputPerMillion?: number;
  batchOutputPerMillion?: number;
}

export interface RunLimits extends RateLimits {
  timeoutSeconds: number;
  maxRetries: number;
}

export interface Run {
  id: string;
  /** The person's name for it, when they gave one. */
  name?: string;
  datasetId: string;
  taskId: string;
  taskParams: unknown;
  settings: RunSettings;
  /** The few-shot examples its prompts carry (settings.fewShot), as read when it started. */
  examples?: Row[];
  provider: ProviderConfig;
  sampling: SamplingOptions;
  concurrency: number;
  limits?: RunLimits;
  pricing?: Pricing;
  status: RunStatus;
  activity?: RunActivity;
  counters: RunCounters;
  /** Why the run stopped, when it failed. */
  error?: EngineErrorData;
  /** Its jobs at the provider's Batch API, in a batch-mode run: polled again after a reload. */
  batches?: BatchJob[];
  created: number;
  updated: number;
}

/** A provider's counts of a batch's requests. */
export interface BatchCounts {
  total: number;
  completed: number;
  failed: number;
}

/** One job of a run at a provider's Batch API (run/batch/), as the provider last described it. */
export interface BatchJob {
  id: string;
  /** The uploaded file of its requests (OpenAI; Anthropic takes them in the request). */
  inputFileId?: string;
  /** The provider's word: validating, in_progress, finalizing, completed, ended, cancelled... */
  status: string;
  requestCounts?: BatchCounts;
  outputFileId?: string;
  errorFileId?: string;
  /** Where its results are read (Anthropic). */
  resultsUrl?: string;
  /** Why the provider failed the whole batch, in its words. */
  error?: string;
  submittedAt: number;
  /** 1 for its lines' first submission, 2 for their first retry, and so on. */
  attempt: number;
  /** Between this job's polls now (they back off), for the progress line. */
  pollMs?: number;
  /** Its answers are stored: it is not polled again. */
  collected?: boolean;
}

export interface Result {
  runId: string;
  rowIndex: number;
  generation: number;
  status: 'done' | 'failed';
  formatFailed: boolean;
  outputs: Outputs;
  modelName: string;
  metadata: Record<string, unknown>;
  error?: string;
  /**
   * The failure lasts: the same request would fail the same way (HTTP 400,
   * 401, 404, a row the task cannot read), so Retry failed leaves it until the
   * person changes the task or model.
   */
  lasting?: boolean;
  /** Why the model stopped; absent on a failed generation (and on results stored before version 2). */
  finishReason?: FinishReason;
  /** When it was stored (ms since the epoch); absent on results stored before version 2. */
  at?: number;
  /**
   * One request made this and the row's other generations: its prompt tokens,
   * recorded in its statistics as distilabel does, were billed once, and the
   * run's input tokens (and cost) count them once.
   */
  promptShared?: boolean;
  /** What the person made of it: kept beside the model's answer, never over it. */
  judgement?: Judgement;
  /** Sent again (Regenerate): it counts as pending until its new answer replaces it. */
  regenerating?: boolean;
  /** The answers this generation had before it was regenerated, oldest first. */
  history?: Omit<Result, 'history' | 'regenerating'>[];
}

/** A person's judgement of one generation. */
export interface Judgement {
  rating?: 'good' | 'bad';
  comment?: string;
  /** Output column -> the person's value, shown and exported in place of the model's. */
  edits?: Record<string, unknown>;
  /** Left out of every export until restored. */
  deleted?: boolean;
  /** When it last changed (ms since the epoch). */
  at: number;
}

/**
 * The results of one page of rows (PAGE_SIZE rows, as rowPages holds them), in
 * row then generation order, at most one per (row, generation), stored as
 * columns: slot i of every array is one result (db/resultColumns.ts). A run
 * reads back as fast as its rows do; the metadata is in ResultPageMeta.
 */
export interface ResultPage {
  runId: string;
  page: number;
  rowIndex: Int32Array;
  generation: Int32Array;
  /** 1 where the generation failed (no answer), 2 where its failure lasts (Result.lasting); 0 when done. */
  failed: Uint8Array;
  formatFailed: Uint8Array;
  promptShared: Uint8Array;
  /** When each was stored; NaN where unknown. */
  at: Float64Array;
  inputTokens: Int32Array;
  outputTokens: Int32Array;
  modelName: string[];
  error: (string | null)[];
  finishReason: (FinishReason | null)[];
  /** Output column -> its value in each slot. */
  outputs: Record<string, unknown[]>;
  judgement: (Judgement | null)[];
  regenerating: Uint8Array;
}

/**
 * The distilabel_metadata of a ResultPage's results, read for exports and
 * details only. Each is kept as its JSON text: IndexedDB hands back a string
 * several times faster than the objects inside it (raw input messages, token
 * counts), and a CSV export writes the text as it is.
 */
export interface ResultPageMeta {
  runId: string;
  page: number;
  /** Each slot's metadata as JSON text (version 3; version 2 kept a column per key). */
  metadataJson: string[];
  history: (Result['history'] | null)[];
}

export class RetortDB extends Dexie {
  datasets!: EntityTable<Dataset, 'id'>;
  rowPages!: Dexie.Table<RowPage, [string, number]>;
  runs!: EntityTable<Run, 'id'>;
  resultPages!: Dexie.Table<ResultPage, [string, number]>;
  resultMeta!: Dexie.Table<ResultPageMeta, [string, number]>;

  constructor(name = 'retort') {
    super(name);
    this.version(1).stores({
      datasets: 'id, created',
      rowPages: '[datasetId+page]',
      runs: 'id, datasetId, status, created',
      results: '[runId+rowIndex+generation], [runId+status]',
    });
    this.version(2)
      .stores({ results: null, resultPages: '[runId+page]', resultMeta: '[runId+page]' })
      .upgrade(async (tx) => {
        await tx
          .table('runs')
          .toCollection()
          .modify((run) => upgradeRunToVersion2(run));
        await packResults(tx);
      });
    this.version(3)
      .stores({})
      .upgrade((tx) =>
        tx
          .table('resultMeta')
          .toCollection()
          .modify((meta, ref) => {
            ref.value = metaOfVersion3(meta);
          }),
      );
  }
}

/** Results read at a time while packing them: a million never sit in memory at once. */
const PACKING_CHUNK = 5_000;

/**
 * Version 2 stores results a page of rows to a record, as columns (version 1
 * kept one record per generation): each is moved into its page, in key order.
 */
async function packResults(tx: Transaction): Promise<void> {
  const results = tx.table<Result, [string, number, number]>('results');
  const pages = tx.table<ResultPage, [string, number]>('resultPages');
  const metas = tx.table<ResultPageMeta, [string, number]>('resultMeta');
  let after: [string, number, number] | undefined;
  for (;;) {
    const chunk = await (after ? results.where(':id').above(after) : results.toCollection())
      .limit(PACKING_CHUNK)
      .toArray();
    if (chunk.length === 0) return;
    const byPage = new Map<string, Result[]>();
    for (const result of chunk) {
      const key = JSON.stringify([result.runId, Math.floor(result.rowIndex / PAGE_SIZE)]);
      byPage.set(key, [...(byPage.get(key) ?? []), result]);
    }
    const keys = [...byPage.keys()].map((key) => JSON.parse(key) as [string, number]);
    // A page may have begun in the chunk before: what it holds so far comes first.
    const [stored, storedMeta] = await Promise.all([pages.bulkGet(keys), metas.bulkGet(keys)]);
    const encoded = keys.map(([runId, page], i) => {
      const earlier = stored[i] ? decodePage(stored[i], storedMeta[i]) : [];
      return encodePage(runId, page, [...earlier, ...byPage.get(JSON.stringify([runId, page]))!]);
    });
    await pages.bulkPut(encoded.map((e) => e.columns));
    await metas.bulkPut(encoded.map((e) => e.meta));
    const last = chunk[chunk.length - 1];
    after = [last.runId, last.rowIndex, last.generation];
  }
}

/**
 * Tasks that asked for structured output unless told otherwise in version 1:
 * their answers are JSON by design, and text classification's switch was on.
 */
const STRUCTURED_IN_VERSION_1 = [
  'structured_generation',
  'custom_json',
  'generate_text_retrieval_data',
  'text_classification',
];

/**
 * Version 2: structured output is a run setting, not a task parameter, and
 * runs count answers cut at Max new tokens and the person's judgements. A version 1 run keeps what it asked for.
 */
function upgradeRunToVersion2(run: Run): void {
  const { structuredOutput, ...taskParams } = (run.taskParams ?? {}) as Record<string, unknown>;
  run.taskParams = taskParams;
  run.settings.structuredOutput =
    typeof structuredOutput === 'boolean'
      ? structuredOutput
      : STRUCTURED_IN_VERSION_1.includes(run.taskId);
  // Version 1 counted none of these.
  run.counters = { ...run.counters, cut: 0, good: 0, bad: 0, edited: 0, deleted: 0 };
}

/** The one database of the app; the worker and the UI open the same one. */
export const db = new RetortDB();
