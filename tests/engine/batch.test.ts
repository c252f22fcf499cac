import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { batchLine } from '../../src/components/batchLine';
import type { RunSpec } from '../../src/engine/db/runs';
import { db, type Pricing } from '../../src/engine/db/schema';
import { exportRun } from '../../src/engine/io/exportRun';
import { runController } from '../../src/engine/run/controller';
import { estimateRun } from '../../src/engine/run/estimate';
import { progressOf } from '../../src/engine/run/progress';
import { defaultRunSettings } from '../../src/engine/task';
import { initialForm } from '../../src/state/form';
import { selectRunSpec } from '../../src/state/selectors';
import { bindSpec } from '../../src/tasks';
import { type BatchServer, startBatchServer } from '../server/batchServer';
import {
  boundRun,
  closedTab,
  noWait,
  prompts,
  resetBatchTest,
  storeDataset,
  storedResults,
} from './fixtures';

/**
 * Batch mode against a loopback fake of OpenAI's Files and Batches endpoints:
 * submission, polling, collection exactly once per (row, generation), a closed
 * tab that comes back, lines resubmitted, and Cancel. No real waiting: polls
 * come one after another.
 */

let server: BatchServer;
beforeAll(async () => {
  server = await startBatchServer();
});
afterAll(() => server.close());
beforeEach(() => resetBatchTest(server));

async function spec(rows: number, numGenerations = 1): Promise<RunSpec> {
  return {
    datasetId: await storeDataset(prompts(rows)),
    taskId: 'text_generation',
    taskParams: {},
    settings: { ...defaultRunSettings, numGenerations },
    provider: { provider: 'openai', baseURL: server.url, model: 'test-model', mode: 'batch' },
    sampling: { temperature: 0, seed: 7 },
    concurrency: 4,
    limits: { timeoutSeconds: 5, maxRetries: 2 },
  };
}

const runOf = async (id: string) => (await db.runs.get(id))!;
const statusOf = async (id: string) => (await runOf(id)).status;
const uploads = () => server.requests.filter((r) => r.path === '/v1/files').length;

/** Every (row, generation) key of a run's results: each must appear once. */
async function keysOf(runId: string): Promise<string[]> {
  return (await storedResults(runId)).map((r) => `${r.rowIndex}:${r.generation}`);
}

describe('batch mode', () => {
  it('runs 500 rows through one batch, each (row, generation) stored and exported once', async () => {
    server.setOptions({ pollsToFinish: 3 });
    const waits: number[] = [];
    const { startRun } = runController(bindSpec, {
      pollMs: 10,
      sleep: async (ms) => void waits.push(ms),
    });
    const id = await startRun(await spec(500, 2), {});
    await expect.poll(() => statusOf(id)).toBe('completed');
    // Two waits, backing off, between three polls; none once the batch is collected.
    expect(waits).toEqual([10, 20]);

    expect(server.batches).toHaveLength(1);
    expect(server.batches[0].customIds).toHaveLength(1000);
    expect(server.batches[0].customIds[3]).toBe(`${id}/1/1`);
    const keys = await keysOf(id);
    expect(keys).toHaveLength(1000);
    expect(new Set(keys).size).toBe(1000);
    const run = await runOf(id);
    expect(run.counters).toMatchObject({ total: 1000, done: 1000, failed: 0 });
    expect(run.batches).toMatchObject([
      { id: 'batch_1', status: 'completed', collected: true, attempt: 1 },
    ]);
    expect(run.batches?.[0].requestCounts).toEqual({ total: 1000, completed: 1000, failed: 0 });

    // Read as a live answer is: the task's columns, metadata, token counts from the usage.
    const [first] = await storedResults(id);
    expect(first.outputs.generation).toBe('[test-model] echo: prompt 0 (seed 7)');
    expect(first.metadata.statistics_text_generation).toEqual({
      input_tokens: 2,
      output_tokens: 6,
    });

    // One row per generation (not grouped): each instruction twice, no row missing or repeated.
    const { file } = await exportRun(await boundRun(id), { format: 'jsonl' });
    const lines = (await file.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1000);
    const instructions = lines.map((l: { instruction: string }) => l.instruction).sort();
    expect(instructions).toEqual(
      prompts(500)
        .flatMap((r) => [r.instruction, r.instruction])
        .sort(),
    );
  });

  it('splits a run over the per-batch limit of requests', async () => {
    const { startRun } = runController(bindSpec, {
      ...noWait,
      limits: { requests: 200, bytes: 1e9 },
    });
    const id = await startRun(await spec(500), {});
    await expect.poll(() => statusOf(id)).toBe('completed');
    expect(server.batches.map((b) => b.customIds.length)).toEqual([200, 200, 100]);
    expect(new Set(await keysOf(id)).size).toBe(500);
  });

  it('a tab closed after submission: reopened, it polls the stored batch and collects it, sending nothing again', async () => {
    server.setOptions({ hold: true });
    const before = runController(bindSpec, closedTab);
    const id = await before.startRun(await spec(500), {});
    await expect.poll(async () => (await runOf(id)).batches?.length).toBe(1);
    expect((await runOf(id)).batches?.[0].status).toBe('in_progress');

    server.setOptions({ hold: false }); // the provider finishes while the tab is away
    const after = runController(bindSpec, noWait);
    expect(await after.resumeInterrupted({})).toEqual([id]);
    await expect.poll(() => statusOf(id)).toBe('completed');
    expect(uploads()).toBe(1);
    expect(server.batches).toHaveLength(1);
    const keys = await keysOf(id);
    expect(keys).toHaveLength(500);
    expect(new Set(keys).size).toBe(500);
  });

  it('sends 20 failed and expired lines again in a second batch', async () => {
    const fate = (customId: string, batch: number) => {
      const row = Number(customId.split('/')[1]);
      if (batch > 1 || row % 25 !== 0) return null;
      return row % 50 === 0 ? 'failed' : 'expired';
    };
    server.setOptions({ fate });
    const { startRun } = runController(bindSpec, noWait);
    const id = await startRun(await spec(500), {});
    await expect.poll(() => statusOf(id)).toBe('completed');

    expect(server.batches.map((b) => b.customIds.length)).toEqual([500, 20]);
    expect(server.batches[1].customIds).toContain(`${id}/25/0`);
    const run = await runOf(id);
    expect(run.counters).toMatchObject({ done: 500, failed: 0 });
    expect(run.batches?.map((b) => b.attempt)).toEqual([1, 2]);
    expect(new Set(await keysOf(id)).size).toBe(500);
  });

  it('stores lines that fail every attempt as failed, with the provider’s reason', async () => {
    server.setOptions({ fate: (customId) => (customId.endsWith('/3/0') ? 'expired' : null) });
    const { startRun } = runController(bindSpec, noWait);
    const id = await startRun(await spec(10), {});
    await expect.poll(() => statusOf(id)).toBe('completed');
    // maxRetries 2: three attempts.
    expect(server.batches.map((b) => b.customIds.length)).toEqual([10, 1, 1]);
    const failed = (await storedResults(id)).filter((r) => r.status === 'failed');
    expect(failed).toMatchObject([{ rowIndex: 3, generation: 0 }]);
    expect(failed[0].error).toContain('completion window expired');
    expect((await runOf(id)).counters).toMatchObject({ done: 9, failed: 1 });
  });

  it('polls again after a poll the provider answers 503, and finishes', async () => {
    server.setOptions({ failReads: 2 });
    const { startRun } = runController(bindSpec, noWait);
    const id = await startRun(await spec(20), {});
    await expect.poll(() => statusOf(id)).toBe('completed');
    const reads = server.requests.filter(
      (r) => r.method === 'GET' && r.path.startsWith('/v1/batches/'),
    );
    expect(reads).toHaveLength(3);
    expect(new Set(await keysOf(id)).size).toBe(20);
  });

  it('Cancel cancels the batch at the provider', async () => {
    server.setOptions({ hold: true });
    const { startRun, cancelRun } = runController(bindSpec, {
      pollMs: 1,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    });
    const id = await startRun(await spec(50), {});
    await expect.poll(async () => (await runOf(id)).batches?.length).toBe(1);
    await cancelRun(id, {});
    expect(await statusOf(id)).toBe('cancelled');
    expect(server.batches[0].cancelRequested).toBe(true);
    expect(server.requests.at(-1)).toEqual({ method: 'POST', path: '/v1/batches/batch_1/cancel' });
    expect((await runOf(id)).batches?.[0].status).toBe('cancelling');
  });

  it('refuses a chain task before storing a run', async () => {
    const { startRun } = runController(bindSpec, noWait);
    await expect(startRun({ ...(await spec(3)), taskId: 'evol_instruct' }, {})).rejects.toThrow(
      'cannot go through a Batch API',
    );
    expect(await db.runs.count()).toBe(0);
    expect(server.requests).toHaveLength(0);
  });
});

describe('batch mode in the form, the estimate and the progress line', () => {
  it('the form’s Mode gives the run’s provider; a live run’s settings stay as before', () => {
    const form = (mode?: 'live' | 'batch') => ({
      ...initialForm,
      data: { datasetId: 'd' },
      provider: {
        ...initialForm.provider,
        selected: 'openai' as const,
        openai: { ...initialForm.provider.openai, model: 'm', mode },
      },
    });
    const providerOf = (mode?: 'live' | 'batch') => {
      const spec = selectRunSpec(form(mode));
      return spec.ok ? spec.value.provider : undefined;
    };
    expect(providerOf('batch')).toMatchObject({ provider: 'openai', mode: 'batch' });
    expect(providerOf('live')).not.toHaveProperty('mode');
    expect(providerOf(undefined)).not.toHaveProperty('mode');
  });

  it('keeps the batch prices entered on the run; only batch prices make the live ones free', () => {
    const pricingOf = (pricing: Partial<Pricing>) => {
      const { provider, limits } = initialForm;
      const spec = selectRunSpec({
        ...initialForm,
        data: { datasetId: 'd' },
        provider: { ...provider, selected: 'openai', openai: { ...provider.openai, model: 'm' } },
        limits: { ...limits, pricing },
      });
      return spec.ok ? spec.value.pricing : undefined;
    };
    expect(pricingOf({ inputPerMillion: 2, batchOutputPerMillion: 1 })).toEqual({
      inputPerMillion: 2,
      outputPerMillion: 0,
      batchOutputPerMillion: 1,
    });
    expect(pricingOf({ batchInputPerMillion: 1 })).toEqual({
      inputPerMillion: 0,
      outputPerMillion: 0,
      batchInputPerMillion: 1,
    });
    expect(pricingOf({})).toBeUndefined();
  });

  it('estimates one request per generation, at batch prices, beside the live cost', async () => {
    const batch = await spec(10, 3);
    const priced = {
      ...batch,
      sampling: { maxTokens: 100 },
      pricing: { inputPerMillion: 2, outputPerMillion: 4 },
    };
    const live = { ...priced, provider: { ...priced.provider, mode: undefined } };
    const [inBatch, inLive] = await Promise.all([
      estimateRun(priced, bindSpec(priced)),
      estimateRun(live, bindSpec(live)),
    ]);
    expect(inLive).toMatchObject({ requests: 10, promptTokens: 20 });
    expect(inBatch).toMatchObject({
      requests: 30,
      promptTokens: 60,
      batch: { liveMaxCost: inLive.maxCost },
    });
    // 60 prompt tokens at $1 and 3,000 output tokens at $2 a million: half the prices entered.
    expect(inBatch.maxCost).toBeCloseTo((60 * 1 + 3000 * 2) / 1e6);
  });

  it('estimates at the batch prices entered, beside the live cost', async () => {
    const batch = await spec(10, 3);
    const priced = {
      ...batch,
      sampling: { maxTokens: 100 },
      pricing: { inputPerMillion: 2, outputPerMillion: 4, batchInputPerMillion: 0.5 },
    };
    const live = { ...priced, provider: { ...priced.provider, mode: undefined } };
    const [inBatch, inLive] = await Promise.all([
      estimateRun(priced, bindSpec(priced)),
      estimateRun(live, bindSpec(live)),
    ]);
    // 60 prompt tokens at the $0.5 entered, 3,000 output tokens at half of $4 (none entered).
    expect(inBatch.maxCost).toBeCloseTo((60 * 0.5 + 3000 * 2) / 1e6);
    expect(inBatch.batch?.liveMaxCost).toBeCloseTo((20 * 2 + 3000 * 4) / 1e6);
    expect(inLive.maxCost).toBe(inBatch.batch?.liveMaxCost);
  });

  /** The cost so far of a batch run with `pricing` that has used a million tokens each way. */
  const spentAt = async (pricing: Pricing) => {
    const run = { ...(await spec(1)), pricing };
    const counters = { total: 2, done: 1, failed: 0, inputTokens: 1e6, outputTokens: 1e6 };
    return progressOf({ ...run, counters: counters as never, status: 'running', updated: 0 }).cost;
  };

  it('counts the cost so far at half the live prices when no batch prices are entered', async () => {
    expect((await spentAt({ inputPerMillion: 2, outputPerMillion: 4 }))?.spent).toBe(3);
  });

  it('counts the cost so far at the batch prices entered', async () => {
    const pricing = { inputPerMillion: 2, outputPerMillion: 4, batchOutputPerMillion: 1.5 };
    expect((await spentAt(pricing))?.spent).toBe(1 + 1.5);
    const both = { ...pricing, batchInputPerMillion: 0.25 };
    expect((await spentAt(both))?.spent).toBe(0.25 + 1.5);
  });

  it('says how far each batch at the provider is, and how often it is polled', () => {
    const job = { inputFileId: 'file-1', submittedAt: 0, attempt: 1 };
    const line = batchLine({
      status: 'running',
      batches: [
        { ...job, id: 'batch_old', status: 'completed', collected: true },
        {
          ...job,
          id: 'batch_abc',
          status: 'in_progress',
          requestCounts: { total: 500, completed: 320, failed: 0 },
          pollMs: 30_000,
        },
      ],
    });
    expect(line).toBe('Batch batch_abc: 320 of 500 done · polling every 30 s');
    expect(batchLine({ status: 'completed', batches: [] })).toBeUndefined();
  });
});
