import { decodePage } from '../../src/engine/db/resultColumns';
import { createRun } from '../../src/engine/db/runs';
import { db, PAGE_SIZE, type Result, type Run } from '../../src/engine/db/schema';
import type { LanguageModel, SamplingOptions } from '../../src/engine/llm/types';
import { type BoundRun, loadRun } from '../../src/engine/run/boundRun';
import { executeRun, type RunOptions } from '../../src/engine/run/runner';
import { defaultRunSettings, type Row } from '../../src/engine/task';
import { bindSpec } from '../../src/tasks';
import type { BatchServer } from '../server/batchServer';

/** A stored run with its task bound by the catalog, as the worker hands it to exports. */
export function boundRun(runId: string): Promise<BoundRun> {
  return loadRun(runId, bindSpec);
}

/** executeRun with the run's task bound by the catalog, as the worker wires it. */
export function runWith(
  run: Run,
  model: LanguageModel,
  signal: AbortSignal,
  options?: RunOptions,
): Promise<'completed' | 'stopped'> {
  return executeRun(run, bindSpec(run), model, signal, options);
}

/** Stores rows as a dataset, page by page, as an import would. */
export async function storeDataset(rows: Row[], name = 'prompts'): Promise<string> {
  const id = crypto.randomUUID();
  for (let page = 0; page * PAGE_SIZE < rows.length; page++) {
    await db.rowPages.put({
      datasetId: id,
      page,
      rows: rows.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE),
    });
  }
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  await db.datasets.put({
    id,
    name,
    columns,
    rowCount: rows.length,
    source: 'test',
    created: Date.now(),
  });
  return id;
}

/** `count` rows of `{ instruction: 'prompt <i>' }`. */
export function prompts(count: number): Row[] {
  return Array.from({ length: count }, (_, i) => ({ instruction: `prompt ${i}` }));
}

/** A stored Text generation run against an OpenAI-compatible endpoint. */
export async function textGenerationRun(
  datasetId: string,
  options: {
    baseURL: string;
    model?: string;
    numGenerations?: number;
    concurrency?: number;
    sampling?: SamplingOptions;
  },
): Promise<Run> {
  const rowCount = (await db.datasets.get(datasetId))?.rowCount ?? 0;
  const numGenerations = options.numGenerations ?? 1;
  return createRun(
    {
      datasetId,
      taskId: 'text_generation',
      taskParams: {},
      settings: { ...defaultRunSettings, numGenerations },
      provider: {
        provider: 'openai',
        baseURL: options.baseURL,
        model: options.model ?? 'test-model',
      },
      sampling: options.sampling ?? { temperature: 0 },
      concurrency: options.concurrency ?? 8,
    },
    rowCount * numGenerations,
  );
}

export async function clearDatabase(): Promise<void> {
  await Promise.all([
    db.datasets.clear(),
    db.rowPages.clear(),
    db.runs.clear(),
    db.resultPages.clear(),
    db.resultMeta.clear(),
  ]);
}

/** Every stored result of a run, whole, in row then generation order. */
export async function storedResults(runId: string): Promise<Result[]> {
  const ofRun = [
    [runId, -Infinity],
    [runId, Infinity],
  ] as const;
  const [pages, metas] = await Promise.all([
    db.resultPages
      .where('[runId+page]')
      .between(...ofRun)
      .toArray(),
    db.resultMeta
      .where('[runId+page]')
      .between(...ofRun)
      .toArray(),
  ]);
  return pages.flatMap((page, i) => decodePage(page, metas[i]));
}

/** Batch polls with no real waiting: they come one after another. */
export const noWait = { pollMs: 1, sleep: async () => {} };

/** A worker that went away while it waited: its next poll never comes. */
export const closedTab = { pollMs: 1, sleep: () => new Promise<void>(() => {}) };

/** An empty store, and a batch fake as it started: no batches, no requests, its default behaviour. */
export async function resetBatchTest(
  server: Pick<BatchServer, 'requests' | 'setOptions'> & { batches: unknown[] },
): Promise<void> {
  await clearDatabase();
  server.batches.length = 0;
  server.requests.length = 0;
  server.setOptions({ hold: false, pollsToFinish: 1, fate: undefined, failReads: 0 });
}
