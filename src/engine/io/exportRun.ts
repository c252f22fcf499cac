import { db } from '../db/schema';
import { inputError } from '../errors';
import { type TrainingFormat, trainingFormats } from '../formats/trainingFormats';
import { runColumns, runOutputRows } from '../run/outputRows';
import type { Row } from '../task';
import { type ExportFormat, exportRows } from './export';

export type { ExportFormat };

/** Rows as the run made them, or reshaped for a trainer. */
export type ExportShape = 'rows' | TrainingFormat['id'];

/** A run's rows as a file, read from IndexedDB a page at a time. */
export async function exportRun(
  runId: string,
  format: ExportFormat,
  shape: ExportShape = 'rows',
): Promise<{ blob: Blob; fileName: string }> {
  const run = await db.runs.get(runId);
  if (!run) throw inputError('That run no longer exists.');
  const dataset = await db.datasets.get(run.datasetId);
  if (!dataset)
    throw inputError('The dataset of this run was deleted, so there is nothing to export.');
  const columns = await runColumns(run);
  const names = {
    datasetName: dataset.name,
    taskId: shape === 'rows' ? run.taskId : `${run.taskId}-${shape}`,
  };
  if (shape === 'rows') return exportRows(format, () => runOutputRows(run), columns, names);

  const training = trainingFormats.find((f) => f.id === shape)!;
  const missing = training.requires.filter((c) => !columns.includes(c));
  if (missing.length > 0) {
    throw inputError(
      `${training.label} need the columns ${training.requires.join(', ')}; this run's rows lack ${missing.join(', ')}.`,
    );
  }
  const reshaped = async function* () {
    for await (const rows of runOutputRows(run)) {
      const formatted = await Promise.all(rows.map((row) => training.format(row)));
      yield formatted.filter((row): row is Row => row !== null);
    }
  };
  const outputColumns = await firstColumns(reshaped());
  return exportRows(format, reshaped, outputColumns, names);
}

/** The columns of reshaped rows, from the first one (their keys are in order). */
async function firstColumns(batches: AsyncIterable<Row[]>): Promise<string[]> {
  for await (const rows of batches) if (rows[0]) return Object.keys(rows[0]);
  throw inputError(
    'No row of this run has what the format needs (for DPO: at least two different readable ratings).',
  );
}
