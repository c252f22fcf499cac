import { findTask } from '../../tasks';
import { iterateRowPages } from '../db/datasets';
import { resultsInRange } from '../db/runs';
import { db, PAGE_SIZE, type Result, type Run } from '../db/schema';
import { ENGINE_COLUMNS, outputRows, type Row, resolveParams, taskOutputs } from '../task';

/**
 * The columns of a run's output, in export order: inputs, outputs, model_name,
 * metadata. An input column the run writes again (an output, or model_name on
 * a dataset made from an earlier run) is listed once, where the run puts it:
 * the run's value overwrites the input's, as in distilabel.
 */
export async function runColumns(run: Run): Promise<string[]> {
  const dataset = await db.datasets.get(run.datasetId);
  const task = findTask(run.taskId);
  const outputs = taskOutputs(task, resolveParams(task, run.taskParams));
  const written = [...outputs, ...ENGINE_COLUMNS];
  const inputs = (dataset?.columns ?? []).filter((c) => !written.includes(c));
  return [...inputs, ...written];
}

/**
 * The output rows of a run, a page of dataset rows at a time, in row then
 * generation order. Rows without any stored result yet are left out.
 */
export async function* runOutputRows(
  run: Run,
  options: { limitRows?: number } = {},
): AsyncGenerator<Row[]> {
  const task = findTask(run.taskId);
  const columns = taskOutputs(task, resolveParams(task, run.taskParams));
  const limit = options.limitRows ?? Number.POSITIVE_INFINITY;
  for await (const record of iterateRowPages(run.datasetId)) {
    const start = record.page * PAGE_SIZE;
    if (start >= limit) return;
    const byRow = groupByRow(await resultsInRange(run.id, start, start + record.rows.length));
    const rows: Row[] = [];
    for (const [position, inputRow] of record.rows.entries()) {
      if (start + position >= limit) break;
      const generations = byRow.get(start + position);
      if (generations)
        rows.push(...outputRows(inputRow, generations, columns, run.settings.groupGenerations));
    }
    yield rows;
  }
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
