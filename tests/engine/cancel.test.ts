import * as Comlink from 'comlink';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { transferAbortSignals } from '../../src/engine/abortSignal';
import { db } from '../../src/engine/db/schema';
import { toErrorData } from '../../src/engine/errors';
import { exportRun } from '../../src/engine/io/exportRun';
import { importFile } from '../../src/engine/io/import';
import { createOpenAIModel } from '../../src/engine/llm/openai';
import { combineRuns, datasetFromRun } from '../../src/engine/run/derive';
import { startTestServer, type TestServer } from '../server/openaiServer';
import {
  boundRun,
  clearDatabase,
  prompts,
  runWith,
  storeDataset,
  textGenerationRun,
} from './fixtures';

/**
 * Long commands stop when the page says so: an import, an export, a dataset
 * made from runs. A cancelled one stores nothing and says it was stopped.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
beforeEach(clearDatabase);

/** A CSV of `rows` rows, streamed in small pieces as a browser streams a large file. */
function bigCSV(rows: number): File {
  const lines = ['instruction,topic', ...prompts(rows).map((r, i) => `${r.instruction},t${i}`)];
  const bytes = new TextEncoder().encode(lines.join('\n'));
  const parts = [];
  for (let i = 0; i < bytes.length; i += 4096) parts.push(bytes.slice(i, i + 4096));
  return new File(parts, 'big.csv');
}

/** A finished Text generation run over the dataset. */
async function completedRun(datasetId: string) {
  const run = await textGenerationRun(datasetId, { baseURL: server.url });
  const model = createOpenAIModel({ baseURL: server.url, model: 'test-model' });
  await runWith(run, model, new AbortController().signal);
  return boundRun(run.id);
}

describe('cancelling', () => {
  it('an import midway leaves no dataset and no pages behind', async () => {
    const cancel = new AbortController();
    const seen: number[] = [];
    const outcome = await importFile(
      bigCSV(30_000),
      (rows) => {
        seen.push(rows);
        // Well past the first pages written (8,000 rows a write).
        if (rows > 12_000) cancel.abort();
      },
      cancel.signal,
    ).catch((error: unknown) => error);
    expect(toErrorData(outcome)).toMatchObject({ kind: 'aborted' });
    expect(Math.max(...seen)).toBeLessThan(30_000);
    expect(await db.datasets.count()).toBe(0);
    expect(await db.rowPages.count()).toBe(0);
  });

  it('an import that is not cancelled stores every row', async () => {
    const dataset = await importFile(bigCSV(3_000), undefined, new AbortController().signal);
    expect(dataset.rowCount).toBe(3_000);
  });

  it('an export stops with an aborted error, and a dataset made from runs stores nothing', async () => {
    const datasetId = await storeDataset(prompts(300));
    const first = await completedRun(datasetId);
    const second = await completedRun(datasetId);
    const aborted = AbortSignal.abort();
    for (const command of [
      () => exportRun(first, { format: 'csv', shape: 'rows' }, undefined, aborted),
      () => datasetFromRun(first, aborted),
      () => combineRuns([first, second], aborted),
    ]) {
      expect(toErrorData(await command().catch((e: unknown) => e))).toMatchObject({
        kind: 'aborted',
      });
    }
    expect(await db.datasets.count()).toBe(1);
    const { file } = await exportRun(
      first,
      { format: 'csv', shape: 'rows' },
      undefined,
      new AbortController().signal,
    );
    expect((await file.text()).split('\r\n').filter(Boolean)).toHaveLength(301);
  });

  it('crosses a worker boundary: the far side gets a signal that aborts when the page aborts', async () => {
    transferAbortSignals();
    const { port1, port2 } = new MessageChannel();
    const seen: boolean[] = [];
    Comlink.expose(
      {
        wait: (signal: AbortSignal) =>
          new Promise<string>((resolve) => {
            seen.push(signal.aborted);
            signal.addEventListener('abort', () => resolve('stopped'));
          }),
      },
      port1,
    );
    const remote = Comlink.wrap<{ wait(signal: AbortSignal): Promise<string> }>(port2);
    const controller = new AbortController();
    const waiting = remote.wait(controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    expect(await waiting).toBe('stopped');
    expect(seen).toEqual([false]);
    // A signal aborted before the call arrives aborted.
    expect(await remote.wait(AbortSignal.abort())).toBe('stopped');
    port1.close();
    port2.close();
  });
});
