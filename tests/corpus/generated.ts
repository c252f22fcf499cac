import type { Expected } from './manifest';

/**
 * Corpus files too big to commit, or with names a file system may refuse,
 * made in memory by the test: each with its expected outcome, as in the manifest.
 */
export type Generated = Expected & { content: () => string | Uint8Array };

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

const WIDE = range(5000).map((i) => `c${i + 1}`);
const wideRow = (r: number) => Object.fromEntries(WIDE.map((name) => [name, `${r}.${name}`]));
const wideLine = (r: number) => WIDE.map((name) => `${r}.${name}`).join(',');

const LONG_NAME = `name_${'n'.repeat(9995)}`;

/** `levels` arrays, one inside the other, around 0 (as JSON text). */
const nested = (levels: number) => `${'['.repeat(levels)}0${']'.repeat(levels)}`;
const nestedValue = (levels: number): unknown => (levels === 0 ? 0 : [nestedValue(levels - 1)]);

/** Past the first 64 KB a reader gets, and the 4 KB looked at first. */
const FILLER = range(2000).map((i) => `${i},${'filler text '.repeat(5)}`);

export const generated: Record<string, Generated> = {
  '5000-columns.csv': {
    why: '5,000 columns',
    content: () => [WIDE.join(','), wideLine(0), wideLine(1)].join('\n'),
    columns: WIDE,
    rows: [wideRow(0), wideRow(1)],
  },
  '5000-columns-ragged.csv': {
    why: '5,000 columns and a row one value short',
    content: () => [WIDE.join(','), wideLine(0), wideLine(1).replace(/,[^,]*$/, '')].join('\n'),
    refused:
      /^Line 3 of "5000-columns-ragged\.csv" has 4,999 values, but the header \(line 1\) has 5,000 columns\./,
  },
  '5000-keys.jsonl': {
    why: '5,000 keys in one JSON object',
    content: () => `${JSON.stringify(wideRow(0))}\n`,
    columns: WIDE,
    rows: [wideRow(0)],
  },
  'long-name.csv': {
    why: 'a column name of 10,000 characters',
    content: () => `id,${LONG_NAME}\n1,x\n`,
    columns: ['id', LONG_NAME],
    rows: [{ id: '1', [LONG_NAME]: 'x' }],
  },
  'long-name-twice.csv': {
    why: 'that name twice: the message shortens it',
    content: () => `${LONG_NAME},${LONG_NAME}\n1,2\n`,
    refused:
      /^The header \(line 1\) of "long-name-twice\.csv" names the column "name_n{34}…" twice \(columns 1 and 2\)\./,
  },
  'long-cell.csv': {
    why: 'a value of 1,000,000 characters, line breaks inside',
    content: () => `id,text\n1,"${'a line\n'.repeat(142_857)}a"\n`,
    columns: ['id', 'text'],
    rows: [{ id: '1', text: `${'a line\n'.repeat(142_857)}a` }],
  },
  'deep.json': {
    why: 'a value nested 100,000 levels deep',
    content: () => `[{"a": ${nested(100_000)}}]`,
    refused:
      /^Item 1 \(index 0\) of the array in "deep\.json" holds a value nested more than 1,000 levels deep, which a browser can neither store nor show\. Flatten the value, or store it as a JSON string\.$/,
  },
  'deep.jsonl': {
    why: 'the same on line 2 of JSON Lines',
    content: () => `{"a": 1}\n{"a": ${nested(100_000)}}\n`,
    refused:
      /^Line 2 of "deep\.jsonl" holds a value nested more than 1,000 levels deep, which a browser can neither store nor show\./,
  },
  'deepest-allowed.json': {
    why: 'a row nested 1,000 levels deep, itself counted',
    content: () => `[{"a": ${nested(999)}}]`,
    columns: ['a'],
    rows: [{ a: nestedValue(999) }],
  },
  'nul-past-64k.csv': {
    why: 'a NUL byte past the first chunk',
    content: () => ['n,text', ...FILLER, '2000,late\0value', ''].join('\n'),
    columns: ['n', 'text'],
    rowCount: 2001,
    some: {
      1999: { n: '1999', text: 'filler text '.repeat(5) },
      2000: { n: '2000', text: 'late\0value' },
    },
  },
  'latin1-past-64k.csv': {
    why: 'Latin-1 past the first chunk, after pages of rows were stored',
    content: () => latin1(['n,text', ...FILLER, '2000,café', ''].join('\n')),
    refused:
      /^Line 2,002 of "latin1-past-64k\.csv" is not UTF-8 text: from byte 130,906 of the file, 0xE9 0x0A is no UTF-8 character\./,
  },
  'bad-line-past-64k.jsonl': {
    why: 'a bad line among thousands, after pages of rows were stored',
    content: () =>
      range(3000)
        .map((i) => (i === 2344 ? '{"n": 2345' : JSON.stringify({ n: i + 1, pad: 'x'.repeat(40) })))
        .join('\n'),
    refused:
      /^Line 2,345 of "bad-line-past-64k\.jsonl" is not valid JSON: expected ',' or '}' after property value \(column 11\)\./,
  },
  '"><img src=x onerror=alert(1)>.csv': {
    why: 'markup in the file name',
    content: () => 'a\n1\n',
    columns: ['a'],
    rows: [{ a: '1' }],
  },
};
