import { type BasicType, ByteWriter, parquetWriteRows } from 'hyparquet-writer';
import { slug } from '../names';
import { cell, type Row } from '../task';
import { type FileSink, openFileSink } from './fileSink';

/**
 * Exports turn an async iterable of row batches (a page at a time) into a
 * file written a piece at a time to a FileSink (on disk where the browser
 * allows), so a million rows never sit in memory as rows or as one string.
 * Each row's cells are read by `columns`, in that order; a missing cell is null.
 */

export type ExportFormat = 'csv' | 'jsonl' | 'parquet';

/** Opens a fresh pass over the rows; Parquet reads them twice (types, then data). */
export type RowBatches = () => AsyncIterable<Row[]>;

/** Hears how many rows are written so far, after each batch. */
export type RowsWritten = (count: number) => void;

/**
 * RFC 4180's line end. Excel, pandas and our own import
 * read it; a line break inside a value is kept as it is, in quotes.
 */
const CSV_NEWLINE = '\r\n';

/**
 * Rows per Parquet row group: the writer holds one group in memory, so this is
 * kept well under hyparquet-writer's default of 100,000 for long generations.
 */
const ROW_GROUP_SIZE = 10_000;

const MIME_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv;charset=utf-8',
  jsonl: 'application/x-ndjson;charset=utf-8',
  parquet: 'application/vnd.apache.parquet',
};

/** Writes the rows to the sink in one format. */
type FormatWriter = (
  rows: RowBatches,
  columns: string[],
  sink: FileSink,
  onRows?: RowsWritten,
) => Promise<void>;

const WRITERS: Record<ExportFormat, FormatWriter> = {
  csv: exportCSV,
  jsonl: exportJSONL,
  parquet: exportParquet,
};

/**
 * The rows in the format, with a file name like `<dataset>-<task>.csv`;
 * `onRows` hears the running count of rows written.
 */
export async function exportRows(
  format: ExportFormat,
  rows: RowBatches,
  columns: string[],
  names: { datasetName: string; taskId: string },
  onRows?: RowsWritten,
): Promise<{ file: Blob; fileName: string }> {
  const fileName = exportFileName(names.datasetName, names.taskId, format);
  const sink = await openFileSink(fileName);
  try {
    await WRITERS[format](rows, columns, sink, onRows);
  } catch (error) {
    await sink.discard();
    throw error;
  }
  return { file: await sink.close(MIME_TYPES[format]), fileName };
}

/**
 * CSV with a header row. Lists and objects (a grouped generation, the
 * distilabel_metadata column) are written as JSON text; null is an empty cell.
 */
async function exportCSV(
  rows: RowBatches,
  columns: string[],
  sink: FileSink,
  onRows?: RowsWritten,
): Promise<void> {
  sink.write(csvLine(columns.map(csvField)));
  for await (const batch of counted(rows(), onRows)) {
    const lines = batch.map((row) => csvLine(columns.map((column) => csvField(cell(row, column)))));
    // Joined, not appended: the encoder then reads one flat string.
    sink.write(lines.join(''));
  }
}

/**
 * A field needs quotes when it holds a comma, a quote, a line break or a byte
 * order mark, or starts or ends with a space: papaparse's rule, so files read
 * as they did when Papa.unparse wrote them. Our own writer because unparse
 * took most of a million-row export's time (bench/importExport.bench.ts).
 */
const NEEDS_QUOTES = /[",\r\n\ufeff]|^ | $/;
const QUOTE = /"/g;

function csvLine(fields: string[]): string {
  return fields.join(',') + CSV_NEWLINE;
}

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(QUOTE, '""')}"` : text;
}

/** JSON Lines: one object per line, values as they are, keys in column order. */
async function exportJSONL(
  rows: RowBatches,
  columns: string[],
  sink: FileSink,
  onRows?: RowsWritten,
): Promise<void> {
  for await (const batch of counted(rows(), onRows)) {
    sink.write(batch.map((row) => `${JSON.stringify(pick(row, columns))}\n`).join(''));
  }
}

/** The batches, telling `onRows` the running row count as each one is written. */
async function* counted(
  batches: AsyncIterable<Row[]>,
  onRows: RowsWritten | undefined,
): AsyncGenerator<Row[]> {
  let count = 0;
  for await (const batch of batches) {
    yield batch;
    // Resumed when the writer asks for the next batch, so this one is written.
    count += batch.length;
    onRows?.(count);
  }
}

/**
 * Parquet, written a row group at a time. A first pass over the rows types
 * each column: only strings -> STRING, only booleans -> BOOLEAN, only integers
 * that fit 32 bits -> INT32, other numbers -> DOUBLE; lists, objects and
 * columns that mix kinds -> JSON (UTF-8 JSON text, which hyparquet and pyarrow
 * read back; pandas sees a string). A column with only nulls is STRING.
 *
 * A run still producing results can give a column, between the passes, a value
 * its type cannot hold (a number in a column typed from nulls, a fraction in
 * an INT32 one). The file is then written again with that column's type
 * widened; types only widen, so this ends. Rows are counted as they are
 * written, not while typed, and afresh in each writing pass.
 */
async function exportParquet(
  rows: RowBatches,
  columns: string[],
  sink: FileSink,
  onRows?: RowsWritten,
): Promise<void> {
  const kinds = new Map<string, Kind>();
  for await (const batch of rows()) {
    for (const row of batch) {
      for (const column of columns) {
        const kind = kindOf(cell(row, column));
        if (kind) kinds.set(column, mergeKinds(kinds.get(column), kind));
      }
    }
  }
  for (;;) {
    try {
      return await writeParquet(counted(rows(), onRows), columns, kinds, sink);
    } catch (error) {
      if (!(error instanceof Misfit)) throw error;
      kinds.set(error.column, mergeKinds(kinds.get(error.column), error.kind));
      sink.reset();
    }
  }
}

/** A value its column's Parquet type cannot hold, met while writing. */
class Misfit extends Error {
  constructor(
    readonly column: string,
    readonly kind: Kind,
  ) {
    super(`The column "${column}" got a value of another type while it was written.`);
  }
}

async function writeParquet(
  batches: AsyncIterable<Row[]>,
  columns: string[],
  kinds: ReadonlyMap<string, Kind>,
  sink: FileSink,
): Promise<void> {
  await parquetWriteRows({
    writer: new SinkWriter(sink),
    columns: columns.map((name) => ({ name, type: PARQUET_TYPES[kinds.get(name) ?? 'string'] })),
    rows: checked(picked(batches, columns), columns, kinds),
    rowGroupSize: ROW_GROUP_SIZE,
  });
}

/** The rows, stopping at the first value its column's type cannot hold (Misfit). */
async function* checked(
  rows: AsyncIterable<Row>,
  columns: string[],
  kinds: ReadonlyMap<string, Kind>,
): AsyncGenerator<Row> {
  for await (const row of rows) {
    for (const column of columns) {
      const kind = kindOf(cell(row, column));
      const typed = kinds.get(column);
      // A column typed from nulls alone is written as STRING.
      const fits = typed ? mergeKinds(typed, kind ?? typed) === typed : !kind || kind === 'string';
      if (!fits) throw new Misfit(column, kind!);
    }
    yield row;
  }
}

type Kind = 'string' | 'boolean' | 'int32' | 'double' | 'json';

const PARQUET_TYPES: Record<Kind, BasicType> = {
  string: 'STRING',
  boolean: 'BOOLEAN',
  int32: 'INT32',
  double: 'DOUBLE',
  json: 'JSON',
};

function kindOf(value: unknown): Kind | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return value === (value | 0) ? 'int32' : 'double';
  return 'json';
}

function mergeKinds(a: Kind | undefined, b: Kind): Kind {
  if (!a || a === b) return b;
  const numbers = ['int32', 'double'];
  return numbers.includes(a) && numbers.includes(b) ? 'double' : 'json';
}

async function* picked(batches: AsyncIterable<Row[]>, columns: string[]): AsyncGenerator<Row> {
  for await (const rows of batches) {
    for (const row of rows) yield pick(row, columns);
  }
}

function pick(row: Row, columns: string[]): Row {
  return Object.fromEntries(columns.map((column) => [column, cell(row, column) ?? null]));
}

/** `<dataset>-<task>.<ext>`, each part lower-cased, with runs of anything but letters and digits as one dash. */
export function exportFileName(datasetName: string, taskId: string, ext: ExportFormat): string {
  return `${slug(datasetName) || 'dataset'}-${slug(taskId) || 'task'}.${ext}`;
}

/** A Parquet writer that hands its bytes to the sink after every row group. */
class SinkWriter extends ByteWriter {
  constructor(private readonly sink: FileSink) {
    super();
  }

  // ParquetWriter calls flush() after each row group; file offsets live in `offset`, not `index`.
  flush(): void {
    this.sink.write(this.getBytes());
    this.index = 0;
  }

  finish(): void {
    this.flush();
  }
}
