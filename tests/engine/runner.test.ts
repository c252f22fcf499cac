import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRun } from '../../src/engine/db/runs';
import { db, type Run } from '../../src/engine/db/schema';
import { createOpenAIModel } from '../../src/engine/llm/openai';
import { defaultRetryPolicy } from '../../src/engine/run/retry';
import { defaultRunSettings } from '../../src/engine/task';
import { startTestServer, type TestServer } from '../server/openaiServer';
import {
  clearDatabase,
  prompts,
  runWith,
  storeDataset,
  storedResults,
  textGenerationRun,
} from './fixtures';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
beforeEach(async () => {
  await clearDatabase();
  server.setOptions({ faults: [], latencyMs: 0 });
});

const fastRetries = { ...defaultRetryPolicy, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 2_000 };

async function newRun(rows: number, numGenerations: number, concurrency = 8): Promise<Run> {
  return textGenerationRun(await storeDataset(prompts(rows)), {
    baseURL: server.url,
    numGenerations,
    concurrency,
  });
}

const model = () => createOpenAIModel({ baseURL: server.url, model: 'test-model' });

async function stored(runId: string) {
  const results = await storedResults(runId);
  const run = await db.runs.get(runId);
  return { results, counters: run!.counters };
}

describe('a run', () => {
  it('stores exactly one result per (row, generation), with counters that match, across pages', async () => {
    const run = await newRun(1_005, 2, 16);
    expect(await runWith(run, model(), new AbortController().signal, { retry: fastRetries })).toBe(
      'completed',
    );
    const { results, counters } = await stored(run.id);
    expect(results).toHaveLength(2_010);
    expect(new Set(results.map((r) => `${r.rowIndex}:${r.generation}`)).size).toBe(2_010);
    expect(counters).toMatchObject({ total: 2_010, done: 2_010, failed: 0, formatFailed: 0 });
    const last = results.at(-1)!;
    expect(last).toMatchObject({
      rowIndex: 1_004,
      generation: 1,
      status: 'done',
      modelName: 'test-model',
    });
    expect(last.outputs.generation).toBe('[test-model] echo: prompt 1004 (gen 1)');
  });

  it('resumes after a pause without duplicates, redoing what was in flight', async () => {
    server.setOptions({ latencyMs: 20 });
    const run = await newRun(60, 1, 4);
    const pause = new AbortController();
    const first = runWith(run, model(), pause.signal, { retry: fastRetries, flushSize: 1 });
    await expect
      .poll(async () => (await stored(run.id)).counters.done, { interval: 5 })
      .toBeGreaterThan(10);
    pause.abort();
    expect(await first).toBe('stopped');
    const partial = (await stored(run.id)).counters.done;
    expect(partial).toBeLessThan(60);

    const requestsBefore = server.requests.length;
    expect(
      await runWith((await db.runs.get(run.id))!, model(), new AbortController().signal, {
        retry: fastRetries,
      }),
    ).toBe('completed');
    const { results, counters } = await stored(run.id);
    expect(results.map((r) => r.rowIndex)).toEqual([...Array(60).keys()]);
    expect(counters.done).toBe(60);
    expect(server.requests.length - requestsBefore).toBe(60 - partial);
  });

  it('retries 429, 500, 503, resets, malformed and truncated bodies, then stores the answer', async () => {
    server.setOptions({
      faults: [
        { kind: 'status', status: 429, retryAfter: 0, times: 3 },
        { kind: 'status', status: 500, times: 2 },
        { kind: 'status', status: 503, times: 2 },
        { kind: 'reset', times: 2 },
        { kind: 'malformed', times: 2 },
        { kind: 'truncated', times: 2 },
      ],
    });
    const run = await newRun(20, 1, 4);
    expect(await runWith(run, model(), new AbortController().signal, { retry: fastRetries })).toBe(
      'completed',
    );
    const { results, counters } = await stored(run.id);
    expect(results.every((r) => r.status === 'done')).toBe(true);
    expect(counters).toMatchObject({ done: 20, failed: 0 });
  });

  it('stores a generation as failed, with its reason, when retries run out; nothing is lost', async () => {
    server.setOptions({
      faults: (request) =>
        String(JSON.stringify(request.body)).includes('prompt 3"')
          ? { kind: 'status', status: 500, message: 'kaboom' }
          : null,
    });
    const run = await newRun(6, 2, 2);
    expect(
      await runWith(run, model(), new AbortController().signal, {
        retry: { ...fastRetries, maxRetries: 2 },
      }),
    ).toBe('completed');
    const { results, counters } = await stored(run.id);
    const failed = results.filter((r) => r.status === 'failed');
    expect(failed.map((r) => [r.rowIndex, r.generation])).toEqual([
      [3, 0],
      [3, 1],
    ]);
    expect(failed[0].error).toContain('kaboom');
    expect(counters).toMatchObject({ total: 12, done: 10, failed: 2 });
  });

  it('counts answers cut at max tokens as cut, not unreadable, and keeps why they stopped', async () => {
    // "[test-model] echo: prompt N" is 4 words: 3 tokens cut every answer.
    const run = await textGenerationRun(await storeDataset(prompts(4)), {
      baseURL: server.url,
      sampling: { maxTokens: 3 },
    });
    expect(await runWith(run, model(), new AbortController().signal)).toBe('completed');
    const { results, counters } = await stored(run.id);
    expect(counters).toMatchObject({ done: 4, failed: 0, cut: 4, formatFailed: 0 });
    expect(results[0]).toMatchObject({
      outputs: { generation: '[test-model] echo: prompt' },
      finishReason: { unified: 'length', raw: 'length' },
      metadata: { finish_reason_text_generation: 'length' },
    });

    const whole = await textGenerationRun(await storeDataset(prompts(2)), { baseURL: server.url });
    await runWith(whole, model(), new AbortController().signal);
    expect((await stored(whole.id)).counters).toMatchObject({ done: 2, cut: 0 });
  });

  it('gives up on a request that hangs past the timeout', async () => {
    server.setOptions({ faults: [{ kind: 'hang' }] });
    const run = await newRun(2, 1, 2);
    await runWith(run, model(), new AbortController().signal, {
      retry: { ...fastRetries, timeoutMs: 100, maxRetries: 1 },
    });
    const { results } = await stored(run.id);
    expect(results.map((r) => r.status)).toEqual(['failed', 'failed']);
    expect(results[0].error).toMatch(/No answer within/);
  });

  it('counts a prompt once when one request served all its generations, and each time when not', async () => {
    const inputTokens = async (ignoreN: boolean) => {
      server.setOptions({ ignoreN });
      const run = await newRun(3, 2, 2);
      await runWith(run, model(), new AbortController().signal, { retry: fastRetries });
      const { results, counters } = await stored(run.id);
      const prompt = (r: (typeof results)[number]) =>
        (r.metadata.statistics_text_generation as { input_tokens: number }).input_tokens;
      // Every generation records its prompt's tokens, as distilabel does.
      expect(results.every((r) => prompt(r) > 0)).toBe(true);
      const once = results.filter((r) => r.generation === 0).reduce((t, r) => t + prompt(r), 0);
      return { counted: counters.inputTokens, once };
    };
    const shared = await inputTokens(false);
    expect(shared.counted).toBe(shared.once);
    const separate = await inputTokens(true);
    expect(separate.counted).toBe(2 * separate.once);
    server.setOptions({ ignoreN: false });
  });

  it('fails only its own generation when a live server resets a connection', async () => {
    server.setOptions({
      faults: ({ body }) => (JSON.stringify(body).includes('prompt 3"') ? { kind: 'reset' } : null),
    });
    const run = await newRun(6, 1, 1);
    expect(
      await runWith(run, model(), new AbortController().signal, {
        retry: { ...fastRetries, maxRetries: 1 },
      }),
    ).toBe('completed');
    const { results } = await stored(run.id);
    expect(results.map((r) => r.status)).toEqual([
      'done',
      'done',
      'done',
      'failed',
      'done',
      'done',
    ]);
    expect(results[3].error).toMatch(/^Could not reach/);
  });

  it('ends the run when the server goes away, leaving the rest pending', async () => {
    let seen = 0;
    server.setOptions({ faults: () => (++seen > 5 ? { kind: 'reset' } : null) });
    const run = await newRun(50, 1, 1);
    await expect(
      runWith(run, model(), new AbortController().signal, {
        retry: { ...fastRetries, maxRetries: 1 },
      }),
    ).rejects.toMatchObject({ kind: 'network' });
    // Five answers, then a few generations failed before three failures in a row ended it.
    const { counters } = await stored(run.id);
    expect(counters).toMatchObject({ done: 5, failed: 2 });
  });

  it('stops at once, and says why, when the browser refuses to store results', async () => {
    const refuse = vi
      .spyOn(db.resultPages, 'bulkPut')
      .mockRejectedValue(new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
    try {
      const run = await newRun(300, 1, 4);
      const before = server.requests.length;
      await expect(
        runWith(run, model(), new AbortController().signal, { flushSize: 8 }),
      ).rejects.toMatchObject({
        kind: 'storage',
        message: expect.stringMatching(
          /^This browser could not store the results \(QuotaExceededError/,
        ),
      });
      // It did not go on paying for answers it could not keep.
      expect(server.requests.length - before).toBeLessThan(50);
      expect((await db.runs.get(run.id))?.counters.done).toBe(0);
    } finally {
      refuse.mockRestore();
    }
  });

  it('stops on a refused API key and leaves the work pending', async () => {
    server.setOptions({ requireKey: 'right-key' });
    const run = await newRun(3, 1, 1);
    const wrongKey = createOpenAIModel({
      baseURL: server.url,
      model: 'test-model',
      apiKey: 'wrong-key',
    });
    await expect(
      runWith(run, wrongKey, new AbortController().signal, { retry: fastRetries }),
    ).rejects.toThrow(/key/i);
    expect((await stored(run.id)).results).toEqual([]);
    server.setOptions({ requireKey: undefined });
  });
});

describe('a row the task cannot read', () => {
  it('fails alone, with the reason, while the other rows are done', async () => {
    const datasetId = await storeDataset([
      { instruction: 'Pick one', generations: '["a", "b"]' },
      { instruction: 'Pick one', generations: 'not a list' },
    ]);
    const run = await createRun(
      {
        datasetId,
        taskId: 'ultrafeedback_overall_rating',
        taskParams: {},
        settings: defaultRunSettings,
        provider: { provider: 'openai', baseURL: server.url, model: 'judge' },
        sampling: {},
        concurrency: 2,
      },
      2,
    );
    expect(await runWith(run, model(), new AbortController().signal, { retry: fastRetries })).toBe(
      'completed',
    );
    const { results, counters } = await stored(run.id);
    expect(results.map((r) => r.status)).toEqual(['done', 'failed']);
    expect(results[1].error).toContain('generations');
    expect(counters).toMatchObject({ done: 1, failed: 1 });
  });
});
