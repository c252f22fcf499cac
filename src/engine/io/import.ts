import { importRows } from '../db/datasets';
import type { Dataset } from '../db/schema';
import { inputError } from '../errors';
import { readCSV } from './csv';
import { readJSON, readJSONL } from './json';
import { readParquet } from './parquet';
import type { NamedBlob } from './text';

export type { NamedBlob } from './text';

/** Called after every chunk of the file: rows parsed so far and, for text files, bytes read. */
export type ImportProgress = (rowsSoFar: number, bytesSoFar?: number) => void;

/** The reader of each file extension. */
export const readers = {
  csv: readCSV,
  tsv: (file, sink, onChunk) => readCSV(file, sink, onChunk, '\t'),
  json: readJSON,
  jsonl: readJSONL,
  ndjson: readJSONL,
  parquet: readParquet,
} satisfies Record<string, typeof readCSV>;

/**
 * Imports a CSV, TSV, JSON, JSON Lines or Parquet file (chosen by its
 * extension) as a new dataset. Runs in the engine worker and in Node: no DOM.
 * On any error nothing is stored, and the error is an input error that says
 * what is wrong, where, and what to do; a cancelled import (`signal`) stores nothing either.
 */
export async function importFile(
  file: NamedBlob,
  onProgress?: ImportProgress,
  signal?: AbortSignal,
): Promise<Dataset> {
  const dot = file.name.lastIndexOf('.');
  const extension = dot > 0 ? file.name.slice(dot + 1).toLowerCase() : '';
  if (!Object.hasOwn(readers, extension)) {
    throw inputError(
      `Retort cannot import "${file.name}". Choose a CSV (.csv, .tsv), JSON (.json), JSON Lines (.jsonl, .ndjson) or Parquet (.parquet) file.`,
    );
  }
  if (file.size === 0) throw inputError(`"${file.name}" is empty.`);
  const read = readers[extension as keyof typeof readers];
  const dataset = await importRows(
    { name: file.name.slice(0, dot), source: file.name },
    (sink) => read(file, sink, (bytesRead) => onProgress?.(sink.rowCount, bytesRead)),
    signal,
  );
  onProgress?.(dataset.rowCount, file.size);
  return dataset;
}
