import {
  type AsyncBuffer,
  cachedAsyncBuffer,
  parquetMetadataAsync,
  parquetReadObjects,
} from 'hyparquet';
import type { RowSink } from '../db/datasets';
import { inputError } from '../errors';
import type { Row } from '../task';
import type { NamedBlob, OnChunk } from './text';

/**
 * Rows decoded at a time. pyarrow writes row groups of up to a million rows,
 * too many to hold as objects at once, so a group is read a slice at a time.
 */
const SLICE_ROWS = 50_000;

/**
 * Reads a Parquet file a slice of rows at a time; hyparquet fetches only the
 * byte ranges it needs, through blob.slice(), so the file is never read whole.
 */
export async function readParquet(file: NamedBlob, sink: RowSink, onChunk: OnChunk): Promise<void> {
  const buffer: AsyncBuffer = {
    byteLength: file.size,
    slice: (start, end) => file.slice(start, end).arrayBuffer(),
  };
  const metadata = await unreadable(file, () => parquetMetadataAsync(buffer));
  let groupStart = 0;
  for (const group of metadata.row_groups) {
    const groupEnd = groupStart + Number(group.num_rows);
    // Every slice of a group reads the same column chunks (or, with a page
    // index, some of their pages): they are fetched once per group, and let go after it.
    const groupBuffer = cachedAsyncBuffer(buffer);
    for (let rowStart = groupStart; rowStart < groupEnd; rowStart += SLICE_ROWS) {
      const rowEnd = Math.min(rowStart + SLICE_ROWS, groupEnd);
      const rows = await unreadable(file, () =>
        parquetReadObjects({
          file: groupBuffer,
          metadata,
          rowStart,
          rowEnd,
          useOffsetIndex: true,
        }),
      );
      await sink.add(rows.map((row) => plainValue(row) as Row));
      onChunk();
    }
    groupStart = groupEnd;
  }
  if (sink.rowCount === 0) throw inputError(`"${file.name}" has no rows.`);
}

/** hyparquet's errors (bad footer, unsupported codec...) as an input error naming the file. */
async function unreadable<T>(file: NamedBlob, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
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
