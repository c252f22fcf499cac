import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createRun } from '../../src/engine/db/runs';
import { createOpenAIModel } from '../../src/engine/llm/openai';
import { defaultRunSettings } from '../../src/engine/task';
import { type AnswerRequest, startTestServer, type TestServer } from '../server/openaiServer';
import { clearDatabase, runWith, storeDataset, storedResults } from './fixtures';

/**
 * Tasks that call the model several times per generation (Magpie, Evol-Instruct)
 * through the real runner: raw completion, per-call seeds, and what is recorded.
 */
let server: TestServer;

/** A raw completion writes an instruction named after its seed; a chat answers it. */
function answer({ prompt, seed, messages }: AnswerRequest): string {
  return prompt !== undefined
    ? `Question number ${seed}?`
    : `Answer to: ${messages.at(-1)?.content}`;
}

beforeAll(async () => {
  server = await startTestServer({ answer });
});
afterAll(() => server.close());
beforeEach(clearDatabase);

async function magpieRun(seed: number | undefined, numGenerations = 1, concurrency = 3) {
  const datasetId = await storeDataset([{ id: 1 }, { id: 2 }, { id: 3 }]);
  const run = await createRun(
    {
      datasetId,
      taskId: 'magpie',
      taskParams: {},
      settings: { ...defaultRunSettings, numGenerations },
      provider: { provider: 'openai', baseURL: server.url, model: 'test-model' },
      sampling: { seed },
      concurrency,
    },
    3 * numGenerations,
  );
  expect(
    await runWith(
      run,
      createOpenAIModel({ baseURL: server.url, model: 'test-model' }),
      new AbortController().signal,
    ),
  ).toBe('completed');
  return storedResults(run.id);
}

it('runs Magpie through raw completion with its stop markers, then answers the instruction', async () => {
  const [first] = await magpieRun(7);
  const completion = server.requests.find((r) => r.path === '/v1/completions')?.body as {
    prompt: string;
    stop: string[];
  };
  expect(completion.prompt).toBe('<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n');
  expect(completion.stop).toContain('<|eot_id|>');
  expect(first.outputs.instruction).toMatch(/^Question number \d+\?$/);
  expect(first.outputs.response).toBe(`Answer to: ${first.outputs.instruction}`);
  // Both calls are recorded, in order, with their token counts summed.
  expect(first.metadata.raw_input_magpie).toEqual([
    completion.prompt,
    [{ role: 'user', content: first.outputs.instruction }],
  ]);
  expect(
    (first.metadata.statistics_magpie as { output_tokens: number }).output_tokens,
  ).toBeGreaterThan(0);
});

it('gives every row its own seed drawn from the run seed, and the same ones on a rerun', async () => {
  const instructions = (await magpieRun(7)).map((r) => r.outputs.instruction);
  expect(new Set(instructions).size).toBe(3);
  await clearDatabase();
  expect((await magpieRun(7)).map((r) => r.outputs.instruction)).toEqual(instructions);
});

/** Answers after `ms`, counting the most requests the server had in flight at once. */
function peakInFlight(ms: number): { readonly peak: number } {
  let inFlight = 0;
  const seen = { peak: 0 };
  server.setOptions({
    latencyMs: () => {
      seen.peak = Math.max(seen.peak, ++inFlight);
      setTimeout(() => inFlight--, ms);
      return ms;
    },
  });
  return seen;
}

it("keeps or fails each of a row's generations on its own, one request at a time in a window of 1", async () => {
  const seen = peakInFlight(5);
  let completions = 0;
  server.setOptions({
    // The second instruction asked for (row 0, generation 1) is refused.
    faults: ({ path }) =>
      path === '/v1/completions' && ++completions === 2
        ? { kind: 'status', status: 400, message: 'bad prompt' }
        : null,
  });
  const results = await magpieRun(1, 2, 1);
  server.setOptions({ latencyMs: 0, faults: [] });
  expect(results.map((r) => [r.rowIndex, r.generation, r.status])).toEqual([
    [0, 0, 'done'],
    [0, 1, 'failed'],
    [1, 0, 'done'],
    [1, 1, 'done'],
    [2, 0, 'done'],
    [2, 1, 'done'],
  ]);
  expect(results[1].error).toContain('bad prompt');
  // A window of 1 sends one request at a time, chains included.
  expect(seen.peak).toBe(1);
});

it("runs a row's generations side by side when the window is wide enough", async () => {
  const seen = peakInFlight(30);
  // Three rows of two generations, a window of six: each generation is an item of its own.
  const results = await magpieRun(1, 2, 6);
  server.setOptions({ latencyMs: 0 });
  expect(results.every((r) => r.status === 'done')).toBe(true);
  expect(seen.peak).toBeGreaterThan(3);
});
