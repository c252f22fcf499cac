import { bin, extent } from 'd3-array';
import { iterateResultPages } from '../db/results';
import type { ResultPage } from '../db/schema';
import type { BoundRun } from '../run/boundRun';
import { costOf, pricesOf } from '../run/estimate';
import { type LineStatus, outcome } from './views';

/**
 * The figures behind a run's charts, computed here over every result: output
 * lengths, the values of scores, ratings and labels, outcomes, tokens and cost
 * per model, and the pace of the run. Only counts cross to the page.
 */

export interface Bin {
  from: number;
  to: number;
  count: number;
}

export interface RunStatistics {
  runId: string;
  outcomes: Record<LineStatus, number>;
  /** Characters of each text output, per generation. */
  lengths: { column: string; bins: Bin[] }[];
  /** Output tokens per generation. */
  tokens: Bin[];
  /** Scores, ratings and labels: each value an output takes (list items counted one by one). */
  values: { column: string; counts: { value: string; count: number }[] }[];
  perModel: {
    model: string;
    generations: number;
    inputTokens: number;
    outputTokens: number;
    cost?: number;
  }[];
  /** Generations stored per stretch of time, when the results say when they were stored. */
  pace: { from: number; to: number; count: number }[];
}

/** More distinct values than this, or a longer one, is free text, not a set of labels. */
const MAX_LABELS = 24;
const MAX_LABEL_LENGTH = 40;
const BINS = 20;

export async function runStatistics(
  { run, bound }: BoundRun,
  signal?: AbortSignal,
): Promise<RunStatistics> {
  const outcomes: Record<LineStatus, number> = {
    pending: 0,
    done: 0,
    failed: 0,
    unreadable: 0,
    cut: 0,
  };
  const lengths = new Map<string, number[]>();
  const values = new Map<string, Tally | null>();
  const tokens: number[] = [];
  const times: number[] = [];
  const models = new Map<string, RunStatistics['perModel'][number]>();
  let stored = 0;

  // Read straight from the pages' columns: a million results are never made into objects.
  for await (const page of iterateResultPages(run.id)) {
    signal?.throwIfAborted();
    const answered = bound.outputs.map(
      (column) =>
        [column, Object.hasOwn(page.outputs, column) ? page.outputs[column] : undefined] as const,
    );
    for (let slot = 0; slot < page.rowIndex.length; slot++) {
      stored += 1;
      const failed = page.failed[slot] !== 0;
      outcomes[outcome(failed, page.finishReason[slot], page.formatFailed[slot] === 1)] += 1;
      if (!Number.isNaN(page.at[slot])) times.push(page.at[slot]);
      countModel(models, page, slot);
      if (failed) continue;
      tokens.push(page.outputTokens[slot]);
      for (const [column, cells] of answered) {
        const value = cells?.[slot] ?? null;
        if (typeof value === 'string') push(lengths, column, value.length);
        tally(values, column, value);
      }
    }
  }
  outcomes.pending = Math.max(0, run.counters.total - stored);
  // A batch run's tokens are billed at batch prices.
  const pricing = pricesOf(run);
  return {
    runId: run.id,
    outcomes,
    lengths: [...lengths].map(([column, counts]) => ({ column, bins: histogram(counts) })),
    tokens: histogram(tokens),
    values: [...values]
      .filter((entry): entry is [string, Tally] => entry[1] !== null && entry[1].counts.size > 0)
      .map(([column, { counts }]) => ({
        column,
        counts: [...counts]
          .map(([value, count]) => ({ value, count }))
          .sort((a, b) => naturalOrder(a.value, b.value)),
      })),
    perModel: [...models.values()].map((m) =>
      pricing ? { ...m, cost: costOf(pricing, m.inputTokens, m.outputTokens) } : m,
    ),
    pace: histogram(times),
  };
}

function push(map: Map<string, number[]>, key: string, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Counts the values of a column when they look like a set: numbers, or short
 * texts of which there are few (labels, verdicts). A column with a long text,
 * or too many distinct texts, stops being counted (null): it is free text,
 * shown by its lengths instead.
 */
function tally(values: Map<string, Tally | null>, column: string, value: unknown): void {
  let tally = values.get(column);
  if (tally === null) return;
  if (tally === undefined) {
    tally = { counts: new Map(), texts: 0 };
    values.set(column, tally);
  }
  for (const item of Array.isArray(value) ? value : [value]) {
    if (typeof item !== 'number' && typeof item !== 'string' && typeof item !== 'boolean') continue;
    const key = String(item);
    const count = tally.counts.get(key);
    if (count === undefined && typeof item === 'string' && Number.isNaN(Number(item))) {
      tally.texts += 1;
      const free =
        item.length > MAX_LABEL_LENGTH || item.includes('\n') || tally.texts > MAX_LABELS;
      if (free) return void values.set(column, null);
    }
    tally.counts.set(key, (count ?? 0) + 1);
  }
}

/** The values of a column counted so far, and how many distinct texts are among them. */
interface Tally {
  counts: Map<string, number>;
  texts: number;
}

function countModel(
  models: Map<string, RunStatistics['perModel'][number]>,
  page: ResultPage,
  slot: number,
) {
  const name = page.modelName[slot];
  const model = models.get(name) ?? {
    model: name,
    generations: 0,
    inputTokens: 0,
    outputTokens: 0,
  };
  model.generations += 1;
  if (!page.promptShared[slot]) model.inputTokens += page.inputTokens[slot];
  model.outputTokens += page.outputTokens[slot];
  models.set(name, model);
}

/** About BINS bins of round widths over the values (d3's bin); none for no values. */
function histogram(values: number[]): Bin[] {
  if (values.length === 0) return [];
  const [min, max] = extent(values) as [number, number];
  // One value: one bar a unit wide, which a chart can draw.
  if (min === max) return [{ from: min, to: min + 1, count: values.length }];
  return bin()
    .thresholds(BINS)(values)
    .map((b) => ({ from: b.x0 ?? min, to: b.x1 ?? max, count: b.length }));
}

/** Numbers by value, then texts alphabetically. */
function naturalOrder(a: string, b: string): number {
  const [x, y] = [Number(a), Number(b)];
  if (!Number.isNaN(x) && !Number.isNaN(y)) return x - y;
  return a.localeCompare(b);
}
