import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { failureReasons, markForRegeneration } from '../../src/engine/db/results';
import type { RunSpec } from '../../src/engine/db/runs';
import { db } from '../../src/engine/db/schema';
import { runController } from '../../src/engine/run/controller';
import { defaultRunSettings } from '../../src/engine/task';
import { bindSpec } from '../../src/tasks';
import { startTestServer, type TestServer } from '../server/openaiServer';
import { clearDatabase, prompts, storeDataset, storedResults, textGenerationRun } from './fixtures';

/**
 * The run commands the worker exposes, as the UI uses them: start, pause,
 * resume, cancel, retry failed, and taking up runs a closed tab left running.
 */
const { startRun, pauseRun, resumeRun, cancelRun, pauseRunsOf, resumeInterrupted } =
  runController(bindSpec);

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
beforeEach(async () => {
  await clearDatabase();
  // Slow enough that a run of 100 rows is still going when a test pauses it.
  server.setOptions({ faults: [], latencyMs: 30 });
});

async function spec(rows: number, over: Partial<RunSpec> = {}): Promise<RunSpec> {
  return {
    datasetId: await storeDataset(prompts(rows)),
    taskId: 'text_generation',
    taskParams: {},
    settings: defaultRunSettings,
    provider: { provider: 'openai', baseURL: server.url, model: 'test-model' },
    sampling: { temperature: 0 },
    concurrency: 4,
    // No retries: a fault is stored at once as a failed generation.
    limits: { timeoutSeconds: 5, maxRetries: 0 },
    ...over,
  };
}

const runOf = async (id: string) => (await db.runs.get(id))!;
const statusOf = async (id: string) => (await runOf(id)).status;
const doneOf = async (id: string) => (await runOf(id)).counters.done;
const resultCount = async (id: string) => (await storedResults(id)).length;

/** Requests the server gets over a little while: none once a run is stopped. */
async function requestsDuring(ms: number): Promise<number> {
  const before = server.requests.length;
  await new Promise((resolve) => setTimeout(resolve, ms));
  return server.requests.length - before;
}

describe('the run commands', () => {
  it('pause stops the requests and resume finishes the run, one result per row', async () => {
    const id = await startRun(await spec(100), {});
    await expect.poll(() => doneOf(id), { interval: 5 }).toBeGreaterThanOrEqual(10);
    await pauseRun(id);
    await requestsDuring(50); // aborted requests may still be on their way
    expect(await requestsDuring(150)).toBe(0);
    expect(await statusOf(id)).toBe('paused');
    expect(await doneOf(id)).toBeLessThan(100);

    await resumeRun(id, {});
    await expect.poll(() => statusOf(id)).toBe('completed');
    expect((await runOf(id)).counters).toMatchObject({ total: 100, done: 100, failed: 0 });
    expect(await resultCount(id)).toBe(100);
  });

  it('resume right after pause finishes the run, however long the pause takes to settle', async () => {
    server.setOptions({ latencyMs: 40 });
    const id = await startRun(await spec(60), {});
    await expect.poll(() => doneOf(id), { interval: 5 }).toBeGreaterThanOrEqual(4);
    const paused = pauseRun(id);
    await resumeRun(id, {});
    await paused;
    await expect.poll(() => statusOf(id), { timeout: 10_000 }).toBe('completed');
    expect(await resultCount(id)).toBe(60);
  });

  it('a second Resume while the run goes does nothing, and a later Pause holds', async () => {
    const id = await startRun(await spec(200), {});
    await expect.poll(() => doneOf(id), { interval: 5 }).toBeGreaterThanOrEqual(4);
    await pauseRun(id);
    await resumeRun(id, {});
    await resumeRun(id, {}); // returns at once: the run is already going
    await pauseRun(id);
    await requestsDuring(50);
    expect(await requestsDuring(150)).toBe(0);
    expect(await statusOf(id)).toBe('paused');
  });

  it('pauses the runs of a dataset, and waits for them, before it is deleted', async () => {
    const runSpec = await spec(100);
    const id = await startRun(runSpec, {});
    await expect.poll(() => doneOf(id), { interval: 5 }).toBeGreaterThanOrEqual(4);
    await pauseRunsOf(runSpec.datasetId);
    expect(await statusOf(id)).toBe('paused');
    await requestsDuring(50); // aborted requests may still be on their way
    expect(await requestsDuring(150)).toBe(0);
  });

  it('cancel stops the run for good: it is not taken up again', async () => {
    const id = await startRun(await spec(100), {});
    await expect.poll(() => doneOf(id), { interval: 5 }).toBeGreaterThanOrEqual(10);
    await cancelRun(id);
    await requestsDuring(50);
    expect(await requestsDuring(150)).toBe(0);
    expect(await resumeInterrupted({})).toEqual([]);
    expect(await statusOf(id)).toBe('cancelled');
  });

  it('takes up a run that a closed tab left running, and finishes it', async () => {
    const run = await textGenerationRun(await storeDataset(prompts(30)), { baseURL: server.url });
    expect(run.status).toBe('running');
    expect(await resumeInterrupted({})).toEqual([run.id]);
    await expect.poll(() => statusOf(run.id)).toBe('completed');
    expect(await resultCount(run.id)).toBe(30);
  });

  it('retrying failed generations asks again for those alone', async () => {
    server.setOptions({
      faults: ({ body }) =>
        JSON.stringify(body).includes('"prompt 7"') ? { kind: 'status', status: 500 } : null,
    });
    const id = await startRun(await spec(20), {});
    // A run whose every generation has a result is complete, failed ones included.
    await expect.poll(() => statusOf(id)).toBe('completed');
    expect((await runOf(id)).counters).toMatchObject({ total: 20, done: 19, failed: 1 });

    server.setOptions({ faults: [] });
    const before = server.requests.length;
    expect(await markForRegeneration(id, 'failed')).toBe(1);
    await resumeRun(id, {});
    await expect.poll(() => statusOf(id)).toBe('completed');
    expect((await runOf(id)).counters).toMatchObject({ total: 20, done: 20, failed: 0 });
    expect(server.requests.length - before).toBe(1);
  });

  it('leaves failures that last (HTTP 400) to a change of settings, and says why each failed', async () => {
    server.setOptions({
      faults: ({ body }) => {
        const text = JSON.stringify(body);
        if (text.includes('"prompt 3"') || text.includes('"prompt 4"'))
          return { kind: 'status', status: 400 };
        return text.includes('"prompt 7"') ? { kind: 'status', status: 500 } : null;
      },
    });
    const id = await startRun(await spec(20), {});
    await expect.poll(() => statusOf(id)).toBe('completed');
    expect((await runOf(id)).counters).toMatchObject({ done: 17, failed: 3, lasting: 2 });
    const reasons = await failureReasons(id);
    expect(reasons.map(({ count, lasting }) => ({ count, lasting }))).toEqual([
      { count: 2, lasting: true },
      { count: 1, lasting: false },
    ]);
    expect(reasons[0].message).toMatch(/400/);

    // Retry failed asks again only for the one a retry may mend.
    server.setOptions({ faults: [] });
    let before = server.requests.length;
    expect(await markForRegeneration(id, 'retryable')).toBe(1);
    await resumeRun(id, {});
    await expect.poll(() => statusOf(id)).toBe('completed');
    expect((await runOf(id)).counters).toMatchObject({ done: 18, failed: 2, lasting: 2 });
    expect(server.requests.length - before).toBe(1);

    // After a change of settings, every failure is asked again.
    before = server.requests.length;
    expect(await markForRegeneration(id, 'failed')).toBe(2);
    await resumeRun(id, {});
    await expect.poll(() => statusOf(id)).toBe('completed');
    expect((await runOf(id)).counters).toMatchObject({ done: 20, failed: 0, lasting: 0 });
    expect(server.requests.length - before).toBe(2);
  });

  it('resumes a failed run with mended model settings, keeping its task settings', async () => {
    const closed = await startTestServer();
    await closed.close();
    const wrong = { provider: 'openai' as const, baseURL: closed.url, model: 'test-model' };
    const id = await startRun(
      await spec(6, { provider: wrong, taskParams: { template: 'Q: {{ instruction }}' } }),
      {},
    );
    await expect.poll(() => statusOf(id)).toBe('failed');
    const before = server.requests.length;
    await resumeRun(id, {}, { ...wrong, baseURL: server.url });
    await expect.poll(() => statusOf(id)).toBe('completed');
    expect(server.requests.length - before).toBe(6);
    const run = await runOf(id);
    expect(run.provider).toMatchObject({ baseURL: server.url });
    expect(run.taskParams).toEqual({ template: 'Q: {{ instruction }}' });
  });

  it('fails the run, with the reason, when the endpoint cannot be reached; the work stays pending', async () => {
    const closed = await startTestServer();
    await closed.close();
    const id = await startRun(
      await spec(10, { provider: { provider: 'openai', baseURL: closed.url, model: 'm' } }),
      {},
    );
    await expect.poll(() => statusOf(id)).toBe('failed');
    expect((await runOf(id)).error).toMatchObject({ kind: 'network' });
    expect(await resultCount(id)).toBe(0);
  });
});
