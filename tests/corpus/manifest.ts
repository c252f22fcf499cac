import type { Row } from '../../src/engine/task';

/**
 * What importing a corpus file must do: store exactly these columns and rows
 * (own keys in this order, these values), store this many rows of which some
 * are given by index, or refuse with a message that matches.
 */
export type Expected = { why: string } & (
  | { columns: string[]; rows: Row[] }
  | { columns: string[]; rowCount: number; some: Record<number, Row> }
  | { refused: RegExp }
);

/** Rows written as JSON: a key such as __proto__ stays an own key, as in an imported row. */
const json = (text: string): Row[] => JSON.parse(text);

const ten = Array.from({ length: 10 }, (_, i) => i);

const UTF8_ADVICE = /Windows-1252.*save it as UTF-8 \(in Excel: "CSV UTF-8"\)/;
const unreadable = (name: string) => new RegExp(`^"${name}" could not be read as Parquet \\(`);
const unknownKind = (name: string) =>
  new RegExp(`^Retort cannot import "${name}"\\. Choose a CSV \\(\\.csv, \\.tsv\\), JSON`);

/** Every file in tests/corpus/files/, by name. make-files.mjs writes those that are bytes. */
export const manifest: Record<string, Expected> = {
  // Column names an object would mishandle, in every format.
  'proto-keys.csv': {
    why: 'header names that are members of Object.prototype, __proto__ first',
    columns: ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'],
    rows: json(`[
      {"__proto__": "p0", "constructor": "c0", "prototype": "x0", "toString": "t0", "hasOwnProperty": "h0", "valueOf": "v0"},
      {"__proto__": "p1", "constructor": "c1", "prototype": "x1", "toString": "t1", "hasOwnProperty": "h1", "valueOf": "v1"}
    ]`),
  },
  'proto-keys.tsv': {
    why: 'the same in a TSV, with quotes and commas in its values',
    columns: ['__proto__', 'constructor', 'prototype', 'toString'],
    rows: json(
      '[{"__proto__": "A \\"quoted\\" value", "constructor": "c, with comma", "prototype": "x", "toString": "t"}]',
    ),
  },
  'proto-keys.json': {
    why: 'prototype keys whose values are objects that would pollute if assigned',
    columns: ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'],
    rows: json(`[
      {"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "prototype": 1, "toString": "t"},
      {"__proto__": "p1", "hasOwnProperty": false, "valueOf": null}
    ]`),
  },
  'proto-keys.jsonl': {
    why: 'prototype keys in JSON Lines; the second row has no constructor of its own',
    columns: ['__proto__', 'constructor', 'prototype', 'instruction'],
    rows: json(`[
      {"__proto__": "p0", "constructor": "c0", "prototype": "x0"},
      {"instruction": "no constructor here", "__proto__": {"__proto__": {"polluted": true}}}
    ]`),
  },
  'proto-keys.parquet': {
    why: 'Parquet columns named like Object.prototype members, one null',
    columns: ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'],
    rows: json(`[
      {"__proto__": "__proto__-0", "constructor": "constructor-0", "prototype": "prototype-0", "toString": "toString-0", "hasOwnProperty": "hasOwnProperty-0"},
      {"__proto__": "__proto__-1", "constructor": null, "prototype": "prototype-1", "toString": "toString-1", "hasOwnProperty": "hasOwnProperty-1"}
    ]`),
  },

  // Hostile text imports as plain text.
  'xss.csv': {
    why: 'HTML and script in a column name and in cells',
    columns: ['<img src=x onerror=alert(1)>', 'text'],
    rows: [
      {
        '<img src=x onerror=alert(1)>': "<script>alert('cell')</script>",
        text: 'javascript:alert(1)',
      },
      { '<img src=x onerror=alert(1)>': "' onmouseover='alert(1)", text: '</td></tr><tr><td>' },
    ],
  },
  'xss.json': {
    why: 'HTML, a template injection and a template literal as keys and values',
    columns: ['<svg onload=alert(1)>', "{{constructor.constructor('alert(1)')()}}"],
    rows: [
      {
        '<svg onload=alert(1)>': '<iframe srcdoc="<script>parent.alert(1)</script>">',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the cell holds this text, as written.
        "{{constructor.constructor('alert(1)')()}}": '${alert(1)}',
      },
    ],
  },
  'formula-injection.csv': {
    why: 'spreadsheet formulas stay text, as written',
    columns: ['formula', 'value'],
    rows: [
      { formula: '=HYPERLINK("http://example.invalid","click")', value: "+cmd|' /C calc'!A0" },
      { formula: '@SUM(1+1)', value: '-2+3' },
    ],
  },

  // Nothing to import.
  'empty.csv': { why: 'zero bytes', refused: /^"empty\.csv" is empty\.$/ },
  'empty.jsonl': { why: 'zero bytes', refused: /^"empty\.jsonl" is empty\.$/ },
  'whitespace.csv': {
    why: 'spaces, tabs and line breaks only',
    refused: /^"whitespace\.csv" has no header row: it holds only blank lines\.$/,
  },
  'whitespace.json': { why: 'whitespace only', refused: /^"whitespace\.json" is empty\.$/ },
  'whitespace.jsonl': {
    why: 'blank lines only',
    refused: /^"whitespace\.jsonl" has no rows: every line is blank\.$/,
  },
  'header-only.csv': {
    why: 'a header and no rows',
    refused: /^"header-only\.csv" has a header row \(line 1\) but no data rows below it\. Add rows/,
  },
  'header-only-blank-lines.csv': {
    why: 'a header, then only blank and empty rows',
    refused: /^"header-only-blank-lines\.csv" has a header row \(line 1\) but no data rows/,
  },

  // CSV shapes.
  'ragged-short.csv': {
    why: 'a row with a value missing',
    refused:
      /^Line 3 of "ragged-short\.csv" has 2 values, but the header \(line 1\) has 3 columns\. Every row needs one value per column/,
  },
  'ragged-long.csv': {
    why: 'a row with a value too many',
    refused:
      /^Line 4 of "ragged-long\.csv" has 3 values, but the header \(line 1\) has 2 columns\./,
  },
  'unterminated-quote.csv': {
    why: 'a quote opened on line 2 and never closed',
    refused:
      /^Line 2 \(a row over lines 2-5\) of "unterminated-quote\.csv" opens a quoted value that is never closed\. Add the closing double quote/,
  },
  'text-after-quote.csv': {
    why: 'text after the closing quote of a value',
    refused:
      /^Line 2 of "text-after-quote\.csv" has text after the closing quote of a quoted value\. A quote inside a quoted value is written twice/,
  },
  'stray-quotes.csv': {
    why: 'an unquoted formula full of quotes',
    refused: /^Line 2 of "stray-quotes\.csv" has text after the closing quote of a quoted value\./,
  },
  'quoted-newlines.csv': {
    why: 'a value over two lines, doubled quotes, a quoted comma',
    columns: ['prompt', 'answer'],
    rows: [
      { prompt: 'line one\nline two', answer: 'a "quote" inside' },
      { prompt: 'plain', answer: 'trailing, comma' },
    ],
  },
  'crlf.csv': {
    why: 'Windows line ends; a quoted value keeps its own',
    columns: ['id', 'text'],
    rows: [
      { id: '1', text: 'two\r\nlines' },
      { id: '2', text: 'plain' },
    ],
  },
  'cr-only.csv': {
    why: 'classic Mac line ends (a lone \\r)',
    columns: ['id', 'text'],
    rows: [
      { id: '1', text: 'classic Mac' },
      { id: '2', text: 'quoted\rbreak' },
    ],
  },
  'mixed-endings.csv': {
    why: '\\n and \\r\\n in one file',
    columns: ['id', 'text'],
    rows: [
      { id: '1', text: 'a' },
      { id: '2', text: 'b' },
      { id: '3', text: 'c\nd' },
    ],
  },
  'semicolon.csv': {
    why: 'semicolons between values, decimal commas',
    columns: ['name', 'price', 'note'],
    rows: [
      { name: 'Tea', price: '3,50', note: 'a;b' },
      { name: 'Coffee', price: '4,00', note: 'plain' },
    ],
  },
  'pipe.csv': {
    why: 'pipes between values',
    columns: ['id', 'text'],
    rows: [
      { id: '1', text: 'a, b and c' },
      { id: '2', text: 'x|y' },
    ],
  },
  'commas-in.tsv': {
    why: 'a TSV whose values hold commas and a quoted tab',
    columns: ['prompt', 'answer'],
    rows: [
      { prompt: 'Why, though?', answer: "Because, that's why" },
      { prompt: 'quoted\ttab', answer: 'ok' },
    ],
  },
  'single-column.csv': {
    why: 'one column: no delimiter to find',
    columns: ['prompt'],
    rows: [{ prompt: 'first' }, { prompt: 'second, quoted' }],
  },
  'blank-lines.csv': {
    why: 'blank lines before the header and between rows',
    columns: ['a', 'b'],
    rows: [
      { a: '1', b: '2' },
      { a: '3', b: '4' },
    ],
  },
  'header-whitespace.csv': {
    why: 'spaces and tabs around header names (trimmed)',
    columns: ['id', 'text'],
    rows: [{ id: '1', text: 'a' }],
  },
  'duplicate-headers.csv': {
    why: 'a column named twice',
    refused:
      /^The header \(line 1\) of "duplicate-headers\.csv" names the column "name" twice \(columns 1 and 3\)\. Give each column a different name\.$/,
  },
  'duplicate-headers-trimmed.csv': {
    why: 'a column named twice once names are trimmed',
    refused: /names the column "text" twice \(columns 2 and 3\)/,
  },
  'empty-header.csv': {
    why: 'an unnamed first column, as pandas writes its index',
    refused:
      /^Column 1 in the header \(line 1\) of "empty-header\.csv" has no name\. Name every column in the header, or delete the empty column\.$/,
  },
  'UPPER.CSV': {
    why: 'an extension in capitals',
    columns: ['A', 'B'],
    rows: [{ A: '1', B: '2' }],
  },

  // Encodings and bytes.
  'bom-utf8.csv': {
    why: 'a UTF-8 byte order mark (dropped, not part of the first name)',
    columns: ['id', 'text'],
    rows: [{ id: '1', text: 'café' }],
  },
  'utf16le-bom.csv': {
    why: 'UTF-16 little-endian with its byte order mark',
    columns: ['name', 'note'],
    rows: [
      { name: 'Ada', note: '😀 ok' },
      { name: 'звезда', note: '日本' },
    ],
  },
  'utf16be-bom.tsv': {
    why: 'UTF-16 big-endian with its byte order mark',
    columns: ['name', 'note'],
    rows: [{ name: 'Ada', note: '😀 ok' }],
  },
  'utf16le-bom.jsonl': {
    why: 'JSON Lines in UTF-16',
    columns: ['a'],
    rows: [{ a: 'é' }, { a: '日本' }],
  },
  'utf16le-no-bom.csv': {
    why: 'UTF-16 without a byte order mark: every other byte NUL',
    refused:
      /^"utf16le-no-bom\.csv" is not UTF-8 text: 19 of its first 38 bytes are NUL, as in UTF-16 or UTF-32 text saved without a byte order mark/,
  },
  'utf16le-lone-surrogate.csv': {
    why: 'UTF-16 holding half a surrogate pair',
    refused:
      /^Line 2 of "utf16le-lone-surrogate\.csv" is not UTF-16 text: from byte 15 of the file, 0x00 0xDC is no UTF-16 character\./,
  },
  'utf32le-bom.csv': {
    why: 'UTF-32, which TextDecoder cannot read',
    refused:
      /^"utf32le-bom\.csv" is UTF-32 text \(its byte order mark says so\), which a browser cannot read\. Save it as UTF-8/,
  },
  'utf32be-bom.json': {
    why: 'UTF-32 big-endian',
    refused: /^"utf32be-bom\.json" is UTF-32 text/,
  },
  'latin1.csv': {
    why: 'Latin-1 (ISO 8859-1) accents on line 2',
    refused: new RegExp(
      `^Line 2 of "latin1\\.csv" is not UTF-8 text: from byte 14 of the file, 0xE9 0x2C is no UTF-8 character\\. .*${UTF8_ADVICE.source}`,
    ),
  },
  'latin1-late.csv': {
    why: 'Latin-1 past the bytes looked at first',
    refused:
      /^Line 12 of "latin1-late\.csv" is not UTF-8 text: from byte 6,044 of the file, 0xE9 0x0A is no UTF-8 character\./,
  },
  'windows-1252.csv': {
    why: 'Windows-1252 curly quotes',
    refused:
      /^Line 2 of "windows-1252\.csv" is not UTF-8 text: from byte 7 of the file, 0x93 is no/,
  },
  'truncated-utf8.csv': {
    why: 'cut in the middle of a three-byte character',
    refused:
      /^"truncated-utf8\.csv" ends in the middle of a UTF-8 character \(line 2, from byte 6: 0xE6 0x9C\): it may have been cut short\./,
  },
  'surrogate-utf8.csv': {
    why: 'a UTF-16 surrogate encoded as UTF-8 (CESU-8)',
    refused:
      /^Line 2 of "surrogate-utf8\.csv" is not UTF-8 text: from byte 3 of the file, 0xED 0xA0/,
  },
  'overlong-utf8.csv': {
    why: 'an overlong encoding of "/"',
    refused:
      /^Line 2 of "overlong-utf8\.csv" is not UTF-8 text: from byte 3 of the file, 0xC0 is no/,
  },
  'nul-early.csv': {
    why: 'NUL bytes in the header and the first row: text like any other',
    columns: ['a\0b', 'c'],
    rows: [{ 'a\0b': '\0', c: 'x' }],
  },
  'nul-late.csv': {
    why: 'a NUL byte after the bytes looked at first',
    columns: ['id', 'text'],
    rows: [
      ...ten.map((i) => ({ id: String(i), text: 'x'.repeat(600) })),
      { id: '10', text: 'late\0value' },
    ],
  },
  'nul-escaped.json': {
    why: 'NUL written as \\u0000 in a value and as a whole key',
    columns: ['a', '\0'],
    rows: [{ a: 'x\0y', '\0': 'key is NUL' }],
  },
  'nul-raw.jsonl': {
    why: 'a raw NUL inside a JSON string, which JSON forbids',
    refused:
      /^Line 3 of "nul-raw\.jsonl" is not valid JSON: bad control character in string literal \(column 11\)\. Each line must hold one JSON object/,
  },

  // Not text at all.
  'png.csv': {
    why: 'a PNG image named .csv',
    refused: /^"png\.csv" is a PNG image, not text\. Import a CSV, TSV, JSON or JSON Lines file/,
  },
  'xlsx-head.csv': {
    why: 'a workbook (ZIP) named .csv',
    refused:
      /^"xlsx-head\.csv" is a ZIP archive \(an \.xlsx or \.ods workbook is one\), not text\. If it is a workbook: Save it from the spreadsheet as "CSV UTF-8"/,
  },
  'gzip.csv': {
    why: 'a gzip-compressed CSV named .csv',
    refused:
      /^"gzip\.csv" is gzip-compressed, not text\. Decompress it and import the file inside\.$/,
  },
  'parquet-as.csv': {
    why: 'a Parquet file named .csv',
    refused: /^"parquet-as\.csv" is a Parquet file, not text\. Give it the \.parquet extension/,
  },
  'parquet-as.jsonl': {
    why: 'a Parquet file named .jsonl',
    refused: /^"parquet-as\.jsonl" is a Parquet file, not text\./,
  },
  'pdf.json': { why: 'a PDF named .json', refused: /^"pdf\.json" is a PDF document, not text\./ },
  'sqlite.csv': {
    why: 'an SQLite database named .csv',
    refused: /^"sqlite\.csv" is an SQLite database, not text\. Export a table as CSV/,
  },
  'gguf.csv': {
    why: 'a model file picked in the wrong place',
    refused: /^"gguf\.csv" is a GGUF model file, not text\. Choose it as the Model file/,
  },
  'random.jsonl': {
    why: 'noise with no known signature',
    refused: /^Line 1 of "random\.jsonl" is not UTF-8 text: from byte 1 of the file, 0x9C is no/,
  },
  'data.txt': { why: 'an extension Retort does not read', refused: unknownKind('data\\.txt') },
  'data.xlsx': { why: 'a workbook', refused: unknownKind('data\\.xlsx') },
  'no-extension': { why: 'no extension at all', refused: unknownKind('no-extension') },

  // JSON.
  'object-not-array.json': {
    why: 'one object, not an array of them',
    refused:
      /^"object-not-array\.json" holds an object, not an array of rows\. A \.json file must be an array of objects/,
  },
  'null.json': { why: 'null', refused: /^"null\.json" holds null, not an array of rows\./ },
  'string.json': {
    why: 'a string',
    refused: /^"string\.json" holds a string, not an array of rows\./,
  },
  'empty-array.json': {
    why: 'an empty array',
    refused: /^"empty-array\.json" is an empty array: it has no rows\.$/,
  },
  'array-of-numbers.json': {
    why: 'numbers, not objects',
    refused:
      /^Item 1 \(index 0\) of the array in "array-of-numbers\.json" is a number, not an object\./,
  },
  'array-of-arrays.json': {
    why: 'rows as arrays',
    refused:
      /^Item 1 \(index 0\) of the array in "array-of-arrays\.json" is an array, not an object\./,
  },
  'array-mixed.json': {
    why: 'a string among objects',
    refused: /^Item 3 \(index 2\) of the array in "array-mixed\.json" is a string, not an object\./,
  },
  'mixed-types.json': {
    why: 'a column of numbers, text, booleans, null, lists and objects, kept as they are',
    columns: ['v', 'other'],
    rows: [
      { v: 1 },
      { v: 'one' },
      { v: true },
      { v: null },
      { v: [1, 'two', null] },
      { v: { nested: { deeper: [{}] } } },
      { other: -0.0005 },
    ],
  },
  'huge-numbers.json': {
    why: 'integers past 2^53 kept as their digits; floats past a double as JSON.parse reads them',
    columns: ['id', 'neg', 'safe', 'float', 'over', 'tiny', 'under', 'text'],
    rows: [
      {
        id: '12345678901234567890',
        neg: '-98765432109876543210',
        safe: 9007199254740991,
        float: 1.7976931348623157e308,
        over: Number.POSITIVE_INFINITY,
        tiny: 5e-324,
        under: 0,
        text: '12345678901234567890',
      },
    ],
  },
  'duplicate-keys.json': {
    why: 'a key twice in one object: the last value, as JSON.parse reads it',
    columns: ['a', 'b'],
    rows: [{ a: 3, b: 2 }],
  },
  'trailing-comma.json': {
    why: 'a comma after the last item (V8 gives no position, only the text around)',
    refused:
      /^"trailing-comma\.json" is not valid JSON: unexpected token '\]' near \.\.\."\{"a": 2\},\\n\]\\n"\. Fix the file/,
  },
  'bad-json-line.json': {
    why: 'a missing colon on line 5',
    refused:
      /^Line 5 of "bad-json-line\.json" is not valid JSON: expected ':' after property name \(column 8\)\. Fix the file/,
  },
  'unterminated.json': {
    why: 'a string never closed',
    refused:
      /^Line 2 of "unterminated\.json" is not valid JSON: bad control character in string literal \(column 16\)\./,
  },
  'jsonl-as.json': {
    why: 'JSON Lines named .json, as datasets.to_json() writes',
    columns: ['instruction', 'n'],
    rows: [
      { instruction: 'a', n: 1 },
      { instruction: 'b', n: 2 },
    ],
  },

  // JSON Lines.
  'nested-cells.jsonl': {
    why: 'chat messages and nested objects in cells',
    columns: ['messages', 'meta'],
    rows: [
      {
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: 'hello' },
        ],
        meta: { tags: ['x', 'y'], score: { value: 0.5 } },
      },
      { messages: [], meta: {} },
    ],
  },
  'blank-lines.jsonl': {
    why: 'blank lines, \\r\\n and trailing blank lines',
    columns: ['a'],
    rows: [{ a: 1 }, { a: 2 }, { a: 3 }],
  },
  'cr-only.jsonl': {
    why: 'lone \\r line ends',
    columns: ['a'],
    rows: [{ a: 1 }, { a: 2 }, { a: 3 }],
  },
  'no-final-newline.jsonl': {
    why: 'no line break after the last line',
    columns: ['a'],
    rows: [{ a: 'x' }, { a: 'y' }],
  },
  'comments.jsonl': {
    why: 'a comment line, which JSON has not',
    refused: /^Line 1 of "comments\.jsonl" is not valid JSON: unexpected token '\/'/,
  },
  'trailing-garbage.jsonl': {
    why: 'text after the object on line 2',
    refused:
      /^Line 2 of "trailing-garbage\.jsonl" is not valid JSON: unexpected non-whitespace character after JSON \(column 10\)\./,
  },
  'concatenated.jsonl': {
    why: 'two objects on one line',
    refused: /^Line 1 of "concatenated\.jsonl" is not valid JSON: .* \(column 9\)\./,
  },
  'bad-middle.jsonl': {
    why: 'a trailing comma on line 7 of 10, \\r\\n line ends',
    refused:
      /^Line 7 of "bad-middle\.jsonl" is not valid JSON: expected double-quoted property name \(column 9\)\. Each line must hold one JSON object/,
  },
  'array-line.jsonl': {
    why: 'an array on line 2',
    refused: /^Line 2 of "array-line\.jsonl" is an array, not a JSON object\./,
  },
  'number-line.jsonl': {
    why: 'a number on line 3, after a blank line',
    refused: /^Line 3 of "number-line\.jsonl" is a number, not a JSON object\./,
  },
  'pretty-printed.jsonl': {
    why: 'an object over several lines',
    refused: /^Line 1 of "pretty-printed\.jsonl" is not valid JSON: .* \(column 2\)\./,
  },

  // Parquet.
  'odd-types.parquet': {
    why: 'INT64 past 2^53, FLOAT16, NaN and Infinity, timestamps, UUID, JSON, bytes, nulls',
    columns: ['big', 'half', 'double', 'when', 'uuid', 'json', 'bytes', 'text', 'flag'],
    rows: [
      {
        big: '1152921504606846976',
        half: 1.5,
        double: Number.NaN,
        when: '1970-01-01T00:00:00.000Z',
        uuid: '00112233-4455-6677-8899-aabbccddeeff',
        json: { nested: [1, { deep: true }] },
        // Bytes without a logical type are read as UTF-8, as hyparquet does for old writers' strings.
        bytes: '\0\uFFFD',
        text: 'emoji 😀',
        flag: true,
      },
      {
        big: '-9223372036854775808',
        half: -0,
        double: Number.POSITIVE_INFINITY,
        when: '2024-02-29T12:30:00.000Z',
        uuid: null,
        json: [1, 2],
        bytes: '',
        text: 'NUL \0 inside',
        flag: null,
      },
      {
        big: 42,
        half: null,
        double: -1e-300,
        when: null,
        uuid: null,
        json: null,
        bytes: null,
        text: '',
        flag: false,
      },
    ],
  },
  'nested.parquet': {
    why: 'a struct holding a list, and a map with a key named constructor',
    columns: ['id', 'struct', 'map'],
    rows: [
      { id: 1, struct: { a: 1, list: ['x', 'y'] }, map: { constructor: 'c', key: 'v' } },
      { id: 2, struct: { a: null, list: [] }, map: {} },
      { id: 3, struct: null, map: null },
    ],
  },
  'many-row-groups.parquet': {
    why: 'ten rows in four row groups',
    columns: ['n'],
    rows: ten.map((n) => ({ n })),
  },
  'deep-json.parquet': {
    why: 'a JSON cell nested 2,000 levels deep',
    refused:
      /^Row 1 of "deep-json\.parquet" holds a value in the column "doc" nested more than 1,000 levels deep, which a browser can neither store nor show\./,
  },
  'duplicate-columns.parquet': {
    why: 'two columns with one name',
    refused: /^"duplicate-columns\.parquet" names the column "a" more than once\./,
  },
  'no-rows.parquet': { why: 'a schema and no rows', refused: /^"no-rows\.parquet" has no rows\.$/ },
  'truncated.parquet': {
    why: 'the first half of a file',
    refused: unreadable('truncated\\.parquet'),
  },
  'footer-only.parquet': {
    why: 'the last 8 bytes: a footer length and PAR1',
    refused: unreadable('footer-only\\.parquet'),
  },
  'not-parquet.parquet': {
    why: 'CSV text named .parquet',
    refused: unreadable('not-parquet\\.parquet'),
  },
};
