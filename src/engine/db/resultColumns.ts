import type { FinishReason } from '../llm/types';
import type { Result, ResultPage, ResultPageMeta } from './schema';

/**
 * A page of results is stored as columns: typed arrays for the numbers and
 * flags, one array per output column, and the heavy metadata (raw input and
 * output), one array per key, in a record of its own. IndexedDB hands back a million small
 * objects slowly and a few arrays fast, and the grid, searches and charts
 * never need the metadata. Slot i of every array is one result.
 */

/** The columns of a page's results, in row then generation order. */
export function encodePage(runId: string, page: number, results: readonly Result[]) {
  const n = results.length;
  const columns: ResultPage = {
    runId,
    page,
    rowIndex: new Int32Array(n),
    generation: new Int32Array(n),
    failed: new Uint8Array(n),
    formatFailed: new Uint8Array(n),
    promptShared: new Uint8Array(n),
    at: new Float64Array(n),
    inputTokens: new Int32Array(n),
    outputTokens: new Int32Array(n),
    modelName: [],
    error: [],
    finishReason: [],
    outputs: plainRecord(),
    judgement: [],
    regenerating: new Uint8Array(n),
  };
  const meta: ResultPageMeta = { runId, page, metadataJson: [], history: [] };
  results.forEach((result, i) => {
    const tokens = tokensOf(result);
    columns.rowIndex[i] = result.rowIndex;
    columns.generation[i] = result.generation;
    columns.failed[i] = result.status === 'done' ? 0 : result.lasting ? 2 : 1;
    columns.formatFailed[i] = result.formatFailed ? 1 : 0;
    columns.promptShared[i] = result.promptShared ? 1 : 0;
    columns.at[i] = result.at ?? Number.NaN;
    columns.inputTokens[i] = tokens.input;
    columns.outputTokens[i] = tokens.output;
    columns.modelName.push(result.modelName);
    columns.error.push(result.error ?? null);
    columns.finishReason.push(result.finishReason ?? null);
    columns.judgement.push(result.judgement ?? null);
    columns.regenerating[i] = result.regenerating ? 1 : 0;
    meta.history.push(result.history ?? null);
    meta.metadataJson.push(JSON.stringify(result.metadata));
    for (const [column, value] of Object.entries(result.outputs)) {
      // undefined where a result has no such output (a failed one), null where it read nothing.
      columns.outputs[column] ??= new Array(n).fill(undefined);
      columns.outputs[column][i] = value;
    }
  });
  return { columns, meta };
}

/** The results of a page as objects: with their metadata when it was read. */
export function decodePage(columns: ResultPage, meta?: ResultPageMeta): Result[] {
  return Array.from({ length: columns.rowIndex.length }, (_, i) => resultAt(columns, i, meta));
}

export function resultAt(columns: ResultPage, i: number, meta?: ResultPageMeta): Result {
  const outputs = plainRecord<unknown>();
  // for...in, not Object.entries: this runs once a result, a million times for an export.
  for (const column in columns.outputs) {
    const value = columns.outputs[column][i];
    if (value !== undefined) outputs[column] = value;
  }
  const result: Result = {
    runId: columns.runId,
    rowIndex: columns.rowIndex[i],
    generation: columns.generation[i],
    status: columns.failed[i] ? 'failed' : 'done',
    formatFailed: columns.formatFailed[i] === 1,
    outputs,
    modelName: columns.modelName[i],
    metadata: meta ? JSON.parse(meta.metadataJson[i]) : plainRecord(),
  };
  if (columns.error[i] !== null) result.error = columns.error[i]!;
  if (columns.failed[i] === 2) result.lasting = true;
  if (columns.finishReason[i]) result.finishReason = columns.finishReason[i] as FinishReason;
  if (!Number.isNaN(columns.at[i])) result.at = columns.at[i];
  if (columns.promptShared[i]) result.promptShared = true;
  if (columns.judgement[i]) result.judgement = columns.judgement[i]!;
  if (columns.regenerating[i]) result.regenerating = true;
  if (meta?.history[i]) result.history = meta.history[i]!;
  return result;
}

/** A page's metadata as version 2 of the schema stored it: a column per key. */
interface ResultPageMetaVersion2 {
  runId: string;
  page: number;
  /** Metadata key -> its value in each slot (undefined where a result has none). */
  metadata: Record<string, unknown[]>;
  history: (Result['history'] | null)[];
}

/**
 * A page's metadata as version 3 stores it, from a record of either version:
 * the schema's upgrade and a restored backup of version 2 both read it.
 */
export function metaOfVersion3(meta: ResultPageMetaVersion2 | ResultPageMeta): ResultPageMeta {
  if ('metadataJson' in meta) return meta;
  const { metadata, ...rest } = meta;
  const metadataJson = meta.history.map((_, i) => {
    const fields = plainRecord<unknown>();
    for (const [key, values] of Object.entries(metadata))
      if (values[i] !== undefined) fields[key] = values[i];
    return JSON.stringify(fields);
  });
  return { ...rest, metadataJson };
}

/** A result's token counts, from the statistics distilabel_metadata keeps. */
export function tokensOf(result: Pick<Result, 'metadata'>): { input: number; output: number } {
  for (const [key, value] of Object.entries(result.metadata)) {
    if (key.startsWith('statistics_') && value && typeof value === 'object') {
      const s = value as { input_tokens?: number; output_tokens?: number };
      return { input: s.input_tokens ?? 0, output: s.output_tokens ?? 0 };
    }
  }
  return { input: 0, output: 0 };
}

/**
 * An object keyed by names a person chose (output columns, metadata keys)
 * with no prototype: a name like `constructor` or `__proto__` is a key like any other.
 */
function plainRecord<T>(): Record<string, T> {
  return Object.create(null);
}
