import type { RowSink } from '../db/datasets';
import { inputError } from '../errors';
import type { Row } from '../task';
import { countLineBreaks, type NamedBlob, type OnChunk, readTextChunks } from './text';

/**
 * Reads a JSON array of objects. JSON.parse needs the whole text, so the file
 * is read into memory once; every item is checked before any row is stored.
 * A .json file of one object per line is read as JSON Lines.
 */
export async function readJSON(file: NamedBlob, sink: RowSink, onChunk: OnChunk): Promise<void> {
  const parts: string[] = [];
  for await (const { text, bytesRead } of readTextChunks(file)) {
    parts.push(text);
    onChunk(bytesRead);
  }
  const text = parts.join('');
  if (!text.trim()) throw inputError(`"${file.name}" is empty.`);

  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // Hugging Face datasets' to_json() writes JSON Lines under a .json name.
    if (firstLineIsObject(text)) return readJSONL(file, sink, onChunk);
    throw inputError(
      `"${file.name}" is not valid JSON (${describeJSONError(error, text)}). Fix the file, or export it again from the tool that made it.`,
    );
  }
  if (!Array.isArray(value)) {
    throw inputError(
      `"${file.name}" holds ${kindOf(value)}, not an array of rows. A .json file must be an array of objects, ` +
        'like [{"instruction": "..."}]; a file with one object per line should be named .jsonl.',
    );
  }
  if (value.length === 0) throw inputError(`"${file.name}" is an empty array: it has no rows.`);
  const bad = value.findIndex((item) => !isObject(item));
  if (bad >= 0) {
    throw inputError(
      `Item ${bad + 1} (index ${bad}) of the array in "${file.name}" is ${kindOf(value[bad])}, not an object. ` +
        'Every item must be an object of column names and values.',
    );
  }
  await sink.add(value);
}

/** Reads JSON Lines: one object per line, blank lines skipped, streamed line by line. */
export async function readJSONL(file: NamedBlob, sink: RowSink, onChunk: OnChunk): Promise<void> {
  let lineNumber = 0;
  let rows: Row[] = [];

  const readLine = (line: string) => {
    lineNumber++;
    const source = line.trim();
    if (!source) return;
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch (error) {
      throw inputError(
        `Line ${lineNumber} of "${file.name}" is not valid JSON (${messageOf(error)}). ` +
          'Each line must hold one JSON object, like {"instruction": "..."}.',
      );
    }
    if (!isObject(value)) {
      throw inputError(
        `Line ${lineNumber} of "${file.name}" is ${kindOf(value)}, not a JSON object. ` +
          'Each line must hold one object of column names and values, like {"instruction": "..."}.',
      );
    }
    rows.push(value);
  };

  // A JSON value cannot hold a raw line break, so splitting on \n never cuts one; trim() drops \r.
  let partial = '';
  for await (const { text, bytesRead } of readTextChunks(file)) {
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) readLine(line);
    await sink.add(rows);
    rows = [];
    onChunk(bytesRead);
  }
  readLine(partial);
  await sink.add(rows);
  if (sink.rowCount === 0) throw inputError(`"${file.name}" has no rows: every line is blank.`);
}

function isObject(value: unknown): value is Row {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function firstLineIsObject(text: string): boolean {
  const start = text.trimStart();
  const end = start.indexOf('\n');
  try {
    return isObject(JSON.parse(end < 0 ? start : start.slice(0, end)));
  } catch {
    return false;
  }
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** The parser's message, with the line when it gives only a character position (V8 does). */
function describeJSONError(error: unknown, text: string): string {
  const message = messageOf(error);
  const position = /at position (\d+)/.exec(message);
  if (!position || /\bline\b/.test(message)) return message;
  return `line ${countLineBreaks(text.slice(0, Number(position[1]))) + 1}: ${message}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
