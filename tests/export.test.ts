import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import Papa from 'papaparse';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { iterateRowPages, readRows } from '../src/engine/db/datasets';
import {
  type ExportFormat,
  exportFileName,
  exportRows,
  type RowBatches,
} from '../src/engine/io/export';
import { openFileSink } from '../src/engine/io/fileSink';
import { importFile } from '../src/engine/io/import';
import type { Row } from '../src/engine/task';

const columns = [
  'instruction',
  'generation',
  'ratings',
  'flag',
  'model_name',
  'distilabel_metadata',
];

const rows: Row[] = [
  {
    instruction: 'Say "hi", please',
    generation: 'line one\nline two',
    ratings: [4, 5],
    flag: true,
    model_name: 'tiny',
    distilabel_metadata: {
      raw_output_text_generation: 'x, "y"\nz',
      statistics_text_generation: { input_tokens: 3, output_tokens: 9 },
    },
  },
  {
    instruction: 'café, naïve — 日本語',
    generation: null,
    ratings: null,
    flag: false,
    model_name: 'tiny',
    distilabel_metadata: {},
  },
  // `generation` is missing: it exports as null.
  {
    instruction: '  padded  ',
    ratings: [1.5],
    flag: null,
    model_name: 'tiny',
    distilabel_metadata: {},
  },
];

/** The rows in batches, as pages come from the database. */
function batches(size: number, all: Row[] = rows) {
  return async function* () {
    for (let i = 0; i < all.length; i += size) yield all.slice(i, i + size);
  };
}

/** The file exportRows writes, and the running row counts it reported on the way. */
async function exported(format: ExportFormat, rows: RowBatches, names = columns) {
  const counts: number[] = [];
  const { file } = await exportRows(format, rows, names, { datasetName: 'd', taskId: 't' }, (n) =>
    counts.push(n),
  );
  return { file, counts };
}

describe('CSV export', () => {
  it('reads back cell for cell: lists and metadata as JSON, null as an empty cell', async () => {
    const { file, counts } = await exported('csv', batches(2));
    const text = await file.text();
    expect(counts).toEqual([2, 3]);
    expect(text.split('\r\n')[0]).toBe(columns.join(','));
    expect(text.endsWith('\r\n')).toBe(true);

    const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true });
    expect(parsed.errors).toEqual([]);
    expect(parsed.meta.fields).toEqual(columns);
    expect(parsed.data).toEqual([
      {
        instruction: 'Say "hi", please',
        generation: 'line one\nline two',
        ratings: '[4,5]',
        flag: 'true',
        model_name: 'tiny',
        distilabel_metadata: JSON.stringify(rows[0].distilabel_metadata),
      },
      {
        instruction: 'café, naïve — 日本語',
        generation: '',
        ratings: '',
        flag: 'false',
        model_name: 'tiny',
        distilabel_metadata: '{}',
      },
      {
        instruction: '  padded  ',
        generation: '',
        ratings: '[1.5]',
        flag: '',
        model_name: 'tiny',
        distilabel_metadata: '{}',
      },
    ]);
    expect(JSON.parse(parsed.data[0].distilabel_metadata)).toEqual(rows[0].distilabel_metadata);
  });

  it('quotes every field exactly as papaparse does', async () => {
    const awkward = [
      'plain',
      'a,b',
      'say "hi"',
      'two\nlines',
      'cr\rhere',
      ' lead',
      'trail ',
      '\ufeffbom',
      '',
      'x y',
      '=1+1',
      "'q'",
      'tab\there',
      '日本語',
    ];
    const names = awkward.map((text, i) => `${text}${i}`);
    const values = [...awkward, 7, -0.5, true, null, { a: '"b", c' }, ['x', 'y z ']];
    const wide = [...names, 'n', 'f', 'b', 'null', 'object', 'list'];
    const row = Object.fromEntries(wide.map((name, i) => [name, values[i]]));
    const { file } = await exported('csv', batches(1, [row, row]), wide);
    const cells = wide.map((name) => {
      const value = row[name];
      return typeof value === 'object' && value !== null ? JSON.stringify(value) : value;
    });
    const reference = Papa.unparse([wide, cells, cells], { newline: '\r\n' });
    expect(await file.text()).toBe(`${reference}\r\n`);
  });

  it('is a file Retort imports again unchanged', async () => {
    const { file } = await exported('csv', batches(1));
    const dataset = await importFile(new File([file], 'again.csv'));
    expect(dataset.columns).toEqual(columns);
    const stored = (await readRows(dataset.id, 0, 3)).map((row) => row.instruction);
    expect(stored).toEqual(rows.map((row) => row.instruction));
    expect((await readRows(dataset.id, 0, 1))[0].generation).toBe('line one\nline two');
  });

  it('writes the header alone when there are no rows', async () => {
    const { file, counts } = await exported('csv', batches(1, []));
    expect(await file.text()).toBe(`${columns.join(',')}\r\n`);
    expect(counts).toEqual([]);
  });
});

describe('JSONL export', () => {
  it('writes one object per line, keys in column order, values as they are', async () => {
    const { file, counts } = await exported('jsonl', batches(2));
    expect(counts).toEqual([2, 3]);
    const lines = (await file.text()).split('\n');
    expect(lines.pop()).toBe('');
    const objects = lines.map((line) => JSON.parse(line));
    expect(objects.map((object) => Object.keys(object))).toEqual([columns, columns, columns]);
    expect(objects[0]).toEqual(rows[0]);
    expect(objects[1]).toEqual(rows[1]);
    expect(objects[2]).toEqual({ ...rows[2], generation: null });
  });
});

describe('Parquet export', () => {
  it('types the columns and reads back with hyparquet, over several row groups', async () => {
    const many: Row[] = Array.from({ length: 12_345 }, (_, i) => ({
      id: i,
      score: i % 2 ? i + 0.5 : i,
      text: `row ${i} — 日本語`,
      ok: i % 3 === 0,
      tags: i % 5 ? ['a', String(i)] : null,
      mixed: i % 2 ? 'odd' : i,
      empty: null,
      distilabel_metadata: { raw_output_t: `out ${i}` },
    }));
    const names = Object.keys(many[0]);
    const { file: blob, counts } = await exported('parquet', batches(1000, many), names);
    const file = await blob.arrayBuffer();
    // Counted while written, not while the columns were typed: twelve batches of 1,000, then the rest.
    expect(counts).toEqual([...Array.from({ length: 12 }, (_, i) => (i + 1) * 1000), 12_345]);

    const metadata = parquetMetadata(file);
    expect(Number(metadata.num_rows)).toBe(12_345);
    expect(metadata.row_groups.map((group) => Number(group.num_rows))).toEqual([10_000, 2_345]);
    const types = Object.fromEntries(
      metadata.schema.slice(1).map((s) => [s.name, s.converted_type ?? s.type]),
    );
    expect(types).toEqual({
      id: 'INT32',
      score: 'DOUBLE',
      text: 'UTF8',
      ok: 'BOOLEAN',
      tags: 'JSON',
      mixed: 'JSON',
      empty: 'UTF8',
      distilabel_metadata: 'JSON',
    });

    const read = await parquetReadObjects({ file });
    expect(read).toHaveLength(12_345);
    for (const i of [0, 1, 4, 5, 9_999, 10_000, 12_344]) expect(read[i]).toEqual(many[i]);
  });

  it('widens a column that a still running run gives another kind of value after typing', async () => {
    // The first pass sees the run as it was; later passes see results that came in since.
    const before: Row[] = [
      { id: 1, pending: null, score: 2, label: 'a' },
      { id: 2, pending: null, score: 3, label: 'b' },
    ];
    const after: Row[] = [
      { id: 1, pending: 7, score: 2.5, label: 'a' },
      { id: 2, pending: 'late', score: 3, label: 'b' },
      { id: 3, pending: null, score: 4, label: 'c' },
    ];
    let passes = 0;
    const changing = () => {
      passes++;
      return batches(1, passes === 1 ? before : after)();
    };
    const names = Object.keys(before[0]);
    const { file: blob, counts } = await exported('parquet', changing, names);
    const file = await blob.arrayBuffer();
    const types = Object.fromEntries(
      parquetMetadata(file)
        .schema.slice(1)
        .map((s) => [s.name, s.converted_type ?? s.type]),
    );
    expect(types).toEqual({ id: 'INT32', pending: 'JSON', score: 'DOUBLE', label: 'UTF8' });
    expect(await parquetReadObjects({ file })).toEqual(after);
    expect(passes).toBeGreaterThan(2);
    // Each rewrite counts afresh: the count ends at the rows written, never more.
    expect(counts.at(-1)).toBe(after.length);
    expect(Math.max(...counts)).toBe(after.length);
  });

  it('starts the file again when a column widens after a row group was written', async () => {
    const before: Row[] = Array.from({ length: 10_001 }, (_, i) => ({ id: i, late: null }));
    const after = before.map((row, i) => (i === 10_000 ? { ...row, late: 7 } : row));
    let passes = 0;
    const changing = () => batches(1000, passes++ === 0 ? before : after)();
    const { file: blob, counts } = await exported('parquet', changing, ['id', 'late']);
    const file = await blob.arrayBuffer();
    expect(passes).toBe(3);
    expect(parquetMetadata(file).row_groups.map((group) => Number(group.num_rows))).toEqual([
      10_000, 1,
    ]);
    expect(await parquetReadObjects({ file })).toEqual(after);
    // The first writing pass got to 10,000 rows; the rewrite counted again from the start.
    expect(counts.at(-1)).toBe(10_001);
    expect(Math.max(...counts)).toBe(10_001);
  });

  it('writes a readable file with no rows', async () => {
    const file = await (await exported('parquet', batches(1, []))).file.arrayBuffer();
    expect(Number(parquetMetadata(file).num_rows)).toBe(0);
    expect(await parquetReadObjects({ file })).toEqual([]);
  });
});

describe('exportRows', () => {
  it('exports a stored dataset page by page, named after the dataset and task', async () => {
    const csv = ['n,text', ...Array.from({ length: 2500 }, (_, i) => `${i},row ${i}`)].join('\n');
    const dataset = await importFile(new File([csv], 'My Prompts.csv'));
    const pages = async function* () {
      for await (const page of iterateRowPages(dataset.id)) yield page.rows;
    };
    const { file, fileName } = await exportRows('jsonl', pages, dataset.columns, {
      datasetName: dataset.name,
      taskId: 'text_generation',
    });
    expect(fileName).toBe('my-prompts-text-generation.jsonl');
    const lines = (await file.text()).trimEnd().split('\n');
    expect(lines).toHaveLength(2500);
    expect(JSON.parse(lines[2499])).toEqual({ n: '2499', text: 'row 2499' });
  });
});

/**
 * Just enough of the origin private file system for openFileSink: one
 * directory of files, each its bytes and when it was last written.
 */
function fakeFileSystem() {
  const files = new Map<string, { bytes: Uint8Array<ArrayBuffer>; lastModified: number }>();
  const written = (name: string, bytes: Uint8Array<ArrayBuffer>) =>
    files.set(name, { bytes, lastModified: Date.now() });
  const fileHandle = (name: string) => ({
    kind: 'file',
    name,
    getFile: async () => {
      const { bytes, lastModified } = files.get(name)!;
      return new File([bytes], name, { lastModified });
    },
    createSyncAccessHandle: async () => ({
      write(buffer: Uint8Array, { at }: { at: number }) {
        const before = files.get(name)!.bytes;
        const bytes = new Uint8Array(Math.max(before.length, at + buffer.length));
        bytes.set(before);
        bytes.set(buffer, at);
        written(name, bytes);
        return buffer.length;
      },
      truncate: (size: number) => written(name, files.get(name)!.bytes.slice(0, size)),
      flush() {},
      close() {},
    }),
  });
  const directory = {
    async getFileHandle(name: string) {
      if (!files.has(name)) written(name, new Uint8Array());
      return fileHandle(name);
    },
    async *entries() {
      for (const name of files.keys()) yield [name, fileHandle(name)];
    },
    async removeEntry(name: string) {
      files.delete(name);
    },
  };
  const storage = { getDirectory: async () => ({ getDirectoryHandle: async () => directory }) };
  return { files, storage };
}

describe('file sinks', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('assemble the file in memory where there is no file system storage, as in Node', async () => {
    expect(typeof navigator).toBe('undefined');
    const sink = await openFileSink('d-t.csv');
    const bytes = new TextEncoder().encode('b,');
    sink.write('a,');
    sink.write(bytes);
    // The sink keeps its own copy: the Parquet writer reuses its buffer after each row group.
    bytes.fill(0);
    sink.write('日本語\r\n');
    const file = await sink.close('text/csv');
    expect(file.type).toBe('text/csv');
    expect(await file.text()).toBe('a,b,日本語\r\n');
  });

  it('fall back to memory when the browser refuses its file system storage', async () => {
    const getDirectory = () => Promise.reject(new DOMException('denied', 'SecurityError'));
    vi.stubGlobal('navigator', { storage: { getDirectory } });
    const { file } = await exported('csv', batches(2));
    expect((await file.text()).split('\r\n')).toHaveLength(5);
  });

  it.each([
    ['in memory', () => {}],
    ['on disk', () => vi.stubGlobal('navigator', { storage: fakeFileSystem().storage })],
  ])('keep only what was written after a reset, %s', async (_, storage) => {
    storage();
    const sink = await openFileSink('d-t.jsonl');
    sink.write('first pass, cut short\n');
    sink.reset();
    sink.write('second\n');
    expect(await (await sink.close('application/x-ndjson')).text()).toBe('second\n');
  });

  it('write an export to disk, deleting the exports written more than ten minutes before', async () => {
    const { files, storage } = fakeFileSystem();
    vi.stubGlobal('navigator', { storage });
    const minutesAgo = (minutes: number) => ({
      bytes: new Uint8Array([1]),
      lastModified: Date.now() - minutes * 60_000,
    });
    files.set('old.csv', minutesAgo(11));
    files.set('maybe-downloading.csv', minutesAgo(9));

    const { file, counts } = await exported('csv', batches(2));
    expect(counts).toEqual([2, 3]);
    const [kept, name, ...others] = files.keys();
    expect([kept, others]).toEqual(['maybe-downloading.csv', []]);
    expect(name).toMatch(/-d-t\.csv$/);
    expect(new TextDecoder().decode(files.get(name)!.bytes)).toBe(await file.text());
    expect(file.type).toBe('text/csv;charset=utf-8');
  });

  it('delete the file of an export that fails', async () => {
    const { files, storage } = fakeFileSystem();
    vi.stubGlobal('navigator', { storage });
    const failing = async function* () {
      yield rows;
      throw new DOMException('The export was cancelled.', 'AbortError');
    };
    await expect(exported('jsonl', failing)).rejects.toThrow('cancelled');
    expect(files.size).toBe(0);
  });
});

it('slugs file names, keeping letters of any script', () => {
  expect(exportFileName('My Prompts — v2 (final)', 'ultrafeedback', 'parquet')).toBe(
    'my-prompts-v2-final-ultrafeedback.parquet',
  );
  expect(exportFileName('日本語データ', 'text_generation', 'csv')).toBe(
    '日本語データ-text-generation.csv',
  );
  expect(exportFileName('***', '', 'jsonl')).toBe('dataset-task.jsonl');
});
