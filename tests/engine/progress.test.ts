import { describe, expect, it } from 'vitest';
import type { Run } from '../../src/engine/db/schema';
import { progressOf } from '../../src/engine/run/progress';
import { defaultRunSettings } from '../../src/engine/task';

const counters = {
  total: 1_000,
  done: 380,
  failed: 20,
  formatFailed: 5,
  cut: 3,
  good: 0,
  bad: 0,
  edited: 0,
  deleted: 0,
  inputTokens: 40_000,
  outputTokens: 90_000,
};

/** A run 400 of 1,000 generations in, running for 20 s since its resume at 100 finished. */
const running: Parameters<typeof progressOf>[0] = {
  status: 'running',
  counters,
  settings: { ...defaultRunSettings, numGenerations: 2 },
  updated: 1_020_000,
  activity: {
    inFlight: 4,
    waiting: 0,
    concurrency: 4,
    since: 1_000_000,
    finishedSince: 100,
    outputTokensSince: 30_000,
  },
  pricing: { inputPerMillion: 2, outputPerMillion: 10 },
};

describe('the progress of a run', () => {
  it('measures rates over the current stretch of running, and the time left at that rate', () => {
    const progress = progressOf(running);
    expect(progress).toMatchObject({ finished: 400, total: 1_000, percent: 40 });
    expect(progress.rate).toEqual({
      generationsPerSecond: 15,
      rowsPerSecond: 7.5,
      outputTokensPerSecond: 3_000,
      secondsLeft: 40,
    });
  });

  it('gives the cost so far and projects it over every generation', () => {
    const { cost } = progressOf(running);
    expect(cost?.spent).toBeCloseTo((40_000 * 2 + 90_000 * 10) / 1e6);
    expect(cost?.projected).toBeCloseTo((cost?.spent ?? 0) * 2.5);
  });

  it('gives no rate while paused or before anything finished, and no projection once finished', () => {
    expect(progressOf({ ...running, status: 'paused' }).rate).toBeUndefined();
    expect(
      progressOf({ ...running, activity: { ...running.activity!, finishedSince: 400 } }).rate,
    ).toBeUndefined();
    const done: Pick<Run, 'counters'> = { counters: { ...counters, done: 980 } };
    const finished = progressOf({ ...running, ...done, status: 'completed', activity: undefined });
    expect(finished).toMatchObject({ finished: 1_000, percent: 100 });
    expect(finished.cost?.projected).toBeUndefined();
  });

  it('gives no cost without prices, and 0% for a run of no generations', () => {
    expect(progressOf({ ...running, pricing: undefined }).cost).toBeUndefined();
    expect(
      progressOf({ ...running, counters: { ...counters, total: 0, done: 0, failed: 0 } }).percent,
    ).toBe(0);
  });
});
