import type { BoundTask } from '../bound';
import { iterateRowPages } from '../db/datasets';
import { resultsInRange } from '../db/results';
import { type Dataset, PAGE_SIZE, type Result, type Run } from '../db/schema';
import { pickColumns } from '../generation';
import { ENGINE_COLUMNS, type Row } from '../task';

/**
 * The columns of a run's output, in export order: inputs, outputs, model_name,
 * metadata. An input column the run writes again (an output, or model_name on
 * a dataset made from an earlier run) is listed once, where the run puts it:
 * the run's value overwrites the input's, as in distilabel.
 */
export function runColumns(dataset: Pick<Dataset, 'columns'>, bound: BoundTask): string[] {
  const written = [...bound.outputs, ...ENGINE_COLUMNS];
  const inputs = dataset.columns.filter((c) => !written.includes(c));
  return [...inputs, ...written];
}

/**
 * The output rows of a run, a page of dataset rows at a time, in row then
 * generation order. Rows without any stored result yet are left out.
 * `groupGenerations` overrides the run's setting (a trainer wants one row per answer).
 */
export async function* runOutputRows(
  run: Run,
  bound: BoundTask,
  options: { limitRows?: number; groupGenerations?: boolean; signal?: AbortSignal } = {},
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
      const generations = byRow.get(start + position);
      if (generations) rows.push(...outputRows(inputRow, generations, bound.outputs, grouped));
    }
    yield rows;
  }
}

/** A generation as it leaves the engine: what was read from the answer, or a failure. */
export type StoredGeneration = Pick<
  Result,
  'generation' | 'status' | 'outputs' | 'modelName' | 'metadata' | 'error'
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
  const rowOf = (g: StoredGeneration): Row => ({
    ...inputRow,
    ...pickColumns(columns, g.outputs),
    model_name: g.modelName,
    distilabel_metadata: g.error ? { ...g.metadata, error: g.error } : g.metadata,
  });
  const rows = generations.map(rowOf);
  if (!groupGenerations || rows.length === 0) return rows;
  const grouped: Row = { ...inputRow };
  for (const column of columns) grouped[column] = rows.map((r) => r[column]);
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
