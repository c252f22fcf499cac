/**
 * Engine overhead in Chromium with IndexedDB on disk: the app's engine worker
 * runs Text generation against an instant loopback server, beside bare
 * fetches from the same browser at the same concurrency (the most the server
 * and the browser's network stack give), and, at 100 ms latency, what a
 * concurrency of 64 gets on the wire.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { RunSpec } from '../src/engine/db/runs';
import { defaultRunSettings } from '../src/engine/task';
import { startTestServer, type TestServer } from '../tests/server/openaiServer';
import { type Bench, openBench } from './browser';
import { printTable } from './table';

const CONCURRENCY = 64;
const ROWS = 8_000;

let server: TestServer;
let bench: Bench;
let inFlight = 0;
let peakInFlight = 0;

beforeAll(async () => {
  [server, bench] = await Promise.all([startTestServer(), openBench()]);
});
afterAll(async () => {
  await bench?.close();
  await server?.close();
});

/** A latency, with the requests in flight at the server counted. */
function latency(ms: number) {
  inFlight = 0;
  peakInFlight = 0;
  server.setOptions({
    latencyMs: () => {
      inFlight += 1;
      peakInFlight = Math.max(peakInFlight, inFlight);
      setTimeout(() => inFlight--, ms);
      return ms;
    },
  });
}

/** Milliseconds for `count` bare requests from the baseline worker. */
function rawRequests(page: Page, count: number): Promise<number> {
  return page.evaluate(([url, n, c]) => window.bench.baseline.rawRequests(url, n, c), [
    server.url,
    count,
    CONCURRENCY,
  ] as const);
}

/** A dataset of `rows` prompts, imported by the engine worker. */
function importPrompts(page: Page, rows: number): Promise<string> {
  return page.evaluate(async (rows) => {
    const csv = `instruction\n${Array.from({ length: rows }, (_, i) => `prompt ${i}`).join('\n')}`;
    const imported = await window.bench.engine.importFile(new File([csv], 'prompts.csv'));
    if (!imported.ok) throw new Error(imported.error.message);
    return imported.value.id;
  }, rows);
}

/** Milliseconds for the engine worker to run Text generation over the dataset to completion. */
async function engineRun(page: Page, datasetId: string, rows: number): Promise<number> {
  const spec: RunSpec = {
    datasetId,
    taskId: 'text_generation',
    taskParams: {},
    settings: defaultRunSettings,
    provider: { provider: 'openai', baseURL: server.url, model: 'bench-model' },
    sampling: { temperature: 0 },
    concurrency: CONCURRENCY,
  };
  return page.evaluate(
    async ([rows, spec]) => {
      const started = Date.now();
      const run = await window.bench.engine.startRun(spec, {});
      if (!run.ok) throw new Error(run.error.message);
      const done = await window.bench.baseline.waitForRun(run.value);
      if (done.status !== 'completed' || done.counters.done !== rows) throw new Error(done.status);
      // The run's last write (its status) is stamped in the worker: no polling delay counted.
      return done.updated - started;
    },
    [rows, spec] as const,
  );
}

test('engine overhead per generation against an instant server', async () => {
  const { page, processes } = bench;
  latency(0);
  await rawRequests(page, 500); // connections and the CORS preflight cache warmed up
  const measure = async (body: () => Promise<number>) => {
    const before = processes.cpuMs();
    const ms = await body();
    const after = processes.cpuMs();
    return { ms, renderer: after.renderer - before.renderer, all: after.all - before.all };
  };
  const raw = await measure(() => rawRequests(page, ROWS));
  const datasetId = await importPrompts(page, ROWS);
  const engine = await measure(() => engineRun(page, datasetId, ROWS));
  const us = (ms: number) => (ms * 1000) / ROWS;
  const row = (path: string, m: typeof raw) => ({
    path,
    'per s': ROWS / (m.ms / 1000),
    'µs each': us(m.ms),
    'of bare rate': raw.ms / m.ms,
    'renderer CPU µs each': us(m.renderer),
    'browser CPU µs each': us(m.all),
  });
  printTable(
    `Engine overhead: Chromium, IndexedDB on disk, instant loopback server, concurrency ${CONCURRENCY}, ${ROWS.toLocaleString('en-US')} generations. CPU: user+system time of the renderer (page and workers) and of all Chromium processes (with network and storage services), per generation`,
    [
      row('bare fetch loop (baseline worker)', raw),
      row('engine worker: Text generation run', engine),
      {
        path: 'engine minus bare',
        'µs each': us(engine.ms - raw.ms),
        'renderer CPU µs each': us(engine.renderer - raw.renderer),
        'browser CPU µs each': us(engine.all - raw.all),
      },
    ],
  );

  // Chromium opens at most 6 HTTP/1.1 connections to one host: beyond that a window only queues.
  const rows = 300;
  latency(100);
  const ms = await engineRun(page, await importPrompts(page, rows), rows);
  printTable('Concurrency on the wire: the same engine run at 100 ms latency', [
    {
      'asked concurrency': CONCURRENCY,
      'peak in flight at server': peakInFlight,
      'rows/s': rows / (ms / 1000),
      'of ideal (64 / 100 ms)': rows / (ms / 1000) / (CONCURRENCY / 0.1),
    },
  ]);
  expect(engine.ms).toBeGreaterThan(0);
});
