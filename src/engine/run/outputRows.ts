import type { BoundTask } from '../bound';
import { iterateRowPages } from '../db/datasets';
import { resultsInRange } from '../db/results';
import { type Dataset, PAGE_SIZE, type Result, type Run } from '../db/schema';
import { pickColumns } from '../generation';
import { ENGINE_COLUMNS, type Row } from '../task';

/**
 * The columns that carry the person's judgement of each generation in every
 * export: `rating` and `comment`, unless the task writes a column of that name
 * (a regex group called rating), which keeps it; the person's is then `person_rating`.
 */
export function judgementColumns(outputs: readonly string[]) {
  const free = (name: string) => (outputs.includes(name) ? `person_${name}` : name);
  return { rating: free('rating'), comment: free('comment') };
}

/**
 * The columns of a run's output, in export order: inputs, outputs, rating and
 * comment, model_name, metadata. An input column the run writes again (an
 * output, or model_name on a dataset made from an earlier run) is listed once,
 * where the run puts it: the run's value overwrites the input's, as in distilabel.
 */
export function runColumns(dataset: Pick<Dataset, 'columns'>, bound: BoundTask): string[] {
  const judged = judgementColumns(bound.outputs);
  const written = [...bound.outputs, judged.rating, judged.comment, ...ENGINE_COLUMNS];
  const inputs = dataset.columns.filter((c) => !written.includes(c));
  return [...inputs, ...written];
}

export interface OutputOptions {
  limitRows?: number;
  /** Overrides the run's setting (a trainer wants one row per answer). */
  groupGenerations?: boolean;
  /** Only the generations the person rated good. */
  onlyGood?: boolean;
  /** Told of each generation left out, and why. */
  onLeftOut?: (reason: string) => void;
  signal?: AbortSignal;
}

/**
 * The output rows of a run, a page of dataset rows at a time, in row then
 * generation order, with the person's edits in place of the model's values.
 * Rows without any stored result yet, and deleted generations, are left out.
 */
export async function* runOutputRows(
  run: Run,
  bound: BoundTask,
  options: OutputOptions = {},
): AsyncGenerator<Row[]> {
  const limit = options.limitRows ?? Number.POSITIVE_INFINITY;
  const grouped = options.groupGenerations ?? bound.settings.groupGenerations;
  for await (const record of iterateRowPages(run.datasetId)) {
    options.signal?.throwIfAborted();
    const start = record.page * PAGE_SIZE;
    if (start >= limit) return;
    const byRow = groupByRow(await resultsInRange(run.id, start, start + record.rows.length));
    const rows: Row[] = [];
    for (const [position, inputRow] of record.rows.entries()) {
      if (start + position >= limit) break;
      const generations = byRow.get(start + position)?.filter((g) => kept(g, options));
      if (generations?.length)
        rows.push(...outputRows(inputRow, generations, bound.outputs, grouped));
    }
    yield rows;
  }
}

/** Whether an export keeps a generation: not deleted, and rated good when only those are asked for. */
function kept(result: Result, { onlyGood, onLeftOut }: OutputOptions): boolean {
  if (result.regenerating) return false; // its new answer is not in yet
  if (result.judgement?.deleted) {
    onLeftOut?.('deleted');
    return false;
  }
  if (onlyGood && result.judgement?.rating !== 'good') {
    onLeftOut?.('not rated good');
    return false;
  }
  return true;
}

/** A generation as it leaves the engine: what was read from the answer, or a failure. */
export type StoredGeneration = Pick<
  Result,
  'generation' | 'status' | 'outputs' | 'modelName' | 'metadata' | 'error' | 'judgement'
>;

/**
 * The output rows for one dataset row: the input columns, then the task's
 * outputs, then model_name and distilabel_metadata. With groupGenerations one
 * row holds lists (distilabel's group_dicts); otherwise one row per generation.
 */
export function outputRows(
  inputRow: Row,
  generations: readonly StoredGeneration[],
  columns: readonly string[],
  groupGenerations: boolean,
): Row[] {
  const judged = judgementColumns(columns);
  const rowOf = (g: StoredGeneration): Row => ({
    ...inputRow,
    // The person's edit in place of the model's value; the model's stays in the metadata.
    ...pickColumns(columns, { ...g.outputs, ...g.judgement?.edits }),
    [judged.rating]: g.judgement?.rating ?? null,
    [judged.comment]: g.judgement?.comment ?? null,
    model_name: g.modelName,
    distilabel_metadata: g.error ? { ...g.metadata, error: g.error } : g.metadata,
  });
  const rows = generations.map(rowOf);
  if (!groupGenerations || rows.length === 0) return rows;
  const grouped: Row = { ...inputRow };
  for (const column of [...columns, judged.rating, judged.comment])
    grouped[column] = rows.map((r) => r[column]);
  grouped.model_name = rows[0].model_name;
  grouped.distilabel_metadata = rows.map((r) => r.distilabel_metadata);
  return [grouped];
}

/** Results by row index, each row's in generation order. */
export function groupByRow(results: Result[]): Map<number, Result[]> {
  const byRow = new Map<number, Result[]>();
  for (const result of results) {
    const list = byRow.get(result.rowIndex);
    if (list) list.push(result);
    else byRow.set(result.rowIndex, [result]);
  }
  return byRow;
}
