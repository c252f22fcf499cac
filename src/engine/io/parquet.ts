import {
  type AsyncBuffer,
  cachedAsyncBuffer,
  type FileMetaData,
  parquetMetadataAsync,
  parquetRead,
  parquetSchema,
} from 'hyparquet';
import type { RowSink } from '../db/datasets';
import { EngineError, inputError } from '../errors';
import { listNames, shortName } from '../names';
import type { Row } from '../task';
import { figure } from './figure';
import { MAX_NESTING, NESTED_TOO_DEEP, nestedDeeperThan, rowOf } from './rows';
import type { NamedBlob, OnChunk } from './text';

/** What messages need of a file: its name. */
type Named = { name: string };

/**
 * Rows decoded at a time. pyarrow writes row groups of up to a million rows,
 * too many to hold as objects at once, so a group is read a slice at a time.
 */
const SLICE_ROWS = 50_000;

/** A Parquet file by name (for messages) and its bytes, local or behind HTTP range requests. */
export interface ParquetSource {
  name: string;
  buffer: AsyncBuffer;
}

export interface ParquetReadOptions {
  /** Rows to read at most, from the first: only the row groups that hold them are fetched. */
  rowLimit?: number;
  /** Bytes read from the end at first for the footer (hyparquet's default: 512 KB). */
  initialFetchSize?: number;
}

/**
 * Reads a Parquet file a slice of rows at a time; hyparquet fetches only the
 * byte ranges it needs, through blob.slice(), so the file is never read whole.
 */
export function readParquet(file: NamedBlob, sink: RowSink, onChunk: OnChunk): Promise<void> {
  const buffer: AsyncBuffer = {
    byteLength: file.size,
    slice: (start, end) => file.slice(start, end).arrayBuffer(),
  };
  return readParquetSource({ name: file.name, buffer }, sink, onChunk);
}

/**
 * Reads the rows of a Parquet source into the sink, a slice at a time, up to
 * `rowLimit`. Rows come as arrays and are named from the schema (rowOf):
 * hyparquet's own row objects are assigned to, where a column named __proto__ vanishes.
 */
export async function readParquetSource(
  file: ParquetSource,
  sink: RowSink,
  onChunk: OnChunk,
  { rowLimit = Infinity, initialFetchSize }: ParquetReadOptions = {},
): Promise<void> {
  const { buffer } = file;
  const metadata = await unreadable(file, () => parquetMetadataAsync(buffer, { initialFetchSize }));
  const names = columnNames(file, metadata);
  const lastRow = Math.min(Number(metadata.num_rows), rowLimit);
  let groupStart = 0;
  for (const group of metadata.row_groups) {
    if (groupStart >= lastRow) break;
    const groupEnd = Math.min(groupStart + Number(group.num_rows), lastRow);
    // Every slice of a group reads the same column chunks (or, with a page
    // index, some of their pages): they are fetched once per group, and let go after it.
    const groupBuffer = cachedAsyncBuffer(buffer);
    for (let rowStart = groupStart; rowStart < groupEnd; rowStart += SLICE_ROWS) {
      const rowEnd = Math.min(rowStart + SLICE_ROWS, groupEnd);
      const rows = await readSlice(file, groupBuffer, metadata, names, rowStart, rowEnd);
      await sink.add(rows.map((values, i) => rowFrom(file, names, values, rowStart + i)));
      onChunk();
    }
    groupStart = groupEnd;
  }
  if (sink.rowCount === 0) throw inputError(`"${file.name}" has no rows.`);
}

/** The top-level column names, each once: rows are keyed by them. */
function columnNames(file: Named, metadata: FileMetaData): string[] {
  const names = parquetSchema(metadata).children.map((child) => child.element.name);
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const name of names) (seen.has(name) ? repeated : seen).add(name);
  if (repeated.size > 0) {
    const [first] = repeated;
    throw inputError(
      `"${file.name}" names ${repeated.size === 1 ? `the column "${shortName(first)}"` : `the columns ${listNames([...repeated])}`} more than once. ` +
        'Give each column a different name (in pandas: df.columns) and write the file again.',
    );
  }
  return names;
}

/** Rows [rowStart, rowEnd) as arrays of values, in the order of `names`. */
async function readSlice(
  file: Named,
  buffer: AsyncBuffer,
  metadata: FileMetaData,
  names: string[],
  rowStart: number,
  rowEnd: number,
): Promise<unknown[][]> {
  let rows: unknown[][] = [];
  await unreadable(file, () =>
    parquetRead({
      file: buffer,
      metadata,
      columns: names,
      rowStart,
      rowEnd,
      useOffsetIndex: true,
      onComplete: (read) => {
        rows = read;
      },
    }),
  );
  return rows;
}

/** Row `index` (from 0) of the file, refused if a value could be neither stored nor shown (MAX_NESTING). */
function rowFrom(file: Named, names: string[], values: unknown[], index: number): Row {
  // The row is the first level.
  const column = values.findIndex((value) => nestedDeeperThan(value, MAX_NESTING - 1));
  if (column >= 0) {
    throw inputError(
      `Row ${figure(index + 1)} of "${file.name}" holds a value in the column "${shortName(names[column])}" ${NESTED_TOO_DEEP}`,
    );
  }
  return rowOf(names, values.map(plainValue));
}

/**
 * hyparquet's errors (bad footer, unsupported codec...) as an input error naming
 * the file. A fetch's own failure (an EngineError) or a cancel is no fault of the file's.
 */
async function unreadable<T>(file: Named, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (EngineError.isInstance(error) || isAbort(error)) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw inputError(
      `"${file.name}" could not be read as Parquet (${reason}). Check that it is a Parquet file, or export it again as CSV or JSON Lines.`,
    );
  }
}

/**
 * Values as JSON and IndexedDB take them: a 64-bit integer becomes a number
 * when it fits exactly, else a string of its digits; a date becomes ISO text.
 */
function plainValue(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  }
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plainValue);
  if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plainValue(item)]));
  }
  return value;
}

function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}
