import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deleteDataset, iterateRowPages, readRows } from '../src/engine/db/datasets';
import { db } from '../src/engine/db/schema';
import { EngineError } from '../src/engine/errors';
import { importFile } from '../src/engine/io/import';

const encoder = new TextEncoder();

/**
 * A File whose stream yields `chunkSize`-byte pieces, as a browser streams a
 * large file: rows, quoted line breaks and multi-byte characters straddle chunks.
 */
function file(content: string | Uint8Array, name: string, chunkSize = 7): File {
  const bytes = typeof content === 'string' ? encoder.encode(content) : content;
  const parts: Uint8Array<ArrayBuffer>[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) parts.push(bytes.slice(i, i + chunkSize));
  return new File(parts, name);
}

/** The import's error message, after checking that it is an input error and nothing was stored. */
async function rejection(input: File, onProgress?: (rows: number) => void): Promise<string> {
  const error = await importFile(input, onProgress).then(
    () => new Error('the import succeeded'),
    (thrown: unknown) => thrown,
  );
  if (!EngineError.isInstance(error)) throw error;
  expect(error.kind).toBe('input');
  expect(await db.datasets.count()).toBe(0);
  expect(await db.rowPages.count()).toBe(0);
  return error.message;
}

async function allRows(datasetId: string) {
  const rows = [];
  for await (const page of iterateRowPages(datasetId)) rows.push(...page.rows);
  return rows;
}

beforeEach(async () => {
  await db.datasets.clear();
  await db.rowPages.clear();
});

describe('CSV import', () => {
  const awkward =
    '007,"Hello, world","She said ""hi""",\r\n' +
    '2,"line one\r\nline two",café — naïve,3.50\r\n' +
    '\r\n' +
    ',,,\r\n' +
    '3,日本語,,';
  const expected = [
    { id: '007', text: 'Hello, world', notes: 'She said "hi"', score: '' },
    { id: '2', text: 'line one\r\nline two', notes: 'café — naïve', score: '3.50' },
    { id: '3', text: '日本語', notes: '', score: '' },
  ];

  it.each([1, 7, 65_536])('keeps every cell as written (chunks of %i bytes)', async (chunkSize) => {
    const csv = `\uFEFFid , text,notes,score\r\n${awkward}`;
    const dataset = await importFile(file(csv, 'awkward.csv', chunkSize));
    expect(dataset).toMatchObject({
      name: 'awkward',
      source: 'awkward.csv',
      columns: ['id', 'text', 'notes', 'score'],
      rowCount: 3,
    });
    expect(await allRows(dataset.id)).toEqual(expected);
  });

  it('keeps every cell when rows straddle the chunks papaparse is given', async () => {
    // Papaparse gets text 64 KB at a time: in a file of nothing but awkward rows,
    // each chunk boundary falls inside one of them.
    const csv = `id,text,notes,score\r\n${`${awkward}\r\n`.repeat(2000)}`;
    const dataset = await importFile(file(csv, 'long.csv'));
    expect(dataset.rowCount).toBe(6000);
    const rows = await allRows(dataset.id);
    expect(rows).toEqual(Array.from({ length: 2000 }, () => expected).flat());
  });

  it('skips blank lines before the header and counts them in line numbers', async () => {
    expect(await rejection(file('\n  \na,b\n1,2\n3\n', 'lead.csv'))).toMatch(
      'Line 5 of "lead.csv" has 1 value, but the header (line 3) has 2 columns',
    );
  });

  it('reads a .tsv file split on tabs', async () => {
    const dataset = await importFile(file('prompt\tanswer\nWhy, though?\tBecause\n', 'qa.tsv'));
    expect(await allRows(dataset.id)).toEqual([{ prompt: 'Why, though?', answer: 'Because' }]);
  });

  it('stores 2,500 rows in 3 pages, each row at its index', async () => {
    const lines = ['n,text'];
    for (let i = 0; i < 2500; i++) lines.push(`${i},row ${i} ${'padding '.repeat(8)}`);
    const progress: number[] = [];
    const dataset = await importFile(file(lines.join('\n'), 'big.csv', 4096), (rows) =>
      progress.push(rows),
    );

    expect(dataset.rowCount).toBe(2500);
    const pages = [];
    for await (const page of iterateRowPages(dataset.id)) pages.push(page);
    expect(pages.map((p) => [p.page, p.rows.length])).toEqual([
      [0, 1000],
      [1, 1000],
      [2, 500],
    ]);
    expect(pages[2].rows[499].n).toBe('2499');

    const across = await readRows(dataset.id, 995, 10);
    expect(across.map((row) => row.n)).toEqual([
      '995',
      '996',
      '997',
      '998',
      '999',
      '1000',
      '1001',
      '1002',
      '1003',
      '1004',
    ]);
    expect((await readRows(dataset.id, 2495, 10)).map((row) => row.n)).toEqual([
      '2495',
      '2496',
      '2497',
      '2498',
      '2499',
    ]);
    expect(progress.length).toBeGreaterThan(3);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(2500);
  });

  it.each([1, 7, 65_536])(
    'reads a file that mixes \\n and \\r\\n line ends (chunks of %i bytes)',
    async (chunkSize) => {
      const first = await importFile(file('a,b\n1,2\r\n3,4\n', 'lf-first.csv', chunkSize));
      expect(await allRows(first.id)).toEqual([
        { a: '1', b: '2' },
        { a: '3', b: '4' },
      ]);
      // \r\n first, then lone \n; a quoted value keeps its own line break.
      const text = 'a,b\r\n1,2\n3,"x"\r\n5,"y\r\nz"\n6,\r\n';
      const second = await importFile(file(text, 'crlf-first.csv', chunkSize));
      expect(await allRows(second.id)).toEqual([
        { a: '1', b: '2' },
        { a: '3', b: 'x' },
        { a: '5', b: 'y\r\nz' },
        { a: '6', b: '' },
      ]);
    },
  );

  it('names the right line of a ragged row in a file of mixed line ends', async () => {
    expect(await rejection(file('a,b\n1,2\r\n3,4,5\r\n', 'ragged.csv'))).toMatch(
      'Line 3 of "ragged.csv" has 3 values, but the header (line 1) has 2 columns',
    );
  });

  it('rejects an empty file', async () => {
    expect(await rejection(file('', 'empty.csv'))).toMatch('"empty.csv" is empty');
  });

  it('rejects a file of blank lines', async () => {
    expect(await rejection(file('\n \n\n', 'blank.csv'))).toMatch('no header row');
  });

  it('rejects a header with no rows', async () => {
    expect(await rejection(file('prompt,answer\r\n', 'header.csv'))).toMatch(
      'has a header row (line 1) but no data rows',
    );
  });

  it('rejects a column named twice, after trimming', async () => {
    expect(await rejection(file('name, score,name \n1,2,3\n', 'dup.csv'))).toMatch(
      'The header (line 1) of "dup.csv" names the column "name" twice',
    );
  });

  it('rejects a column with no name', async () => {
    expect(await rejection(file('a,,c\n1,2,3\n', 'gap.csv'))).toMatch(
      'Column 2 in the header (line 1) of "gap.csv" has no name',
    );
  });

  it('names the line of a row with too many values', async () => {
    expect(await rejection(file('a,b\n1,2\n3,4,5\n6,7\n', 'wide.csv'))).toMatch(
      'Line 3 of "wide.csv" has 3 values, but the header (line 1) has 2 columns',
    );
  });

  it('counts lines as an editor does, past quoted line breaks and blank lines', async () => {
    const text = 'a,b\r\n1,"x\r\ny"\r\n\r\n2\r\n';
    expect(await rejection(file(text, 'short.csv'))).toMatch(
      'Line 5 of "short.csv" has 1 value, but the header (line 1) has 2 columns',
    );
  });

  it('names the lines of a ragged row that spans several', async () => {
    const text = 'a,b\n1,2\n"two\nlines",2,3\n';
    expect(await rejection(file(text, 'span.csv'))).toMatch(
      'Line 3 (a row over lines 3-4) of "span.csv" has 3 values',
    );
  });

  it('names the line of a quote that is never closed', async () => {
    expect(await rejection(file('a,b\n1,2\n3,"oops\n4,5\n', 'quote.csv'))).toMatch(
      /^Line 3 .*"quote\.csv" opens a quoted value that is never closed/,
    );
  });

  it('leaves nothing behind when a bad row comes after pages were stored', async () => {
    const lines = ['n,text'];
    for (let i = 0; i < 20_000; i++) lines.push(`${i},ok`);
    lines.push('20000,too,many');
    const stored: Promise<number>[] = [];
    const message = await rejection(file(lines.join('\n'), 'late.csv', 65_536), () =>
      stored.push(db.rowPages.count()),
    );
    expect(message).toMatch('Line 20,002 of "late.csv" has 3 values');
    expect(Math.max(...(await Promise.all(stored)))).toBeGreaterThan(0);
  });

  it.each(['data.csv', 'data.json', 'data.jsonl'])(
    'rejects a binary file named %s by what it is',
    async (name) => {
      const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
      expect(await rejection(file(png, name, 4096))).toMatch(`"${name}" is a PNG image, not text`);
    },
  );

  it.each([1, 7, 64])(
    'names the line and byte of Latin-1 text wherever it is (chunks of %i bytes)',
    async (chunkSize) => {
      const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
      expect(await rejection(file(latin1('name\r\ncafé\r\n'), 'latin.csv', chunkSize))).toMatch(
        /^Line 2 of "latin.csv" is not UTF-8 text: from byte 10 of the file, 0xE9 0x0D is no UTF-8 character\. .*Windows-1252/,
      );
      const late = latin1(`name\n${'ok\n'.repeat(100)}café\n`);
      expect(await rejection(file(late, 'late.csv', chunkSize))).toMatch(
        'Line 102 of "late.csv" is not UTF-8 text: from byte 309 of the file, 0xE9 0x0A',
      );
    },
  );

  it.each([1, 2, 3, 7])(
    'decodes UTF-16 with either byte order, characters split between chunks (chunks of %i bytes)',
    async (chunkSize) => {
      const text = 'name,note\r\nAda,😀 ok\r\nзвезда,日本\r\n';
      const units = Array.from({ length: text.length }, (_, i) => text.charCodeAt(i));
      const le = new Uint8Array([0xff, 0xfe, ...units.flatMap((u) => [u & 0xff, u >> 8])]);
      const be = new Uint8Array([0xfe, 0xff, ...units.flatMap((u) => [u >> 8, u & 0xff])]);
      for (const bytes of [le, be]) {
        const dataset = await importFile(file(bytes, 'wide.csv', chunkSize));
        expect(await allRows(dataset.id)).toEqual([
          { name: 'Ada', note: '😀 ok' },
          { name: 'звезда', note: '日本' },
        ]);
      }
    },
  );

  it('names the line of half a UTF-16 surrogate pair, and a file cut inside a character', async () => {
    const utf16 = (...units: number[]) =>
      new Uint8Array([0xff, 0xfe, ...units.flatMap((u) => [u & 0xff, u >> 8])]);
    const [a, newline, comma, one] = [0x61, 0x0a, 0x2c, 0x31];
    const lone = utf16(a, comma, a, newline, one, comma, 0xdc00, newline);
    expect(await rejection(file(lone, 'lone.csv', 3))).toMatch(
      'Line 2 of "lone.csv" is not UTF-16 text: from byte 15 of the file, 0x00 0xDC is no UTF-16 character',
    );
    const cut = new TextEncoder().encode('a\n日本');
    expect(await rejection(file(cut.slice(0, -1), 'cut.csv', 2))).toMatch(
      '"cut.csv" ends in the middle of a UTF-8 character (line 2, from byte 6: 0xE6 0x9C)',
    );
  });

  it.each([
    [
      'utf32le.csv',
      [0xff, 0xfe, 0, 0, 0x61, 0, 0, 0],
      /"utf32le\.csv" is UTF-32 text .*Save it as UTF-8/,
    ],
    ['utf32be.csv', [0, 0, 0xfe, 0xff, 0, 0, 0, 0x61], /"utf32be\.csv" is UTF-32 text/],
    [
      'nobom.csv',
      [0x61, 0, 0x2c, 0, 0x62, 0, 0x0a, 0],
      /"nobom\.csv" is not UTF-8 text: 4 of its first 8 bytes are NUL/,
    ],
    ['rows.csv', [0x1f, 0x8b, 0x08, 0], /"rows\.csv" is gzip-compressed, not text\. Decompress it/],
    ['sheet.csv', [0x50, 0x4b, 0x03, 0x04, 0x14, 0], /"sheet\.csv" is a ZIP archive .*"CSV UTF-8"/],
    [
      'table.jsonl',
      [0x50, 0x41, 0x52, 0x31, 0x15, 0],
      /"table\.jsonl" is a Parquet file, not text\. Give it the \.parquet extension/,
    ],
  ])('refuses %s by what its first bytes say', async (name, bytes, message) => {
    expect(await rejection(file(new Uint8Array(bytes), name))).toMatch(message);
  });

  it.each([1, 7, 65_536])(
    'imports NUL bytes as text, early or late (chunks of %i bytes)',
    async (chunkSize) => {
      const csv = `a\0b,c\n\0,x\n${'y,z\n'.repeat(50)}late\0,w\n`;
      const dataset = await importFile(file(csv, 'nul.csv', chunkSize));
      expect(dataset.columns).toEqual(['a\0b', 'c']);
      const rows = await allRows(dataset.id);
      expect([rows[0], rows.at(-1)]).toEqual([
        { 'a\0b': '\0', c: 'x' },
        { 'a\0b': 'late\0', c: 'w' },
      ]);
    },
  );
});

describe('column names a plain object would mishandle', () => {
  const names = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];
  const values = ['1', '2', '3', '4', '5'];
  const row = Object.fromEntries(names.map((name, i) => [name, values[i]]));
  const json = `{${names.map((name, i) => `"${name}":"${values[i]}"`).join(',')}}`;
  const parquet = parquetWriteBuffer({
    columnData: names.map((name, i) => ({ name, data: [values[i]], type: 'STRING' as const })),
  });

  it.each([
    ['keys.csv', `${names.join(',')}\n${values.join(',')}\n`],
    ['keys.tsv', `${names.join('\t')}\n${values.join('\t')}\n`],
    ['keys.json', `[${json}]`],
    ['keys.jsonl', `${json}\n`],
    ['keys.parquet', new Uint8Array(parquet)],
  ])('%s imports every one as an own property, read back the same', async (name, content) => {
    const dataset = await importFile(file(content, name));
    expect(dataset.columns).toEqual(names);
    const [stored] = await readRows(dataset.id, 0, 1);
    expect(Object.keys(stored)).toEqual(names);
    expect(Object.getOwnPropertyDescriptor(stored, '__proto__')?.value).toBe('1');
    expect(Object.getPrototypeOf(stored)).toBe(Object.prototype);
    expect(stored).toEqual(row);
  });
});

describe('JSON and JSON Lines import', () => {
  it('imports an array of objects, columns in first-seen order, nested values kept', async () => {
    const json = '[{"instruction":"a","meta":{"tags":["x"]}},{"instruction":"b","extra":true}]';
    const dataset = await importFile(file(json, 'rows.json'));
    expect(dataset.columns).toEqual(['instruction', 'meta', 'extra']);
    expect(await allRows(dataset.id)).toEqual([
      { instruction: 'a', meta: { tags: ['x'] } },
      { instruction: 'b', extra: true },
    ]);
  });

  it('reads a .json file of one object per line as JSON Lines, as datasets.to_json() writes', async () => {
    const dataset = await importFile(file('{"a":1}\n{"a":2}\n', 'hub.json'));
    expect(await allRows(dataset.id)).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('rejects JSON that is not an array', async () => {
    expect(await rejection(file('{"instruction":"a"}', 'one.json'))).toMatch(
      '"one.json" holds an object, not an array of rows',
    );
  });

  it('names the item that is not an object', async () => {
    expect(await rejection(file('[{"a":1}, 2]', 'mixed.json'))).toMatch(
      'Item 2 (index 1) of the array in "mixed.json" is a number, not an object',
    );
  });

  it('names the line and column of invalid JSON', async () => {
    expect(await rejection(file('[\n{"a": 1},\n{"a" 2}\n]', 'bad.json'))).toBe(
      `Line 3 of "bad.json" is not valid JSON: expected ':' after property name (column 6). Fix the file, or export it again from the tool that made it.`,
    );
  });

  it('keeps integers beyond 2^53 exactly, as digit strings, in JSON and JSON Lines', async () => {
    const row =
      '{"id": 12345678901234567890, "neg": -98765432109876543210, "safe": 1234567890123456, "ratio": 0.12345678901234567, "text": "12345678901234567890 \\" 99999999999999999999"}';
    const expected = {
      id: '12345678901234567890',
      neg: '-98765432109876543210',
      safe: 1234567890123456,
      ratio: JSON.parse('0.12345678901234567'),
      text: '12345678901234567890 " 99999999999999999999',
    };
    for (const input of [file(`[${row}]`, 'big.json'), file(`${row}\n`, 'big.jsonl')]) {
      const dataset = await importFile(input);
      expect(await allRows(dataset.id)).toEqual([expected]);
    }
  });

  it('names the line of invalid JSON in a file with long integers', async () => {
    const json = '[\n{"id": 12345678901234567890},\n{"id": 12345678901234567891}\n{"id": 1}\n]';
    expect(await rejection(file(json, 'long.json'))).toMatch(
      /^Line 4 of "long\.json" is not valid JSON: .* \(column 1\)/,
    );
  });

  it('asks for JSON Lines when a .json file is too large for one string', async () => {
    const huge = file('[{"a": 1}]', 'huge.json');
    Object.defineProperty(huge, 'size', { value: 600 * 1024 * 1024 });
    expect(await rejection(huge)).toMatch(
      /^"huge\.json" is too large to read as one JSON array \(600 MB; .*\)\. Convert it to JSON Lines \(one object per line\)/,
    );
  });

  it('rejects an empty array', async () => {
    expect(await rejection(file('[]', 'none.json'))).toMatch('is an empty array');
  });

  it('imports JSON Lines, skipping blank lines', async () => {
    const jsonl = '{"a":1}\r\n\r\n{"b":"café","a":2}\n\n';
    const dataset = await importFile(file(jsonl, 'rows.jsonl'));
    expect(dataset.columns).toEqual(['a', 'b']);
    expect(await allRows(dataset.id)).toEqual([{ a: 1 }, { b: 'café', a: 2 }]);
  });

  it.each([
    [
      '{"a":1}\n\n{"a":}\n',
      /^Line 3 of "bad\.ndjson" is not valid JSON: unexpected token '}' near "{"a":}"\. /,
    ],
    [
      '{"a":1}\n  {"a": 1 "b": 2}\n',
      /^Line 2 of "bad\.ndjson" is not valid JSON: expected ',' or '}' after property value \(column 11\)\. /,
    ],
    [
      '{"a":1}\r{"a":1}\r{"a":1} x\r',
      /^Line 3 of "bad\.ndjson" is not valid JSON: unexpected non-whitespace character after JSON \(column 9\)\. /,
    ],
    [
      '{"a":1}\r\n\r\n{"a":1}\r\n{"a":1,}\r\n',
      /^Line 4 of "bad\.ndjson" is not valid JSON: expected double-quoted property name \(column 8\)\. /,
    ],
  ])(
    'names the file’s line and column of invalid JSON in JSON Lines: %j',
    async (text, message) => {
      // One byte at a time puts a chunk boundary between every \r and \n.
      for (const chunkSize of [1, 7]) {
        expect(await rejection(file(text, 'bad.ndjson', chunkSize))).toMatch(message);
      }
    },
  );

  it('says a JSON parser that runs out of stack met nesting too deep, not to reload', async () => {
    // V8 parses JSON without recursing; other engines' parsers may recurse and overflow.
    vi.spyOn(JSON, 'parse').mockImplementation(() => {
      throw new RangeError('Maximum call stack size exceeded');
    });
    try {
      expect(await rejection(file('[{"a": [[[[]]]]}]', 'deep.json'))).toBe(
        '"deep.json" holds a value nested too deeply for this browser\'s JSON parser (Maximum call stack size exceeded). ' +
          'Retort reads values nested at most 1,000 levels deep: flatten the value, or store it as a JSON string.',
      );
    } finally {
      vi.restoreAllMocks();
    }
  });

  it.each([
    [
      'deep.json',
      `[{"a":${'['.repeat(1000)}${']'.repeat(1000)}}]`,
      /^Item 1 \(index 0\) of the array in "deep\.json" holds a value nested more than 1,000 levels deep, which a browser can neither store nor show\. Flatten the value/,
    ],
    [
      'deep.jsonl',
      `{"a":1}\n{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}\n`,
      /^Line 2 of "deep\.jsonl" holds a value nested more than 1,000 levels deep, which a browser can neither store nor show\. Flatten the value/,
    ],
  ])('refuses %s nested too deeply to store, saying so', async (name, text, message) => {
    const refusal = await rejection(file(text, name, 65_536));
    expect(refusal).toMatch(message);
    expect(refusal).not.toMatch(/reload/i);
  });

  it('imports a value nested as deeply as allowed', async () => {
    const text = `[{"a":${'['.repeat(999)}${']'.repeat(999)}}]`;
    const dataset = await importFile(file(text, 'deep.json', 65_536));
    expect(dataset.rowCount).toBe(1);
  });

  it('names the line that is not an object', async () => {
    expect(await rejection(file('{"a":1}\n[1,2]\n', 'list.jsonl'))).toMatch(
      'Line 2 of "list.jsonl" is an array, not a JSON object',
    );
  });

  it('rejects JSON Lines with only blank lines', async () => {
    expect(await rejection(file('\n\r\n', 'blank.jsonl'))).toMatch('every line is blank');
  });
});

describe('Parquet import', () => {
  it('reads every row group, with 64-bit integers as numbers or, when too big, strings', async () => {
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: 'text', data: ['a', 'café', null], type: 'STRING' },
        { name: 'count', data: [1, 2, 3], type: 'INT32' },
        { name: 'big', data: [1n, 2n ** 60n, null], type: 'INT64' },
        { name: 'ok', data: [true, false, true], type: 'BOOLEAN' },
      ],
      rowGroupSize: 2,
    });
    const dataset = await importFile(new File([buffer], 'table.parquet'));
    expect(dataset.columns).toEqual(['text', 'count', 'big', 'ok']);
    expect(await allRows(dataset.id)).toEqual([
      { text: 'a', count: 1, big: 1, ok: true },
      { text: 'café', count: 2, big: '1152921504606846976', ok: false },
      { text: null, count: 3, big: null, ok: true },
    ]);
  });

  it('reads a large row group in slices of 50,000 rows, lists included', async () => {
    const count = 120_000;
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: 'n', data: Array.from({ length: count }, (_, i) => i), type: 'INT32' },
        {
          name: 'tags',
          data: Array.from({ length: count }, (_, i) => ['t', String(i)]),
          type: 'JSON',
        },
      ],
      rowGroupSize: 200_000,
    });
    const progress: number[] = [];
    const dataset = await importFile(new File([buffer], 'one-group.parquet'), (rows) =>
      progress.push(rows),
    );
    expect(progress).toEqual([50_000, 100_000, 120_000, 120_000]);
    const rows = await allRows(dataset.id);
    expect(rows).toHaveLength(count);
    expect(rows[12_345]).toEqual({ n: 12_345, tags: ['t', '12345'] });
    expect(rows.every((row, i) => row.n === i)).toBe(true);
  });

  it('rejects a file that is not Parquet', async () => {
    expect(await rejection(file('just some text', 'fake.parquet'))).toMatch(
      '"fake.parquet" could not be read as Parquet',
    );
  });
});

describe('a full disk', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  // 2 rows are stored with the dataset record; 9,000 fill pages that are stored on the way.
  it.each([2, 9_000])(
    'stops an import of %i rows with a storage error that says what to do',
    async (count) => {
      vi.spyOn(db.rowPages, 'bulkPut').mockRejectedValue(
        new DOMException('The quota has been exceeded.', 'QuotaExceededError'),
      );
      const csv = ['n', ...Array.from({ length: count }, (_, i) => String(i))].join('\n');
      const error = await importFile(file(csv, 'full.csv', 65_536)).catch((e: unknown) => e);
      expect(EngineError.isInstance(error) && error.toData()).toEqual({
        kind: 'storage',
        message:
          'This browser could not store the dataset "full" (QuotaExceededError: The quota has been exceeded.). Free some disk space or delete datasets you no longer need, then try again.',
        retryable: false,
      });
      expect(await db.datasets.count()).toBe(0);
      expect(await db.rowPages.count()).toBe(0);
    },
  );

  it('still reports a bad file as the file’s fault', async () => {
    vi.spyOn(db.rowPages, 'bulkPut').mockRejectedValue(
      new DOMException('full', 'QuotaExceededError'),
    );
    expect(await rejection(file('a,b\n1,2,3\n', 'bad.csv'))).toMatch('Line 2 of "bad.csv"');
  });
});

it('rejects a format it cannot read, naming the ones it can', async () => {
  expect(await rejection(file('x', 'sheet.xlsx'))).toMatch(
    /cannot import "sheet\.xlsx"\. Choose a CSV .*Parquet/,
  );
});

it('deletes a dataset with its pages', async () => {
  const dataset = await importFile(file('a\n1\n2\n', 'small.csv'));
  expect(await db.rowPages.count()).toBe(1);
  await deleteDataset(dataset.id);
  expect(await db.datasets.count()).toBe(0);
  expect(await db.rowPages.count()).toBe(0);
});
