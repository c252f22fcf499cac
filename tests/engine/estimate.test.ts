import { beforeEach, describe, expect, it } from 'vitest';
import type { RunSpec } from '../../src/engine/db/runs';
import { estimateRun } from '../../src/engine/run/estimate';
import { defaultRunSettings } from '../../src/engine/task';
import { bindSpec } from '../../src/tasks';
import { clearDatabase, prompts, storeDataset } from './fixtures';

beforeEach(clearDatabase);

/** The estimate of a run of `taskId` over `rows` rows of "prompt <i>" (two tokens of 4 characters each). */
async function estimate(
  taskId: string,
  rows: number,
  { taskParams = {}, numGenerations = 1 }: { taskParams?: object; numGenerations?: number } = {},
) {
  const spec = {
    datasetId: await storeDataset(prompts(rows)),
    taskId,
    taskParams,
    settings: { ...defaultRunSettings, numGenerations },
    sampling: { maxTokens: 100 },
    pricing: { inputPerMillion: 1, outputPerMillion: 2 },
  } satisfies Omit<RunSpec, 'provider' | 'concurrency'>;
  return estimateRun(spec, bindSpec(spec));
}

describe('the estimate of a run', () => {
  it('counts one request per row for a prompt task: its prompt sent once for all generations', async () => {
    const figures = await estimate('text_generation', 10, { numGenerations: 3 });
    // "prompt 0".."prompt 9": 8 characters, 2 tokens each.
    expect(figures).toMatchObject({
      generations: 30,
      requests: 10,
      promptTokens: 20,
      maxOutputTokens: 3_000,
    });
    expect(figures.promptCost).toBeCloseTo(20 / 1e6);
    expect(figures.maxCost).toBeCloseTo((20 + 2 * 3_000) / 1e6);
  });

  it('counts every call of a chain task: a 3-round Evol-Instruct makes 3 per generation', async () => {
    const rounds = await estimate('evol_instruct', 10, {
      taskParams: { numEvolutions: 3 },
      numGenerations: 2,
    });
    const one = await estimate('evol_instruct', 10, { numGenerations: 2 });
    expect(rounds.generations).toBe(20);
    expect(rounds.requests).toBe(60);
    expect(rounds.requests / rounds.generations).toBeGreaterThanOrEqual(3);
    expect(rounds.maxOutputTokens).toBe(60 * 100);
    expect(rounds.promptTokens).toBe(3 * one.promptTokens);
  });

  it('counts a Magpie generation as its instruction and its answer', async () => {
    const figures = await estimate('magpie', 5);
    expect(figures).toMatchObject({ generations: 5, requests: 10, maxOutputTokens: 1_000 });
    expect(figures.promptTokens).toBeGreaterThan(0);
  });
});
