import Papa, { type ParseError } from 'papaparse';
import type { RowSink } from '../db/datasets';
import { inputError } from '../errors';
import { shortName } from '../names';
import type { Row } from '../task';
import { figure } from './figure';
import { rowOf } from './rows';
import {
  countLineBreaks,
  type NamedBlob,
  type OnChunk,
  readTextChunks,
  type TextChunk,
} from './text';

/**
 * Text handed to papaparse at a time, at least (or the whole file): it guesses
 * the delimiter and the line ending from the first text it gets, and a browser
 * may stream a file in small chunks.
 */
const MIN_CHUNK_CHARS = 64 * 1024;

type Listener = (chunk?: string) => void;

/**
 * Reads a CSV file with a header row into the sink, streaming.
 *
 * We decode the file ourselves (readTextChunks) and hand papaparse the text
 * through a minimal stand-in for a Node readable stream, which papaparse
 * accepts in the browser and in Node alike, so tests run the browser's code
 * path. Papa's own File reader is not used: it decodes each byte slice on its
 * own and so breaks a multi-byte character that straddles two slices. Each
 * 'data' event is parsed synchronously, so after it returns the chunk's rows
 * are ready to store, and the next chunk is read only once they are.
 *
 * Papaparse gives each row as an array and we name its values (rowOf): its
 * own header mode assigns them to a plain object, where a column named
 * __proto__ vanishes. Header names are trimmed; an empty or repeated one is
 * refused, since no name for it would be the person's.
 */
export async function readCSV(
  file: NamedBlob,
  sink: RowSink,
  onChunk: OnChunk,
  delimiter?: string,
): Promise<void> {
  let header: string[] | undefined;
  let rows: Row[] = [];
  let failure: unknown;

  // Line numbers for messages, as a person counts them: the line breaks before
  // offset `countedTo` (a row end) are `breaksBefore`; `pending` is the text
  // from there on. Offsets are papaparse's cursors into the text it was given.
  let headerLine = 1;
  let breaksBefore = 0;
  let countedTo = 0;
  let pending = '';
  let lastRowEnd = 0;

  /** The first and last line of the row that ends at `rowEnd`. */
  function linesOf(values: string[], rowEnd: number, unclosedQuote = false): [number, number] {
    const text = pending.slice(0, rowEnd - countedTo);
    // A row's own line break ends its last line; one inside a quoted value does not.
    const terminated = !unclosedQuote && /[\r\n]$/.test(text);
    const last = breaksBefore + countLineBreaks(text) + (terminated ? 0 : 1);
    return [last - values.reduce((sum, value) => sum + countLineBreaks(value), 0), last];
  }

  /** 'Line 3 of "x.csv"', or the lines of a row that spans several. */
  function where(first: number, last: number): string {
    const lines =
      first === last
        ? `Line ${figure(first)}`
        : `Line ${figure(first)} (a row over lines ${figure(first)}-${figure(last)})`;
    return `${lines} of "${file.name}"`;
  }

  /**
   * A quote papaparse could not read. After text that follows a closing
   * quote (InvalidQuotes) it reads on to the end of the file as if the quote
   * were never closed (MissingQuotes too): the row starts where the problem is.
   */
  function quoteError(values: string[], rowEnd: number, problems: ParseError[]) {
    const [first, last] = linesOf(
      values,
      rowEnd,
      problems.some((e) => e.code === 'MissingQuotes'),
    );
    if (problems[0].code === 'InvalidQuotes') {
      return inputError(
        `Line ${figure(first)} of "${file.name}" has text after the closing quote of a quoted value. A quote inside a quoted value is written twice ("").`,
      );
    }
    return inputError(
      `${where(first, last)} opens a quoted value that is never closed. Add the closing double quote; a quote inside a quoted value is written twice ("").`,
    );
  }

  function countError(values: string[], rowEnd: number, columns: number) {
    return inputError(
      `${where(...linesOf(values, rowEnd))} has ${count(values.length, 'value')}, but the header (line ${figure(headerLine)}) has ${count(columns, 'column')}. ` +
        'Every row needs one value per column: look for a missing or extra delimiter, and put double quotes around values that contain the delimiter.',
    );
  }

  /** The column names of the header row, trimmed, each named and named once. */
  function readHeader(values: string[], rowEnd: number): string[] {
    headerLine = linesOf(values, rowEnd)[0];
    const names = values.map((value) => value.trim());
    const seen = new Set<string>();
    names.forEach((name, index) => {
      if (!name) {
        throw inputError(
          `Column ${figure(index + 1)} in the header (line ${figure(headerLine)}) of "${file.name}" has no name. Name every column in the header, or delete the empty column.`,
        );
      }
      if (seen.has(name)) {
        throw inputError(
          `The header (line ${figure(headerLine)}) of "${file.name}" names the column "${shortName(name)}" twice (columns ${figure(names.indexOf(name) + 1)} and ${figure(index + 1)}). Give each column a different name.`,
        );
      }
      seen.add(name);
    });
    return names;
  }

  const listeners = new Map<string, Listener>();
  const source = {
    readable: true,
    read() {},
    on(event: string, listener: Listener) {
      listeners.set(event, listener);
    },
    removeListener(event: string) {
      listeners.delete(event);
    },
  };

  // Started on the first chunk of text, which decides the line ending (newlineOf).
  let newline: '\n' | undefined;
  const start = () =>
    Papa.parse<string[]>(
      // papaparse streams from any object with readable, read, on and removeListener.
      source as unknown as NodeJS.ReadableStream,
      {
        header: false,
        newline,
        // Values stay text: typing would turn "007" into 7 and "1e3" into 1000, and could
        // give one column numbers in some rows and strings in others.
        dynamicTyping: false,
        skipEmptyLines: 'greedy',
        delimiter,
        delimitersToGuess: [',', ';', '\t', '|'],
        step: ({ data, errors, meta }) => {
          lastRowEnd = meta.cursor;
          if (newline) dropCarriageReturn(data);
          // A one-column file gives papaparse no delimiter to detect: its 'Delimiter' error is no error.
          const quotes = errors.filter((e) => e.type === 'Quotes');
          // papaparse catches these throws and reports them through `error`.
          if (quotes.length > 0) throw quoteError(data, meta.cursor, quotes);
          if (!header) {
            header = readHeader(data, meta.cursor);
            return;
          }
          if (data.length !== header.length) throw countError(data, meta.cursor, header.length);
          rows.push(rowOf(header, data));
        },
        error: (error) => {
          failure ??= error;
        },
      },
    );

  const send = (event: string, text?: string) => {
    listeners.get(event)?.(text);
    if (failure) throw failure;
  };
  let first = true;
  for await (const chunk of joinSmall(readTextChunks(file))) {
    let text = chunk.text;
    if (first) {
      // Blank lines before the header would sway papaparse's guess of the delimiter: skip them, counting them.
      const blank = /^(?:[ \t]*(?:\r\n?|\n))*/.exec(text)?.[0] ?? '';
      breaksBefore = countLineBreaks(blank);
      text = text.slice(blank.length);
      newline = newlineOf(text);
      start();
      first = false;
    }
    pending += text;
    send('data', text);
    await sink.add(rows);
    rows = [];
    const consumed = pending.slice(0, lastRowEnd - countedTo);
    breaksBefore += countLineBreaks(consumed);
    pending = pending.slice(consumed.length);
    countedTo = lastRowEnd;
    onChunk(chunk.bytesRead);
  }
  send('end');
  await sink.add(rows);

  if (!header) {
    throw inputError(`"${file.name}" has no header row: it holds only blank lines.`);
  }
  if (sink.rowCount === 0) {
    throw inputError(
      `"${file.name}" has a header row (line ${figure(headerLine)}) but no data rows below it. Add rows, one per line.`,
    );
  }
}

/**
 * The line ending handed to papaparse. Left to itself it guesses one from the
 * first chunk and keeps it, so a file that mixes \n and \r\n (rows appended
 * by another tool) would keep a \r in the last value of some rows, or join two
 * rows in one. Any \n makes it \n, and each row's last value loses the \r a
 * \r\n leaves (dropCarriageReturn); a file of lone \r (classic Mac) is left to
 * papaparse's guess.
 */
function newlineOf(text: string): '\n' | undefined {
  return text.includes('\n') ? '\n' : undefined;
}

/**
 * Drops the \r that ends a row's last value when the row ended with \r\n.
 * Papaparse already drops it after a closing quote; a quoted last value that
 * itself ends with a \r loses it too, a character no editor shows.
 */
function dropCarriageReturn(values: string[]): void {
  const last = values.length - 1;
  if (values[last]?.endsWith('\r')) values[last] = values[last].slice(0, -1);
}

/** "1 value", "4,999 values". */
function count(n: number, noun: string): string {
  return `${figure(n)} ${noun}${n === 1 ? '' : 's'}`;
}

/** The chunks joined into pieces of at least MIN_CHUNK_CHARS (the last may be shorter). */
async function* joinSmall(chunks: AsyncIterable<TextChunk>): AsyncGenerator<TextChunk> {
  let joined: TextChunk = { text: '', bytesRead: 0 };
  for await (const chunk of chunks) {
    joined = { text: joined.text + chunk.text, bytesRead: chunk.bytesRead };
    if (joined.text.length >= MIN_CHUNK_CHARS) {
      yield joined;
      joined = { text: '', bytesRead: 0 };
    }
  }
  if (joined.text) yield joined;
}
