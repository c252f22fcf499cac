import type { BoundTask } from '../bound';
import { resultAt } from '../db/resultColumns';
import { iterateRunPages } from '../db/results';
import {
  type Dataset,
  PAGE_SIZE,
  type Result,
  type ResultPage,
  type ResultPageMeta,
  type Run,
} from '../db/schema';
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
  /**
   * distilabel_metadata as its stored JSON text rather than an object: what a
   * CSV cell holds anyway, so a CSV export never parses it to write it again.
   */
  metadataAsJson?: boolean;
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
  for await (const { page, rows: inputRows, results, meta } of iterateRunPages(run)) {
    options.signal?.throwIfAborted();
    const start = page * PAGE_SIZE;
    if (start >= limit) return;
    const rows: Row[] = [];
    const slots = results?.rowIndex.length ?? 0;
    // Slots are in row then generation order: a row's generations are side by side.
    for (let slot = 0; slot < slots; ) {
      const rowIndex = results!.rowIndex[slot];
      if (rowIndex >= limit) break;
      const generations: StoredGeneration[] = [];
      for (; slot < slots && results!.rowIndex[slot] === rowIndex; slot++) {
        const generation = storedGeneration(results!, slot, meta!, options.metadataAsJson);
        if (kept(generation, options)) generations.push(generation);
      }
      if (generations.length > 0)
        rows.push(...outputRows(inputRows[rowIndex - start], generations, bound.outputs, grouped));
    }
    yield rows;
  }
}

/** The result in a slot of a page, its metadata parsed or left as JSON text. */
function storedGeneration(
  results: ResultPage,
  slot: number,
  meta: ResultPageMeta,
  metadataAsJson = false,
): StoredGeneration {
  if (!metadataAsJson) return resultAt(results, slot, meta);
  const generation: StoredGeneration = resultAt(results, slot);
  generation.metadata = meta.metadataJson[slot];
  return generation;
}

/** Whether an export keeps a generation: not deleted, and rated good when only those are asked for. */
function kept(
  result: Pick<Result, 'regenerating' | 'judgement'>,
  { onlyGood, onLeftOut }: OutputOptions,
): boolean {
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

/**
 * A generation as it leaves the engine: what was read from the answer, or a
 * failure; its metadata as an object, or as JSON text (OutputOptions.metadataAsJson).
 */
export type StoredGeneration = Pick<
  Result,
  'generation' | 'status' | 'outputs' | 'modelName' | 'error' | 'judgement' | 'regenerating'
> & { metadata: Result['metadata'] | string };

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
    ...pickColumns(
      columns,
      g.judgement?.edits ? { ...g.outputs, ...g.judgement.edits } : g.outputs,
    ),
    [judged.rating]: g.judgement?.rating ?? null,
    [judged.comment]: g.judgement?.comment ?? null,
    model_name: g.modelName,
    distilabel_metadata: g.error ? withError(g.metadata, g.error) : g.metadata,
  });
  const rows = generations.map(rowOf);
  if (!groupGenerations || rows.length === 0) return rows;
  const grouped: Row = { ...inputRow };
  for (const column of [...columns, judged.rating, judged.comment])
    grouped[column] = rows.map((r) => r[column]);
  grouped.model_name = rows[0].model_name;
  const metadata = rows.map((r) => r.distilabel_metadata);
  // Metadata given as JSON text (OutputOptions.metadataAsJson) stays text: the list's.
  grouped.distilabel_metadata =
    typeof generations[0].metadata === 'string' ? `[${metadata.join(',')}]` : metadata;
  return [grouped];
}

/** A failed generation's metadata with its error, as an object or as JSON text, as it came. */
function withError(metadata: StoredGeneration['metadata'], error: string) {
  if (typeof metadata !== 'string') return { ...metadata, error };
  return JSON.stringify({ ...JSON.parse(metadata), error });
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
