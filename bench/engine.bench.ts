/**
 * Engine overhead in Chromium with IndexedDB on disk: the app's engine worker
 * runs Text generation against an instant loopback server, beside bare
 * fetches from the same browser at the same concurrency (the most the server
 * and the browser's network stack give), and, at 100 ms latency, what a
 * concurrency of 64 gets on the wire: over http:// (6 connections) and over
 * HTTPS with HTTP/2 (one connection, every request of the window at once).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { RunSpec } from '../src/engine/db/runs';
import { defaultRunSettings } from '../src/engine/task';
import { localhostCertificate } from '../tests/server/certificate';
import { startTestServer, type TestServer } from '../tests/server/openaiServer';
import { type Bench, openBench } from './browser';
import { printTable } from './table';

const CONCURRENCY = 64;
const ROWS = 8_000;

let server: TestServer;
let secure: TestServer;
let bench: Bench;

beforeAll(async () => {
  const tls = await localhostCertificate();
  [server, secure, bench] = await Promise.all([
    startTestServer(),
    startTestServer({ tls }),
    openBench(),
  ]);
});
afterAll(async () => {
  await bench?.close();
  await Promise.all([server?.close(), secure?.close()]);
});

/** Milliseconds for `count` bare requests from the baseline worker. */
function rawRequests(page: Page, count: number, url = server.url): Promise<number> {
  return page.evaluate(([url, n, c]) => window.bench.baseline.rawRequests(url, n, c), [
    url,
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
async function engineRun(
  page: Page,
  datasetId: string,
  rows: number,
  baseURL = server.url,
): Promise<number> {
  const spec: RunSpec = {
    datasetId,
    taskId: 'text_generation',
    taskParams: {},
    settings: defaultRunSettings,
    provider: { provider: 'openai', baseURL, model: 'bench-model' },
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

  expect(engine.ms).toBeGreaterThan(0);
});

test('concurrency on the wire at 100 ms latency: http:// against HTTPS with HTTP/2', async () => {
  const { page } = bench;
  const ideal = CONCURRENCY / 0.1;
  // Chromium opens at most 6 HTTP/1.1 connections to one host: beyond that a window only queues.
  const measure = async (
    label: string,
    target: TestServer,
    rows: number,
  ): Promise<Record<string, string | number>[]> => {
    target.setOptions({ latencyMs: 100 });
    await rawRequests(page, CONCURRENCY, target.url); // connection and CORS preflight warmed up
    target.setOptions({});
    const bare = await rawRequests(page, rows, target.url);
    const barePeak = target.inFlight().peak;
    const datasetId = await importPrompts(page, rows);
    target.setOptions({});
    const ms = await engineRun(page, datasetId, rows, target.url);
    const rate = rows / (ms / 1000);
    const bareRate = rows / (bare / 1000);
    return [
      {
        path: `${label}: bare fetch`,
        'peak in flight': barePeak,
        'rows/s': bareRate,
        'of ideal': bareRate / ideal,
      },
      {
        path: `${label}: engine run`,
        'peak in flight': target.inFlight().peak,
        'rows/s': rate,
        'of ideal': rate / ideal,
        'of bare fetch': rate / bareRate,
      },
    ];
  };
  const plainRows = await measure('http://', server, 300);
  const http2Rows = await measure('HTTPS, HTTP/2', secure, 3_000);
  printTable(
    `Concurrency ${CONCURRENCY} on the wire, 100 ms latency (ideal ${ideal} rows/s), from the same page`,
    [...plainRows, ...http2Rows],
  );
  expect(Number(http2Rows[1]['rows/s'])).toBeGreaterThan(0);
});
