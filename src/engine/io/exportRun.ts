import { db } from '../db/schema';
import { inputError } from '../errors';
import { runColumns, runOutputRows } from '../run/outputRows';
import { type ExportFormat, exportRows } from './export';

export type { ExportFormat };

/** A run's rows as a file, read from IndexedDB a page at a time. */
export async function exportRun(
  runId: string,
  format: ExportFormat,
): Promise<{ blob: Blob; fileName: string }> {
  const run = await db.runs.get(runId);
  if (!run) throw inputError('That run no longer exists.');
  const dataset = await db.datasets.get(run.datasetId);
  if (!dataset)
    throw inputError('The dataset of this run was deleted, so there is nothing to export.');
  return exportRows(format, () => runOutputRows(run), await runColumns(run), {
    datasetName: dataset.name,
    taskId: run.taskId,
  });
}
