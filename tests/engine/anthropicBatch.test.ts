import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunSpec } from '../../src/engine/db/runs';
import { db } from '../../src/engine/db/schema';
import { batchApiOf } from '../../src/engine/llm/types';
import { anthropicBatches } from '../../src/engine/run/batch/anthropicBatches';
import { runController } from '../../src/engine/run/controller';
import { estimateRun } from '../../src/engine/run/estimate';
import { lasts } from '../../src/engine/run/failurePolicy';
import { defaultRunSettings } from '../../src/engine/task';
import { initialForm } from '../../src/state/form';
import { selectRunSpec } from '../../src/state/selectors';
import { bindSpec } from '../../src/tasks';
import {
  type AnthropicBatchServer,
  startAnthropicBatchServer,
} from '../server/anthropicBatchServer';
import {
  closedTab,
  noWait,
  prompts,
  resetBatchTest,
  storeDataset,
  storedResults,
} from './fixtures';

/**
 * Batch mode through Anthropic's Message Batches, against a loopback fake of
 * them: the same engine as OpenAI's Batch API (batch.test.ts), with
 * Anthropic's requests, headers, custom_ids, results and cancel.
 */

const secrets = { apiKey: 'test-key' };

let server: AnthropicBatchServer;
beforeAll(async () => {
  server = await startAnthropicBatchServer();
});
afterAll(() => server.close());
beforeEach(() => resetBatchTest(server));

async function spec(rows: number, numGenerations = 1): Promise<RunSpec> {
  return {
    datasetId: await storeDataset(prompts(rows)),
    taskId: 'text_generation',
    taskParams: { systemPrompt: 'Be brief.' },
    settings: { ...defaultRunSettings, numGenerations },
    provider: {
      provider: 'openai',
      baseURL: server.url,
      model: 'test-model',
      mode: 'batch',
      batchApi: 'anthropic',
    },
    sampling: { temperature: 0 },
    concurrency: 4,
    limits: { timeoutSeconds: 5, maxRetries: 2 },
  };
}

const runOf = async (id: string) => (await db.runs.get(id))!;
const statusOf = async (id: string) => (await runOf(id)).status;
const keysOf = async (runId: string) =>
  (await storedResults(runId)).map((r) => `${r.rowIndex}:${r.generation}`);

describe('batch mode through Anthropic’s Message Batches', () => {
  it('runs 200 rows through one batch, each (row, generation) stored once, read as a live answer', async () => {
    const { startRun } = runController(bindSpec, noWait);
    const id = await startRun(await spec(200, 2), secrets);
    await expect.poll(() => statusOf(id)).toBe('completed');

    const [batch] = server.batches;
    expect(server.batches).toHaveLength(1);
    expect(batch.customIds).toHaveLength(400);
    expect(batch.customIds[3]).toBe('r1g1');
    // Anthropic's format: the system prompt on its own, max_tokens always set.
    expect(batch.params[0]).toEqual({
      model: 'test-model',
      max_tokens: 4096,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'prompt 0' }],
      temperature: 0,
    });
    const keys = await keysOf(id);
    expect(keys).toHaveLength(400);
    expect(new Set(keys).size).toBe(400);
    const run = await runOf(id);
    expect(run.counters).toMatchObject({ total: 400, done: 400, failed: 0 });
    expect(run.batches).toMatchObject([
      { id: 'msgbatch_1', status: 'ended', collected: true, attempt: 1 },
    ]);
    expect(run.batches?.[0].requestCounts).toEqual({ total: 400, completed: 400, failed: 0 });

    const [first] = await storedResults(id);
    expect(first.outputs.generation).toBe('[test-model] echo: prompt 0');
    // Token counts from usage (2 words of system prompt, 2 of prompt), finish reason from stop_reason.
    expect(first.metadata.statistics_text_generation).toEqual({
      input_tokens: 4,
      output_tokens: 4,
    });
    expect(first.metadata.finish_reason_text_generation).toBe('stop');
  });

  it('a tab closed after submission: reopened, it polls the stored batch and collects it, sending nothing again', async () => {
    server.setOptions({ hold: true });
    const before = runController(bindSpec, closedTab);
    const id = await before.startRun(await spec(200), secrets);
    await expect.poll(async () => (await runOf(id)).batches?.length).toBe(1);
    expect((await runOf(id)).batches?.[0].status).toBe('in_progress');

    server.setOptions({ hold: false });
    const after = runController(bindSpec, noWait);
    expect(await after.resumeInterrupted(secrets)).toEqual([id]);
    await expect.poll(() => statusOf(id)).toBe('completed');
    const creations = server.requests.filter(
      (r) => r.method === 'POST' && r.path.endsWith('/batches'),
    );
    expect(creations).toHaveLength(1);
    expect(new Set(await keysOf(id)).size).toBe(200);
  });

  it('sends 20 errored and expired lines again in a second batch', async () => {
    const fate = (customId: string, batch: number) => {
      const row = Number(/^r(\d+)/.exec(customId)?.[1]);
      if (batch > 1 || row % 10 !== 0) return null;
      return row % 20 === 0 ? 'failed' : 'expired';
    };
    server.setOptions({ fate });
    const { startRun } = runController(bindSpec, noWait);
    const id = await startRun(await spec(200), secrets);
    await expect.poll(() => statusOf(id)).toBe('completed');

    expect(server.batches.map((b) => b.customIds.length)).toEqual([200, 20]);
    expect(server.batches[1].customIds).toContain('r10g0');
    const run = await runOf(id);
    expect(run.counters).toMatchObject({ done: 200, failed: 0 });
    expect(run.batches?.[0].requestCounts).toEqual({ total: 200, completed: 180, failed: 20 });
    expect(new Set(await keysOf(id)).size).toBe(200);
  });

  it('stores lines that fail every attempt as failed, with Anthropic’s reason', async () => {
    server.setOptions({ fate: (customId) => (customId === 'r3g0' ? 'failed' : null) });
    const { startRun } = runController(bindSpec, noWait);
    const id = await startRun(await spec(10), secrets);
    await expect.poll(() => statusOf(id)).toBe('completed');
    expect(server.batches.map((b) => b.customIds.length)).toEqual([10, 1, 1]);
    const failed = (await storedResults(id)).filter((r) => r.status === 'failed');
    expect(failed).toMatchObject([{ rowIndex: 3, generation: 0 }]);
    expect(failed[0].error).toBe('Internal server error (api_error)');
  });

  it('Cancel cancels the batch at Anthropic', async () => {
    server.setOptions({ hold: true });
    const { startRun, cancelRun } = runController(bindSpec, {
      pollMs: 1,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    });
    const id = await startRun(await spec(50), secrets);
    await expect.poll(async () => (await runOf(id)).batches?.length).toBe(1);
    await cancelRun(id, secrets);
    expect(await statusOf(id)).toBe('cancelled');
    expect(server.batches[0].cancelRequested).toBe(true);
    expect(server.requests.at(-1)).toEqual({
      method: 'POST',
      path: '/v1/messages/batches/msgbatch_1/cancel',
    });
    expect((await runOf(id)).batches?.[0].status).toBe('canceling');
  });

  it('a run without a key fails with Anthropic’s reason, having sent no batch', async () => {
    const { startRun } = runController(bindSpec, noWait);
    const id = await startRun(await spec(3), {});
    await expect.poll(() => statusOf(id)).toBe('failed');
    expect((await runOf(id)).error?.message).toContain('x-api-key header is required');
    expect(server.batches).toHaveLength(0);
  });
});

describe('the estimate of a run through Anthropic’s Message Batches', () => {
  it('counts the allowance sent when Max new tokens is unset', async () => {
    const run = await spec(10, 2);
    const figures = await estimateRun(run, bindSpec(run));
    expect(figures).toMatchObject({ requests: 20, maxOutputTokens: 20 * 4096 });
  });
});

describe('Anthropic’s result lines', () => {
  const { readResult } = anthropicBatches({ baseURL: 'https://api.anthropic.com/v1' });
  const errored = (type: string) => ({
    custom_id: 'r2g1',
    result: { type: 'errored', error: { type: 'error', error: { type, message: 'Said.' } } },
  });

  it('an invalid request lasts; another error, or a line expired or cancelled, may pass in another batch', () => {
    const invalid = readResult(errored('invalid_request_error'), 'run');
    expect(invalid).toMatchObject({ rowIndex: 2, generation: 1 });
    const error = (line: unknown) => {
      const outcome = readResult(line, 'run')?.outcome;
      return outcome && 'error' in outcome ? outcome.error : undefined;
    };
    expect(lasts(error(errored('invalid_request_error'))!)).toBe(true);
    expect(error(errored('invalid_request_error'))?.message).toBe('Said. (invalid_request_error)');
    expect(lasts(error(errored('overloaded_error'))!)).toBe(false);
    for (const type of ['expired', 'canceled']) {
      expect(error({ custom_id: 'r0g0', result: { type } })).toMatchObject({ retryable: true });
    }
  });

  it('skips a line whose custom_id is not a row and generation', () => {
    expect(
      readResult({ custom_id: 'run/0/0', result: { type: 'expired' } }, 'run'),
    ).toBeUndefined();
  });
});

describe('which Batch API a batch run speaks', () => {
  it('Anthropic’s for api.anthropic.com or an address marked as Anthropic’s; OpenAI’s otherwise', () => {
    expect(batchApiOf('https://api.anthropic.com/v1', undefined)).toBe('anthropic');
    expect(batchApiOf('http://127.0.0.1:8080/v1', 'anthropic')).toBe('anthropic');
    expect(batchApiOf('https://api.openai.com/v1', undefined)).toBe('openai');
    expect(batchApiOf('not a url', undefined)).toBe('openai');
  });

  it('the form gives the run its Batch API; a live run’s settings carry none', () => {
    const providerOf = (baseURL: string, mode?: 'batch') => {
      const { provider } = initialForm;
      const spec = selectRunSpec({
        ...initialForm,
        data: { datasetId: 'd' },
        provider: {
          ...provider,
          selected: 'openai',
          openai: { ...provider.openai, baseURL, model: 'm', mode },
        },
      });
      return spec.ok ? spec.value.provider : undefined;
    };
    expect(providerOf('https://api.anthropic.com/v1', 'batch')).toMatchObject({
      mode: 'batch',
      batchApi: 'anthropic',
    });
    expect(providerOf('https://api.openai.com/v1', 'batch')).not.toHaveProperty('batchApi');
    expect(providerOf('https://api.anthropic.com/v1')).not.toHaveProperty('batchApi');
  });
});
