import type { BoundTask } from '../bound';
import { inputError } from '../errors';
import {
  type FormatColumns,
  type TrainingFormat,
  trainingFormats,
} from '../formats/trainingFormats';
import type { BoundRun } from '../run/boundRun';
import { runColumns, runOutputRows } from '../run/outputRows';
import type { Row } from '../task';
import { type ExportFormat, exportRows } from './export';

export type { ExportFormat };

/** Rows as the run made them, or reshaped for a trainer. */
export type ExportShape = 'rows' | TrainingFormat['id'];

export interface ExportedRun {
  file: Blob;
  fileName: string;
  /** Rows a training format left out and why, when it left any out. */
  skipped?: string;
}

/**
 * A run's rows as a file, read from IndexedDB a page at a time; `onProgress`
 * hears how many rows of the file are written so far, and `signal` cancels it.
 */
export async function exportRun(
  { run, dataset, bound }: BoundRun,
  format: ExportFormat,
  shape: ExportShape = 'rows',
  onProgress?: (rows: number) => void,
  signal?: AbortSignal,
): Promise<ExportedRun> {
  const columns = runColumns(dataset, bound);
  const names = {
    datasetName: dataset.name,
    taskId: shape === 'rows' ? run.taskId : `${run.taskId}-${shape}`,
  };
  if (shape === 'rows')
    return exportRows(
      format,
      () => runOutputRows(run, bound, { signal }),
      columns,
      names,
      onProgress,
    );

  const training = trainingFormats.find((f) => f.id === shape)!;
  const sources = formatColumns(bound, training);
  requireInputs(training, sources, columns);
  const skipped = new Map<string, number>();
  let written = 0;
  const reshaped = async function* () {
    // Parquet reads the rows twice: each pass counts afresh.
    skipped.clear();
    written = 0;
    // A trainer wants one example per answer: rows are read one per generation,
    // even when the run grouped them into lists.
    for await (const rows of runOutputRows(run, bound, { groupGenerations: false, signal })) {
      const results = await Promise.all(rows.map((row) => training.format(row, sources)));
      const out: Row[] = [];
      for (const result of results) {
        if ('rows' in result) out.push(...result.rows);
        else skipped.set(result.skipped, (skipped.get(result.skipped) ?? 0) + 1);
      }
      written += out.length;
      yield out;
    }
  };
  // The run's columns, then the format's, each once, as the plain export lists them.
  const outputColumns = [
    ...columns.filter((c) => !training.outputs.includes(c)),
    ...training.outputs,
  ];
  const exported = await exportRows(format, reshaped, outputColumns, names, onProgress);
  if (written === 0) throw nothingToExport(training, skipped);
  return skipped.size > 0 ? { ...exported, skipped: describeSkipped(skipped) } : exported;
}

/**
 * The column that holds each format input: a column the run wrote under that
 * name, else the column the run's input mapping fed the task input of that
 * name (as the task read it), else the column of that name.
 */
function formatColumns(bound: BoundTask, training: TrainingFormat): FormatColumns {
  const inputs = bound.inputs.map((input) => input.name);
  return Object.fromEntries(
    training.inputs.map(({ name }) => {
      const mapped = !bound.outputs.includes(name) && inputs.includes(name);
      return [name, mapped ? bound.columnFor(name) : name];
    }),
  );
}

/** Refuses a run whose rows lack a column the format needs, saying which and what to do. */
function requireInputs(training: TrainingFormat, sources: FormatColumns, columns: string[]): void {
  const required = training.inputs.filter((input) => !input.optional);
  const missing = required.filter((input) => !columns.includes(sources[input.name]));
  if (missing.length === 0) return;
  const lacking = missing.map(({ name }) =>
    sources[name] === name
      ? name
      : `${name} (mapped to "${sources[name]}", which they do not have)`,
  );
  const advice = missing.flatMap((input) => (input.advice ? [input.advice] : []));
  throw inputError(
    `${training.label} need ${required.map((i) => `${i.description} (${i.name})`).join(', ')}; ` +
      `this run's rows lack ${lacking.join(', ')}. ${advice.join(' ')}`.trim(),
  );
}

function nothingToExport(training: TrainingFormat, skipped: Map<string, number>): Error {
  if (skipped.size === 0) {
    return inputError(
      `This run has no results yet, so there is nothing to export as ${training.label}. Run it first.`,
    );
  }
  return inputError(
    `No row of this run gives ${training.unit}: ${describeSkipped(skipped)} ${training.needs}`,
  );
}

/** "3 rows were left out: 2 with ..., 1 with ...." */
function describeSkipped(skipped: Map<string, number>): string {
  const total = [...skipped.values()].reduce((sum, n) => sum + n, 0);
  const reasons = [...skipped].map(([reason, count]) => `${count} ${reason}`);
  return `${total} ${total === 1 ? 'row was' : 'rows were'} left out: ${reasons.join(', ')}.`;
}
