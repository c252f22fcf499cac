import { byteSize } from '../bytes';
import type { RowSink } from '../db/datasets';
import { inputError } from '../errors';
import type { Row } from '../task';
import { figure } from './figure';
import { MAX_NESTING, NESTED_TOO_DEEP, nestedDeeperThan } from './rows';
import { countLineBreaks, type NamedBlob, type OnChunk, readLines, readTextChunks } from './text';

/**
 * The longest string V8 makes (2^29 - 24 characters), in bytes of the file:
 * UTF-8 takes at least one byte per character, so a file this size or smaller
 * always fits in one string.
 */
const MAX_JSON_BYTES = 2 ** 29 - 24;

/**
 * Reads a JSON array of objects. JSON.parse needs the whole text, so the file
 * is read into memory once; every item is checked before any row is stored.
 * A .json file of one object per line is read as JSON Lines.
 */
export async function readJSON(file: NamedBlob, sink: RowSink, onChunk: OnChunk): Promise<void> {
  if (file.size > MAX_JSON_BYTES) {
    // Checked before reading: joining the text would throw a bare RangeError after a long wait.
    throw inputError(
      `"${file.name}" is too large to read as one JSON array (${byteSize(file.size)}; a browser holds at most ${byteSize(MAX_JSON_BYTES)} of text in one piece). ` +
        "Convert it to JSON Lines (one object per line), for example with jq -c '.[]' file.json > file.jsonl, and import that.",
    );
  }
  const parts: string[] = [];
  for await (const { text, bytesRead } of readTextChunks(file)) {
    parts.push(text);
    onChunk(bytesRead);
  }
  const text = parts.join('');
  if (!text.trim()) throw inputError(`"${file.name}" is empty.`);

  let value: unknown;
  try {
    value = parseJSON(text);
  } catch (error) {
    if (error instanceof RangeError) throw tooDeepToParse(file.name, error);
    // Hugging Face datasets' to_json() writes JSON Lines under a .json name.
    if (firstLineIsObject(text)) return readJSONL(file, sink, onChunk);
    const { reason, line, column } = jsonProblem(error, text);
    throw inputError(
      `${line ? `Line ${figure(line)} of "${file.name}"` : `"${file.name}"`} is not valid JSON: ${reason}${column ? ` (column ${figure(column)})` : ''}. ` +
        'Fix the file, or export it again from the tool that made it.',
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
      `Item ${figure(bad + 1)} (index ${figure(bad)}) of the array in "${file.name}" is ${kindOf(value[bad])}, not an object. ` +
        'Every item must be an object of column names and values.',
    );
  }
  const deep = value.findIndex((item) => nestedDeeperThan(item, MAX_NESTING));
  if (deep >= 0) {
    throw inputError(
      `Item ${figure(deep + 1)} (index ${figure(deep)}) of the array in "${file.name}" holds a value ${NESTED_TOO_DEEP}`,
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
    if (!line.trim()) return;
    const at = `Line ${figure(lineNumber)} of "${file.name}"`;
    let value: unknown;
    try {
      // Parsed as it stands, so the parser's positions are columns of the file's line.
      value = parseJSON(line);
    } catch (error) {
      if (error instanceof RangeError) throw tooDeepToParse(file.name, error);
      const { reason, column } = jsonProblem(error, line);
      throw inputError(
        `${at} is not valid JSON: ${reason}${column ? ` (column ${figure(column)})` : ''}. ` +
          'Each line must hold one JSON object, like {"instruction": "..."}.',
      );
    }
    if (!isObject(value)) {
      throw inputError(
        `${at} is ${kindOf(value)}, not a JSON object. ` +
          'Each line must hold one object of column names and values, like {"instruction": "..."}.',
      );
    }
    if (nestedDeeperThan(value, MAX_NESTING)) {
      throw inputError(`${at} holds a value ${NESTED_TOO_DEEP}`);
    }
    rows.push(value);
  };

  // A JSON value cannot hold a raw line break, so splitting on one never cuts a value.
  for await (const { lines, bytesRead } of readLines(file)) {
    for (const line of lines) readLine(line);
    await sink.add(rows);
    rows = [];
    onChunk(bytesRead);
  }
  if (sink.rowCount === 0) throw inputError(`"${file.name}" has no rows: every line is blank.`);
}

/**
 * JSON.parse, keeping integers too large for a double exactly, as strings of
 * their digits (as Parquet import keeps 64-bit integers): JSON.parse alone
 * would round 12345678901234567890 to 12345678901234567000. Node 20 has no
 * reviver source text (Chrome 114+ does), so such literals are quoted first.
 */
export function parseJSON(text: string): unknown {
  // The cheap test spares the scan in the usual file, which has no such literal.
  const exact = /\d{16}/.test(text) ? quoteLongIntegers(text) : text;
  try {
    return JSON.parse(exact);
  } catch (error) {
    // Quoting moved the positions the parser's message gives: report the file's own.
    if (exact !== text) JSON.parse(text);
    throw error;
  }
}

/**
 * An integer literal of 16 or more digits: not part of a fraction, an exponent
 * or a longer word, and without a leading zero (which JSON forbids, and
 * quoting would hide).
 */
const LONG_INTEGER = /(?<![\w.+-])-?[1-9]\d{15,}(?![\w.])/g;

/**
 * The text with every integer literal beyond Number.MAX_SAFE_INTEGER put in
 * quotes. Only the text between string literals is searched, and strings are
 * skipped quote to quote with indexOf: one regex over whole string literals
 * overflows its stack on a long one.
 */
function quoteLongIntegers(text: string): string {
  const parts: string[] = [];
  let copied = 0;
  for (let from = 0; from < text.length; ) {
    const open = text.indexOf('"', from);
    const outside = open < 0 ? text.length : open;
    const segment = text.slice(from, outside);
    const quoted = segment.replace(LONG_INTEGER, quoteUnsafe);
    if (quoted !== segment) {
      parts.push(text.slice(copied, from), quoted);
      copied = outside;
    }
    from = open < 0 ? text.length : endOfString(text, open);
  }
  if (parts.length === 0) return text;
  parts.push(text.slice(copied));
  return parts.join('');
}

function quoteUnsafe(literal: string): string {
  return Number.isSafeInteger(Number(literal)) ? literal : `"${literal}"`;
}

/** The index just past the quote that closes the string literal opened at `open`. */
function endOfString(text: string, open: number): number {
  for (let at = open + 1; ; ) {
    const quote = text.indexOf('"', at);
    if (quote < 0) return text.length;
    // A quote after an odd number of backslashes is escaped.
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === 92) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    at = quote + 1;
  }
}

function isObject(value: unknown): value is Row {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function firstLineIsObject(text: string): boolean {
  const start = text.trimStart();
  const end = start.indexOf('\n');
  try {
    return isObject(parseJSON(end < 0 ? start : start.slice(0, end)));
  } catch {
    return false;
  }
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * The parser's reason why `text` is not JSON, without its own wording of
 * where, and the line and column in `text` where it gives one. V8 says "at
 * position 12" (newer V8 adds "(line 1 column 13)"), Firefox "at line 1
 * column 13 of the JSON data", Safari nothing.
 */
function jsonProblem(
  error: unknown,
  text: string,
): { reason: string; line?: number; column?: number } {
  const message = error instanceof Error ? error.message : String(error);
  const v8 = /(?: in JSON)? at position (\d+)(?: \(line \d+ column \d+\))?/.exec(message);
  const firefox = / at line (\d+) column (\d+) of the JSON data/.exec(message);
  const reason = message
    .replace(v8?.[0] ?? firefox?.[0] ?? '', '')
    .replace(/^JSON(?:\.parse:| Parse error:) /, '')
    // V8 quotes the text around an unexpected token (its only clue to where), on one line here.
    .replace(/^(Unexpected token .*?), (.*) is not valid JSON$/s, '$1 near $2')
    .replace(/\r\n|\r|\n/g, '\\n');
  const lowered = reason.charAt(0).toLowerCase() + reason.slice(1);
  if (firefox) return { reason: lowered, line: Number(firefox[1]), column: Number(firefox[2]) };
  if (!v8) return { reason: lowered };
  const before = text.slice(0, Number(v8[1]));
  const lineStart = Math.max(before.lastIndexOf('\n'), before.lastIndexOf('\r')) + 1;
  return {
    reason: lowered,
    line: countLineBreaks(before) + 1,
    column: before.length - lineStart + 1,
  };
}

/** JSON.parse ran out of stack: engines whose parser recurses do so on deep nesting. */
function tooDeepToParse(fileName: string, error: RangeError) {
  return inputError(
    `"${fileName}" holds a value nested too deeply for this browser's JSON parser (${error.message}). ` +
      `Retort reads values nested at most ${figure(MAX_NESTING)} levels deep: flatten the value, or store it as a JSON string.`,
  );
}
