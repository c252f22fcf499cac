import type { BoundTask } from '../bound';
import { inputError } from '../errors';
import {
  type FormatColumns,
  type TrainingFormat,
  trainingFormats,
} from '../formats/trainingFormats';
import type { BoundRun } from '../run/boundRun';
import { judgementColumns, runColumns, runOutputRows } from '../run/outputRows';
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

/** What to export: the format, the shape, and whether only the generations rated good. */
export interface ExportRequest {
  format: ExportFormat;
  shape?: ExportShape;
  onlyGood?: boolean;
}

/**
 * A run's rows as a file, read from IndexedDB a page at a time, with the
 * person's edits and ratings; `onProgress` hears how many rows of the file are
 * written so far, and `signal` cancels it. Deleted generations, and with
 * `onlyGood` those not rated good, are left out, and the answer says how many.
 */
export async function exportRun(
  { run, dataset, bound }: BoundRun,
  { format, shape = 'rows', onlyGood = false }: ExportRequest,
  onProgress?: (rows: number) => void,
  signal?: AbortSignal,
): Promise<ExportedRun> {
  const columns = runColumns(dataset, bound);
  const names = {
    datasetName: dataset.name,
    taskId: shape === 'rows' ? run.taskId : `${run.taskId}-${shape}`,
  };
  // A CSV cell holds an object as its JSON text: the stored text is written as it is.
  const metadataAsJson = format === 'csv';
  const skipped = new Map<string, number>();
  const leftOut = (reason: string) => skipped.set(reason, (skipped.get(reason) ?? 0) + 1);
  const outcome = (file: { file: Blob; fileName: string }) =>
    skipped.size > 0 ? { ...file, skipped: describeSkipped(skipped) } : file;
  if (shape === 'rows') {
    const rows = () => {
      // Parquet reads the rows twice: each pass counts afresh.
      skipped.clear();
      return runOutputRows(run, bound, { onlyGood, metadataAsJson, onLeftOut: leftOut, signal });
    };
    return outcome(await exportRows(format, rows, columns, names, onProgress));
  }

  const training = trainingFormats.find((f) => f.id === shape)!;
  // Where the person rated a run's generations good and bad, DPO pairs are theirs.
  const byPerson = training.id === 'dpo' && run.counters.good > 0 && run.counters.bad > 0;
  const sources = byPerson
    ? { ...formatColumns(bound, training), ...personRatings(bound) }
    : formatColumns(bound, training);
  requireInputs(training, sources, columns);
  let written = 0;
  const reshaped = async function* () {
    skipped.clear();
    written = 0;
    // A trainer wants one example per answer: rows are read one per generation,
    // even when the run grouped them into lists; pairs of the person's ratings
    // are made from a row's generations together.
    const options = {
      groupGenerations: byPerson,
      onlyGood,
      metadataAsJson,
      onLeftOut: leftOut,
      signal,
    };
    for await (const rows of runOutputRows(run, bound, options)) {
      const results = await Promise.all(rows.map((row) => training.format(row, sources)));
      const out: Row[] = [];
      for (const result of results) {
        if ('rows' in result) out.push(...result.rows);
        else leftOut(result.skipped);
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
  return outcome(exported);
}

/** A run's own answers, rated by the person, as the DPO format reads generations and their ratings. */
function personRatings(bound: BoundTask): FormatColumns {
  const ratings = judgementColumns(bound.outputs).rating;
  return { generations: bound.outputs[0], ratings, generation_models: 'model_name' };
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

/** "3 rows were left out: 2 deleted, 1 with ...." */
function describeSkipped(skipped: Map<string, number>): string {
  const total = [...skipped.values()].reduce((sum, n) => sum + n, 0);
  const reasons = [...skipped].map(([reason, count]) => `${count} ${reason}`);
  return `${total} ${total === 1 ? 'row was' : 'rows were'} left out: ${reasons.join(', ')}.`;
}
