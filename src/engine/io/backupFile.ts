import {
  type BackupProgress,
  damaged,
  endsEarly,
  type NumberedLine,
  notBackup,
  type RestoreSummary,
  restoreBackup,
  writeBackup,
} from '../db/backup';
import { inputError, storageError } from '../errors';
import { decodeLine, encodeLine } from './backupCodec';
import { openFileSink } from './fileSink';
import type { NamedBlob } from './text';

/**
 * A backup file is JSON Lines (db/backup.ts says which lines), written a
 * batch of records at a time to a file sink, so a million rows never sit in
 * memory as one string. A restore streams it back a chunk at a time, and reads
 * it gzipped too (a person may compress a large backup).
 */

const MIME_TYPE = 'application/x-ndjson;charset=utf-8';

/** Everything stored, as one file named for today: "retort-backup-2025-05-01.jsonl". */
export async function backUp(
  onProgress?: BackupProgress,
  signal?: AbortSignal,
): Promise<{ file: Blob; fileName: string }> {
  const fileName = `retort-backup-${new Date().toISOString().slice(0, 10)}.jsonl`;
  const sink = await openFileSink(fileName);
  const write = (text: string) => {
    try {
      sink.write(text);
    } catch (error) {
      // Only the file's writes are storage errors: it takes space from the same quota as the data.
      throw storageError(error, 'the backup file', 'back up again');
    }
  };
  try {
    await writeBackup((lines) => write(lines.map(encodeLine).join('')), onProgress, signal);
  } catch (error) {
    await sink.discard();
    throw error;
  }
  return { file: await sink.close(MIME_TYPE), fileName };
}

/** Restores a backup file; `onProgress` hears the bytes of it read so far. */
export function restore(
  file: NamedBlob,
  onProgress?: BackupProgress,
  signal?: AbortSignal,
): Promise<RestoreSummary> {
  return restoreBackup(file.name, backupLines(file, onProgress), signal);
}

/** The file's lines, decoded, with their numbers; blank lines are skipped. */
async function* backupLines(
  file: NamedBlob,
  onProgress?: BackupProgress,
): AsyncGenerator<NumberedLine> {
  for await (const { number, text, complete } of textLines(file, onProgress)) {
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = decodeLine(text);
    } catch (error) {
      if (number === 1) throw notBackup(file.name);
      // A last line without its line break is what a cut leaves.
      if (!complete) throw endsEarly(file.name);
      throw damaged(file.name, number, error instanceof Error ? error.message : String(error));
    }
    yield { number, value };
  }
}

interface TextLine {
  number: number;
  text: string;
  /** False for a last line with no line break. */
  complete: boolean;
}

/**
 * The file's text, line by line, as its bytes stream in: only the new text
 * is searched for line breaks, so a line of many megabytes costs no more
 * than its length.
 */
async function* textLines(file: NamedBlob, onProgress?: BackupProgress): AsyncGenerator<TextLine> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let number = 1;
  let parts: string[] = [];
  const decode = (bytes?: Uint8Array) => {
    try {
      return bytes ? decoder.decode(bytes, { stream: true }) : decoder.decode();
    } catch {
      // A character cut in two at the very end is a cut; elsewhere, bytes that are not text.
      if (!bytes) throw endsEarly(file.name);
      throw number === 1
        ? notBackup(file.name)
        : damaged(file.name, number, 'it is not UTF-8 text');
    }
  };
  for await (const bytes of byteChunks(file, onProgress)) {
    const text = decode(bytes);
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      parts.push(text.slice(start, end));
      yield { number: number++, text: parts.join(''), complete: true };
      parts = [];
      start = end + 1;
    }
    parts.push(text.slice(start));
  }
  parts.push(decode());
  const last = parts.join('');
  if (last) yield { number, text: last, complete: false };
}

/** The file's bytes, gunzipped when it is gzip; progress counts the file's own bytes. */
async function* byteChunks(
  file: NamedBlob,
  onProgress?: BackupProgress,
): AsyncGenerator<Uint8Array> {
  const gzip = await isGzip(file);
  let read = 0;
  const counted = file.stream().pipeThrough(
    new TransformStream<Uint8Array<ArrayBuffer>, Uint8Array<ArrayBuffer>>({
      transform(chunk, output) {
        read += chunk.byteLength;
        output.enqueue(chunk);
      },
    }),
  );
  const reader = (
    gzip ? counted.pipeThrough(new DecompressionStream('gzip')) : counted
  ).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read().catch((error: unknown) => {
        // Only gunzipping fails while a file is read: a gzip stream cut short, or not gzip at all.
        throw gzipError(file.name, error);
      });
      if (done) return;
      yield value;
      onProgress?.(read, file.size);
    }
  } finally {
    // Stops reading when the restore gives up early; a finished or failed stream ignores it.
    reader.cancel().catch(() => {});
  }
}

async function isGzip(file: Blob): Promise<boolean> {
  const magic = new Uint8Array(await file.slice(0, 2).arrayBuffer());
  return magic[0] === 0x1f && magic[1] === 0x8b;
}

function gzipError(fileName: string, error: unknown) {
  const reason = error instanceof Error ? error.message : String(error);
  return inputError(
    `"${fileName}" is gzipped, but its gzip data cannot be read (${reason}): it is cut short or damaged, so nothing was restored. ` +
      'Restore another copy of the backup, or back up again where the data is.',
  );
}
