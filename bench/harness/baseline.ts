// What the engine is measured against, in a worker of its own: the same
// browser, the same IndexedDB, without the engine's work around them.
import { expose } from 'comlink';
import Papa from 'papaparse';
import { iterateRunPages, storeResults } from '../../src/engine/db/results';
import { createRun } from '../../src/engine/db/runs';
import { db, PAGE_SIZE, type Result, type RowPage, type Run } from '../../src/engine/db/schema';
import { runOutputRows } from '../../src/engine/run/outputRows';
import { defaultRunSettings } from '../../src/engine/task';
import { bindSpec } from '../../src/tasks';
import { benchRow } from '../rows';

/** Pages per transaction, as an import writes them (db/datasets.ts). */
const PAGES_PER_WRITE = 8;

const api = {
  /** Milliseconds for `count` bare chat requests through `concurrency` fetch loops. */
  async rawRequests(url: string, count: number, concurrency: number): Promise<number> {
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) {
          const response = await fetch(`${url}/chat/completions`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({
              model: 'bench-model',
              messages: [{ role: 'user', content: `prompt ${next++}` }],
              n: 1,
              temperature: 0,
            }),
          });
          await response.json();
        }
      }),
    );
    return performance.now() - started;
  },

  /** The run once it is no longer running. */
  async waitForRun(runId: string): Promise<Run> {
    for (;;) {
      const run = await db.runs.get(runId);
      if (run && run.status !== 'running') return run;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  },

  /** Milliseconds for papaparse alone to read the file, a row at a time as the import does, rows dropped. */
  async papaparse(file: File): Promise<{ rows: number; ms: number }> {
    const started = performance.now();
    let rows = 0;
    Papa.parse<Record<string, string>>(await file.text(), {
      header: true,
      skipEmptyLines: 'greedy',
      step: () => {
        rows += 1;
      },
    });
    return { rows, ms: performance.now() - started };
  },

  /**
   * Milliseconds the store alone takes to write rows 0..count-1 in pages of
   * 1,000, eight pages a transaction, as an import does. Only the writes are
   * timed, not making the rows; the pages are deleted afterwards.
   */
  async storeAlone(count: number): Promise<number> {
    const datasetId = crypto.randomUUID();
    let ms = 0;
    for (let first = 0; first < count; first += PAGE_SIZE * PAGES_PER_WRITE) {
      const pages: RowPage[] = [];
      for (let start = first; start < Math.min(count, first + PAGE_SIZE * PAGES_PER_WRITE); ) {
        const rows = Array.from({ length: Math.min(PAGE_SIZE, count - start) }, (_, i) =>
          benchRow(start + i),
        );
        pages.push({ datasetId, page: start / PAGE_SIZE, rows });
        start += rows.length;
      }
      const started = performance.now();
      await db.rowPages.bulkPut(pages);
      ms += performance.now() - started;
    }
    await db.rowPages
      .where('[datasetId+page]')
      .between([datasetId, 0], [datasetId, Infinity])
      .delete();
    return ms;
  },

  /**
   * Makes a completed Text generation run of the dataset, one result per row,
   * shaped as the runner stores them, written through the store's storeResults, ten pages
   * of rows a call.
   * Returns the run and the milliseconds the writes took.
   */
  async seedRun(datasetId: string, rows: number): Promise<{ runId: string; ms: number }> {
    const run = await createRun(
      {
        datasetId,
        taskId: 'text_generation',
        taskParams: {},
        settings: defaultRunSettings,
        provider: { provider: 'openai', baseURL: 'http://127.0.0.1:1/v1', model: 'bench-model' },
        sampling: { temperature: 0 },
        concurrency: 64,
      },
      rows,
    );
    let ms = 0;
    const perWrite = 10 * PAGE_SIZE;
    for (let first = 0; first < rows; first += perWrite) {
      const results = Array.from({ length: Math.min(perWrite, rows - first) }, (_, i) =>
        resultOf(run.id, first + i),
      );
      const started = performance.now();
      await storeResults(run.id, results);
      ms += performance.now() - started;
    }
    await db.runs.update(run.id, { status: 'completed' });
    return { runId: run.id, ms };
  },

  /** Milliseconds to read a run's row pages, results and their metadata, page by page, as an export does. */
  async readAlone(runId: string): Promise<{ rows: number; ms: number }> {
    const run = (await db.runs.get(runId))!;
    const started = performance.now();
    let rows = 0;
    for await (const page of iterateRunPages(run)) rows += page.meta?.metadataJson.length ?? 0;
    return { rows, ms: performance.now() - started };
  },

  /** Milliseconds to read and assemble a run's output rows, not written to any format. */
  async outputRowsAlone(runId: string): Promise<{ rows: number; ms: number }> {
    const run = (await db.runs.get(runId))!;
    const started = performance.now();
    let rows = 0;
    for await (const batch of runOutputRows(run, bindSpec(run))) rows += batch.length;
    return { rows, ms: performance.now() - started };
  },
};

function resultOf(runId: string, rowIndex: number): Result {
  const instruction = String(benchRow(rowIndex).instruction);
  const generation = `Topic ${rowIndex} is a fine topic, and here is a paragraph about it.`;
  return {
    runId,
    rowIndex,
    generation: 0,
    status: 'done',
    formatFailed: false,
    outputs: { generation },
    modelName: 'bench-model',
    metadata: {
      raw_output_text_generation: generation,
      raw_input_text_generation: [{ role: 'user', content: instruction }],
      statistics_text_generation: { input_tokens: 16, output_tokens: 9 },
    },
  };
}

export type BaselineAPI = typeof api;
expose(api);
