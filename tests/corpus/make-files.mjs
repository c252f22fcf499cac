// Writes the corpus files whose bytes matter more than their text: other
// encodings, broken UTF-8, NUL bytes, binary formats under text names, and
// Parquet. The files are committed; this script says how each was made, and
// writes the same bytes on every run.
//
//   node tests/corpus/make-files.mjs
//
// The files typed as text sit beside them in tests/corpus/files/, and
// tests/corpus/manifest.ts gives the expected outcome of each.

import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { parquetWriteBuffer } from 'hyparquet-writer';

const dir = new URL('files/', import.meta.url);
const utf8 = (text) => new TextEncoder().encode(text);
const latin1 = (text) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const bytes = (...parts) =>
  Uint8Array.from(
    parts.flatMap((part) => (typeof part === 'string' ? [...utf8(part)] : [...part])),
  );

/** UTF-16 code units of `text`, in either byte order. */
function utf16(text, order) {
  const out = [];
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    out.push(...(order === 'le' ? [unit & 0xff, unit >> 8] : [unit >> 8, unit & 0xff]));
  }
  return out;
}

function utf32le(text) {
  return [...text].flatMap((c) => {
    const point = c.codePointAt(0);
    return [point & 0xff, (point >> 8) & 0xff, point >> 16, 0];
  });
}

/** Deterministic noise: a linear congruential generator. */
function noise(length, seed) {
  const out = new Uint8Array(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    out[i] = state >>> 24;
  }
  return out;
}

const parquet = (options) => new Uint8Array(parquetWriteBuffer(options));

const small = parquet({
  columnData: [
    { name: 'id', data: [1, 2], type: 'INT32' },
    { name: 'text', data: ['a', 'b'], type: 'STRING' },
  ],
});

const ten = Array.from({ length: 10 }, (_, i) => i);

let deep = { leaf: true };
for (let i = 0; i < 2000; i++) deep = [deep];

const files = {
  'bom-utf8.csv': bytes([0xef, 0xbb, 0xbf], 'id,text\n1,café\n'),
  'utf16le-bom.csv': bytes([0xff, 0xfe], utf16('name,note\r\nAda,😀 ok\r\nзвезда,日本\r\n', 'le')),
  'utf16be-bom.tsv': bytes([0xfe, 0xff], utf16('name\tnote\nAda\t😀 ok\n', 'be')),
  'utf16le-bom.jsonl': bytes([0xff, 0xfe], utf16('{"a": "é"}\n{"a": "日本"}\n', 'le')),
  'utf16le-no-bom.csv': bytes(utf16('name,note\r\nAda,ok\r\n', 'le')),
  'utf16le-lone-surrogate.csv': bytes([0xff, 0xfe], utf16('a,b\n1,\udc00\n', 'le')),
  'utf32le-bom.csv': bytes([0xff, 0xfe, 0, 0], utf32le('a,b\n1,2\n')),
  'utf32be-bom.json': bytes([0, 0, 0xfe, 0xff, 0, 0, 0, 0x5b, 0, 0, 0, 0x5d]),
  'latin1.csv': latin1('name,city\nJosé,Zürich\n'),
  'latin1-late.csv': latin1(
    `n,text\n${ten.map((i) => `${i},${'plain ascii '.repeat(50)}`).join('\n')}\n10,café\n`,
  ),
  'windows-1252.csv': latin1('quote\n\x93smart quotes\x94\n'),
  'truncated-utf8.csv': utf8('a\n日本').slice(0, -1),
  'surrogate-utf8.csv': bytes('a\n', [0xed, 0xa0, 0x80], '\n'),
  'overlong-utf8.csv': bytes('a\n', [0xc0, 0xaf], '\n'),
  'nul-early.csv': utf8('a\0b,c\n\0,x\n'),
  'nul-late.csv': utf8(
    `id,text\n${ten.map((i) => `${i},${'x'.repeat(600)}`).join('\n')}\n10,late\0value\n`,
  ),
  'nul-raw.jsonl': utf8('{"a": "ok"}\n{"a": "\\u0000 escaped"}\n{"a": "raw\0nul"}\n'),
  'png.csv': bytes(
    [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d],
    'IHDR',
    [0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89],
  ),
  // The first bytes of an .xlsx workbook: a ZIP local file header.
  'xlsx-head.csv': bytes(
    [0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0x06, 0, 0x08, 0],
    '[Content_Types].xml',
  ),
  'gzip.csv': gzipSync(utf8('a,b\n1,2\n'), { level: 9, mtime: 0 }),
  'parquet-as.csv': small,
  'parquet-as.jsonl': small,
  'pdf.json': utf8(
    '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
  ),
  'sqlite.csv': bytes('SQLite format 3\0', new Uint8Array(84)),
  'gguf.csv': bytes('GGUF', [3, 0, 0, 0], new Uint8Array(16)),
  'random.jsonl': bytes([0x9c], noise(255, 7)),
  'proto-keys.parquet': parquet({
    columnData: ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'].map(
      (name, i) => ({ name, data: [`${name}-0`, i === 1 ? null : `${name}-1`], type: 'STRING' }),
    ),
  }),
  'odd-types.parquet': parquet({
    columnData: [
      { name: 'big', data: [2n ** 60n, -(2n ** 63n), 42n], type: 'INT64' },
      { name: 'half', data: [1.5, -0, null], type: 'FLOAT16' },
      { name: 'double', data: [Number.NaN, Number.POSITIVE_INFINITY, -1e-300], type: 'DOUBLE' },
      {
        name: 'when',
        data: [new Date(0), new Date(Date.UTC(2024, 1, 29, 12, 30)), null],
        type: 'TIMESTAMP',
      },
      {
        name: 'uuid',
        data: ['00112233-4455-6677-8899-aabbccddeeff', null, null],
        type: 'UUID',
      },
      {
        name: 'json',
        data: [{ nested: [1, { deep: true }] }, [1, 2], null],
        type: 'JSON',
      },
      {
        name: 'bytes',
        data: [new Uint8Array([0, 255]), new Uint8Array(), null],
        type: 'BYTE_ARRAY',
      },
      { name: 'text', data: ['emoji 😀', 'NUL \0 inside', ''], type: 'STRING' },
      { name: 'flag', data: [true, null, false], type: 'BOOLEAN' },
    ],
  }),
  'nested.parquet': parquet({
    columnData: [
      { name: 'id', data: [1, 2, 3] },
      { name: 'struct', data: [{ a: 1, list: ['x', 'y'] }, { a: null, list: [] }, null] },
      { name: 'map', data: [{ constructor: 'c', key: 'v' }, {}, null] },
    ],
    schema: [
      { name: 'root', num_children: 3 },
      { name: 'id', type: 'INT32', repetition_type: 'REQUIRED' },
      { name: 'struct', repetition_type: 'OPTIONAL', num_children: 2 },
      { name: 'a', type: 'INT32', repetition_type: 'OPTIONAL' },
      { name: 'list', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      { name: 'element', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      { name: 'map', repetition_type: 'OPTIONAL', converted_type: 'MAP', num_children: 1 },
      { name: 'key_value', repetition_type: 'REPEATED', num_children: 2 },
      { name: 'key', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
      { name: 'value', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
    ],
  }),
  'many-row-groups.parquet': parquet({
    columnData: [{ name: 'n', data: ten, type: 'INT32' }],
    rowGroupSize: 3,
  }),
  'deep-json.parquet': parquet({
    columnData: [
      { name: 'id', data: [1], type: 'INT32' },
      { name: 'doc', data: [deep], type: 'JSON' },
    ],
  }),
  'duplicate-columns.parquet': parquet({
    columnData: [
      { name: 'a', data: [1], type: 'INT32' },
      { name: 'a', data: [2], type: 'INT32' },
    ],
  }),
  'no-rows.parquet': parquet({ columnData: [{ name: 'a', data: [], type: 'INT32' }] }),
  'truncated.parquet': small.slice(0, Math.floor(small.length / 2)),
  'footer-only.parquet': small.slice(-8),
};

for (const [name, content] of Object.entries(files)) writeFileSync(new URL(name, dir), content);
console.log(`wrote ${Object.keys(files).length} files to ${dir.pathname}`);
