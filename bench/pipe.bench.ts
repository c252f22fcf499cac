/**
 * Pipe fullness: how close a run comes to the ideal throughput of its window
 * (concurrency / mean latency) against the loopback server, beside bare
 * fetches through the same window (Node's HTTP client alone: the most this
 * client gets) and a batch barrier (send a batch, wait for all of it:
 * distilabel's default of 50). The run is the real executeRun in Node, with
 * fake-indexeddb standing in for IndexedDB; the barrier uses the same OpenAI
 * adapter, task and result store.
 */
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type BoundTask, isBoundPrompt } from '../src/engine/bound';
import { importRows } from '../src/engine/db/datasets';
import { storeResults } from '../src/engine/db/results';
import { createRun } from '../src/engine/db/runs';
import { db } from '../src/engine/db/schema';
import { readGeneration } from '../src/engine/generation';
import { createOpenAIModel } from '../src/engine/llm/openai';
import { executeRun } from '../src/engine/run/runner';
import { seededRandom } from '../src/engine/run/seededRandom';
import { defaultRunSettings, type PromptTask } from '../src/engine/task';
import { bindSpec } from '../src/tasks';
import { printTable } from './table';

const CONCURRENCY = 64;
const BATCH = 50;

interface Mix {
  name: string;
  latencyOf: (row: number) => number;
  /** Rows for the sliding window, and for the barrier, which is far slower on a heavy tail. */
  rows: number;
  barrierRows: number;
}

const mixes: Mix[] = [
  { name: '100 ms', latencyOf: () => 100, rows: 6_400, barrierRows: 6_400 },
  {
    name: '90% 50 ms, 10% 1 s',
    // Seeded by the row, so every strategy meets the same latency for the same row.
    latencyOf: (row) => (seededRandom(`tail:${row}`)() < 0.1 ? 1_000 : 50),
    rows: 9_600,
    barrierRows: 1_000,
  },
];

const thread = new Worker(new URL('./serverThread.mjs', import.meta.url));
let url = '';
const model = () => createOpenAIModel({ baseURL: url, model: 'bench-model' });
const bound = textGeneration();

function textGeneration(): BoundTask<PromptTask> {
  const spec = { taskId: 'text_generation', taskParams: {}, settings: defaultRunSettings };
  const task = bindSpec(spec);
  if (!isBoundPrompt(task)) throw new Error('Text generation is a prompt task');
  return task;
}

beforeAll(async () => {
  [{ url }] = await once(thread, 'message');
});
afterAll(() => thread.terminate());

async function setLatencies(latencies: number[]): Promise<void> {
  thread.postMessage({ latencies });
  await once(thread, 'message');
}

async function dataset(rows: number): Promise<string> {
  const created = await importRows({ name: 'prompts', source: 'bench' }, (sink) =>
    sink.add(Array.from({ length: rows }, (_, i) => ({ instruction: `prompt ${i}` }))),
  );
  return created.id;
}

async function newRun(rows: number) {
  return createRun(
    {
      datasetId: await dataset(rows),
      taskId: bound.task.id,
      taskParams: {},
      settings: defaultRunSettings,
      provider: { provider: 'openai', baseURL: url, model: 'bench-model' },
      sampling: { temperature: 0 },
      concurrency: CONCURRENCY,
    },
    rows,
  );
}

/** Seconds for the real engine to finish the run. */
async function slidingWindow(rows: number): Promise<number> {
  const run = await newRun(rows);
  const started = performance.now();
  expect(await executeRun(run, bound, model(), new AbortController().signal)).toBe('completed');
  return (performance.now() - started) / 1000;
}

/**
 * Seconds for bare fetches through a window of `width` (no task, no store, no
 * retries): the ceiling of Node's HTTP client here, for comparison.
 */
async function rawFetches(rows: number, width: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < rows) {
        const body = JSON.stringify({
          model: 'bench-model',
          messages: [{ role: 'user', content: `prompt ${next++}` }],
        });
        const response = await fetch(`${url}/chat/completions`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body,
        });
        await response.json();
      }
    }),
  );
  return (performance.now() - started) / 1000;
}

/** Seconds for batches of `batch` rows, each sent at once and awaited as a whole. */
async function batchBarrier(rows: number, batch: number): Promise<number> {
  const run = await newRun(rows);
  const llm = model();
  const started = performance.now();
  for (let first = 0; first < rows; first += batch) {
    const indices = Array.from({ length: Math.min(batch, rows - first) }, (_, i) => first + i);
    const results = await Promise.all(
      indices.map(async (rowIndex) => {
        const row = { instruction: `prompt ${rowIndex}` };
        const messages = bound.task.formatInput(row, bound.params);
        // A signal per request, as the engine gives each attempt its own.
        const signal = new AbortController().signal;
        const answer = await llm.generate({ messages, n: 1, sampling: run.sampling }, signal);
        return {
          runId: run.id,
          rowIndex,
          generation: 0,
          modelName: llm.modelName,
          status: 'done' as const,
          ...readGeneration(bound, { row, messages, choice: answer.choices[0] }),
        };
      }),
    );
    await storeResults(run.id, results);
  }
  return (performance.now() - started) / 1000;
}

test('pipe fullness at concurrency 64', async () => {
  const table: Record<string, string | number>[] = [];
  // Other work on the machine shows up in every figure: say how busy it was.
  const loadAtStart = loadavg()[0].toFixed(1);
  for (const mix of mixes) {
    const latencies = Array.from({ length: mix.rows }, (_, row) => mix.latencyOf(row));
    await setLatencies(latencies);
    const strategies = [
      { name: 'sliding window', width: CONCURRENCY, rows: mix.rows, run: slidingWindow },
      {
        name: 'bare fetch window',
        width: CONCURRENCY,
        rows: mix.rows,
        run: (rows: number) => rawFetches(rows, CONCURRENCY),
      },
      ...[BATCH, CONCURRENCY].map((width) => ({
        name: 'batch barrier',
        width,
        rows: mix.barrierRows,
        run: (rows: number) => batchBarrier(rows, width),
      })),
    ];
    let windowRate = 0;
    for (const strategy of strategies) {
      await Promise.all([db.datasets.clear(), db.rowPages.clear(), db.resultPages.clear()]);
      const busyBefore = performance.eventLoopUtilization();
      const seconds = await strategy.run(strategy.rows);
      const busy = performance.eventLoopUtilization(busyBefore).utilization;
      const meanLatency =
        latencies.slice(0, strategy.rows).reduce((a, b) => a + b) / strategy.rows / 1000;
      const rate = strategy.rows / seconds;
      const ideal = strategy.width / meanLatency;
      windowRate ||= rate;
      table.push({
        latency: mix.name,
        strategy: `${strategy.name} (${strategy.width})`,
        rows: strategy.rows,
        s: seconds,
        'rows/s': rate,
        'ideal rows/s': ideal,
        'of ideal': rate / ideal,
        'window vs this': windowRate / rate,
        // Near 1, the client's own thread (HTTP client, task, store) is what holds it back.
        'client busy': busy,
      });
    }
  }
  printTable(
    `Pipe fullness: executeRun + createOpenAIModel in Node (fake-indexeddb), loopback server in its own thread; ideal = concurrency / mean latency of the rows run; load average at start ${loadAtStart}`,
    table,
  );
  expect(table.every((row) => Number(row['rows/s']) > 0)).toBe(true);
});
