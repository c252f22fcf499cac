import { inputError } from '../errors';
import { figure } from './figure';

/** The encodings a text file is read in: UTF-8, or UTF-16 when its byte order mark says so. */
export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/** Bytes looked at before reading: enough for any signature and a fair share of NUL bytes. */
const HEAD_BYTES = 4096;

/**
 * NUL bytes in the head beyond this share make a file UTF-16 or UTF-32
 * without a byte order mark (every other or three in four bytes of ASCII
 * text), or binary. A NUL or two in text are data and import as such.
 */
const MOST_NUL_SHARE = 0.25;

const SPREADSHEET = 'Save it from the spreadsheet as "CSV UTF-8" and import that.';
const COMPRESSED = 'Decompress it and import the file inside.';
const NOT_ROWS = 'Import a CSV, TSV, JSON or JSON Lines file saved as UTF-8, or a Parquet file.';

/**
 * What a file's first bytes say it is, when they say it is no text of rows.
 * A signature is a string of byte values: each character's code is one byte.
 */
const SIGNATURES: { signature: string; what: string; advice: string }[] = [
  { signature: '\x89PNG\r\n\x1a\n', what: 'a PNG image', advice: NOT_ROWS },
  { signature: '\xff\xd8\xff', what: 'a JPEG image', advice: NOT_ROWS },
  { signature: 'GIF8', what: 'a GIF image', advice: NOT_ROWS },
  { signature: '%PDF-', what: 'a PDF document', advice: NOT_ROWS },
  {
    signature: 'PK\x03\x04',
    what: 'a ZIP archive (an .xlsx or .ods workbook is one)',
    advice: `If it is a workbook: ${SPREADSHEET} Otherwise: ${COMPRESSED}`,
  },
  {
    signature: '\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1',
    what: 'an Office document (an .xls workbook is one)',
    advice: SPREADSHEET,
  },
  { signature: '\x1f\x8b', what: 'gzip-compressed', advice: COMPRESSED },
  { signature: '\x28\xb5\x2f\xfd', what: 'Zstandard-compressed', advice: COMPRESSED },
  { signature: '\xfd7zXZ\x00', what: 'xz-compressed', advice: COMPRESSED },
  { signature: "7z\xbc\xaf'\x1c", what: 'a 7-Zip archive', advice: COMPRESSED },
  {
    signature: 'PAR1',
    what: 'a Parquet file',
    advice: 'Give it the .parquet extension and import it again.',
  },
  {
    signature: 'ARROW1',
    what: 'an Arrow file',
    advice: 'Save it as Parquet or CSV and import that.',
  },
  {
    signature: 'SQLite format 3\x00',
    what: 'an SQLite database',
    advice: 'Export a table as CSV and import that.',
  },
  {
    signature: 'GGUF',
    what: 'a GGUF model file',
    advice: 'Choose it as the Model file of the llama.cpp provider; import a file of rows here.',
  },
];

/**
 * The encoding to read `file` in, from its first bytes: UTF-16 by its byte
 * order mark, UTF-8 otherwise. Refuses what is clearly no UTF-8 or UTF-16
 * text (a known binary signature, UTF-32, mostly NUL bytes), each by name.
 */
export async function sniffEncoding(file: Blob & { name: string }): Promise<TextEncoding> {
  const head = new Uint8Array(await file.slice(0, HEAD_BYTES).arrayBuffer());
  if (startsWith(head, '\xff\xfe\x00\x00') || startsWith(head, '\x00\x00\xfe\xff')) {
    throw inputError(
      `"${file.name}" is UTF-32 text (its byte order mark says so), which a browser cannot read. ` +
        'Save it as UTF-8 (in a text editor: Save As, encoding UTF-8) and import it again.',
    );
  }
  if (startsWith(head, '\xff\xfe')) return 'utf-16le';
  if (startsWith(head, '\xfe\xff')) return 'utf-16be';
  const known = SIGNATURES.find(({ signature }) => startsWith(head, signature));
  if (known) throw inputError(`"${file.name}" is ${known.what}, not text. ${known.advice}`);
  const nuls = head.reduce((count, byte) => count + (byte === 0 ? 1 : 0), 0);
  if (nuls > head.length * MOST_NUL_SHARE) {
    throw inputError(
      `"${file.name}" is not UTF-8 text: ${figure(nuls)} of its first ${figure(head.length)} bytes are NUL, ` +
        'as in UTF-16 or UTF-32 text saved without a byte order mark, or in binary data. ' +
        'Save it as UTF-8 (in Excel: "CSV UTF-8") and import it again.',
    );
  }
  return 'utf-8';
}

/** Whether `bytes` begins with `prefix`, a string of byte values. */
function startsWith(bytes: Uint8Array, prefix: string): boolean {
  if (prefix.length > bytes.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix.charCodeAt(i)) return false;
  return true;
}
