import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { db } from '../../src/engine/db/schema';
import { createOpenAIModel } from '../../src/engine/llm/openai';
import { defaultRetryPolicy, type RetryPolicy } from '../../src/engine/run/retry';
import { type Fault, startTestServer, type TestServer } from '../server/openaiServer';
import { clearDatabase, prompts, runWith, storeDataset, textGenerationRun } from './fixtures';

/** What a provider that rate-limits sees of a run: how many requests it has at once, and when they come. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
beforeEach(clearDatabase);

/**
 * Faults by the request's number, counted from 1 for this test (the server's own
 * count spans the file), and the time each request arrived.
 */
function faultsByNumber(fault: (number: number, body: unknown) => Fault | null): number[] {
  const arrivals: number[] = [];
  server.setOptions({
    faults: ({ body }) => {
      arrivals.push(performance.now());
      return fault(arrivals.length, body);
    },
  });
  return arrivals;
}

const promptOf = (body: unknown) =>
  String((body as { messages: { content: string }[] }).messages.at(-1)?.content);

async function run(rows: number, concurrency: number, retry: RetryPolicy) {
  const stored = await textGenerationRun(await storeDataset(prompts(rows)), {
    baseURL: server.url,
    concurrency,
  });
  const model = createOpenAIModel({ baseURL: server.url, model: 'test-model' });
  return runWith(stored, model, new AbortController().signal, { retry });
}

describe('a 429', () => {
  it('narrows the window the server sees, which widens again after successes', async () => {
    const latency = 40;
    let inFlight = 0;
    /** For each answered request, in arrival order: its prompt, and the requests then in flight. */
    const answered: { prompt: string; inFlight: number }[] = [];
    server.setOptions({
      latencyMs: ({ body }) => {
        inFlight += 1;
        answered.push({ prompt: promptOf(body), inFlight });
        setTimeout(() => inFlight--, latency);
        return latency;
      },
    });
    // Once the window of 64 is full, the next 64 requests are refused.
    const burst = { from: 201, to: 264 };
    const admitted = new Set<string>();
    faultsByNumber((number, body) => {
      if (number <= burst.to) admitted.add(promptOf(body));
      return number >= burst.from && number <= burst.to
        ? { kind: 'status', status: 429, retryAfter: 0 }
        : null;
    });
    expect(await run(800, 64, { ...defaultRetryPolicy, baseDelayMs: 1 })).toBe('completed');

    const peak = (from: number, to: number) =>
      Math.max(...answered.slice(from, to).map((a) => a.inFlight));
    const before = peak(0, 200); // 64 on an idle machine
    // Rows already sent by the end of the burst are retried whatever the window; once they are
    // answered, only the window admits work, and the burst of 64 429s halved it once, to 32.
    // It grows by one per window's worth of successes: about half the width for a while.
    const drained = answered.findLastIndex((a) => admitted.has(a.prompt)) + 1;
    const narrowed = peak(drained + 32, drained + 64);
    expect(narrowed).toBeLessThanOrEqual(before / 2);
    // By the end it has widened again.
    expect(peak(answered.length - 64, answered.length)).toBeGreaterThan(narrowed + 4);
  });

  it("waits the server's Retry-After instead of the backoff", async () => {
    server.setOptions({ latencyMs: 0 });
    const arrivals = faultsByNumber((number) =>
      number === 1 ? { kind: 'status', status: 429, retryAfter: 1 } : null,
    );
    // A backoff of at most 5 ms would retry far sooner than the server asked.
    expect(await run(1, 1, { ...defaultRetryPolicy, baseDelayMs: 1, maxDelayMs: 5 })).toBe(
      'completed',
    );
    expect(arrivals).toHaveLength(2);
    expect(arrivals[1] - arrivals[0]).toBeGreaterThanOrEqual(990);
  });

  it('says, while it waits, how many requests wait and why', async () => {
    server.setOptions({ latencyMs: 0 });
    faultsByNumber((number) =>
      number === 1 ? { kind: 'status', status: 429, retryAfter: 2 } : null,
    );
    const stored = await textGenerationRun(await storeDataset(prompts(1)), {
      baseURL: server.url,
      concurrency: 1,
    });
    const model = createOpenAIModel({ baseURL: server.url, model: 'test-model' });
    const finished = runWith(stored, model, new AbortController().signal);
    await expect
      .poll(async () => (await db.runs.get(stored.id))?.activity, { timeout: 1500 })
      .toMatchObject({
        waiting: 1,
        lastRetry: { message: expect.stringMatching(/^Rate limited \(HTTP 429\)/), delayMs: 2000 },
      });
    expect(await finished).toBe('completed');
    // Once done, the run no longer shows activity.
    expect((await db.runs.get(stored.id))?.activity).toBeUndefined();
  });

  it('retries at once on Retry-After: 0, whatever the backoff', async () => {
    server.setOptions({ latencyMs: 0 });
    const arrivals = faultsByNumber((number) =>
      number === 1 ? { kind: 'status', status: 429, retryAfter: 0 } : null,
    );
    expect(await run(1, 1, { ...defaultRetryPolicy, baseDelayMs: 10_000 })).toBe('completed');
    expect(arrivals[1] - arrivals[0]).toBeLessThan(500);
  });
});

describe('a 500', () => {
  it('is retried after a jittered backoff that never exceeds the cap', async () => {
    server.setOptions({ latencyMs: 0 });
    const arrivals = faultsByNumber((number) =>
      number <= 4 ? { kind: 'status', status: 500 } : null,
    );
    // Uncapped, the first wait alone could reach 10 s.
    const retry = { ...defaultRetryPolicy, baseDelayMs: 10_000, maxDelayMs: 60, maxRetries: 4 };
    expect(await run(1, 1, retry)).toBe('completed');
    const waits = arrivals.slice(1).map((t, i) => t - arrivals[i]);
    expect(waits).toHaveLength(4);
    // Far below the uncapped 10 s, with slack for the round trip on a busy machine.
    for (const wait of waits) expect(wait).toBeLessThan(60 + 1_000);
  });
});

describe('a requests/min limit', () => {
  it('holds requests back without counting the wait against their timeout', async () => {
    server.setOptions({ latencyMs: 0, faults: [] });
    // 60/min: a minute's burst of 60, then one a second; the 63rd waits about 3 s.
    const stored = await textGenerationRun(await storeDataset(prompts(63)), {
      baseURL: server.url,
      concurrency: 4,
    });
    await db.runs.update(stored.id, {
      limits: { requestsPerMinute: 60, timeoutSeconds: 1, maxRetries: 0 },
    });
    const limited = (await db.runs.get(stored.id))!;
    const model = createOpenAIModel({ baseURL: server.url, model: 'test-model' });
    expect(await runWith(limited, model, new AbortController().signal)).toBe('completed');
    expect((await db.runs.get(stored.id))?.counters).toMatchObject({ done: 63, failed: 0 });
  });
});
