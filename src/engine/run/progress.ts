import type { Run } from '../db/schema';
import { costOf, pricesOf } from './estimate';

/** A run's progress in figures, as its progress line shows them. */
export interface Progress {
  finished: number;
  total: number;
  /** 0 to 100, whole. */
  percent: number;
  /** Of the current stretch of running, once it has finished anything; else undefined. */
  rate?: {
    rowsPerSecond: number;
    generationsPerSecond: number;
    outputTokensPerSecond: number;
    secondsLeft: number;
  };
  /** When prices are set: spent so far, and projected over the whole run while it is unfinished. */
  cost?: { spent: number; projected?: number };
}

/**
 * The figures of a run from its counters and activity: rates measure the
 * current stretch of running (since its last start or resume), so a pause does
 * not drag them down; the projection scales the cost so far to every generation.
 */
export function progressOf(
  run: Pick<Run, 'counters' | 'activity' | 'status' | 'updated' | 'settings' | 'pricing'> & {
    provider?: Run['provider'];
  },
): Progress {
  const { total, done, failed, inputTokens, outputTokens } = run.counters;
  const finished = done + failed;
  const progress: Progress = {
    finished,
    total,
    percent: total > 0 ? Math.round((finished / total) * 100) : 0,
  };
  const { activity } = run;
  if (activity && run.status === 'running') {
    const seconds = (run.updated - activity.since) / 1000;
    const generationsPerSecond = seconds > 0 ? (finished - activity.finishedSince) / seconds : 0;
    if (generationsPerSecond > 0) {
      progress.rate = {
        generationsPerSecond,
        rowsPerSecond: generationsPerSecond / run.settings.numGenerations,
        outputTokensPerSecond: (outputTokens - activity.outputTokensSince) / seconds,
        secondsLeft: (total - finished) / generationsPerSecond,
      };
    }
  }
  const pricing = pricesOf(run);
  if (pricing) {
    const spent = costOf(pricing, inputTokens, outputTokens);
    const unfinished = finished > 0 && finished < total;
    progress.cost = { spent, projected: unfinished ? (spent * total) / finished : undefined };
  }
  return progress;
}
