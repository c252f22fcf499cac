import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { iterateRowPages, readRows } from '../src/engine/db/datasets';
import {
  exportCSV,
  exportFileName,
  exportJSONL,
  exportParquet,
  exportRows,
} from '../src/engine/io/export';
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

describe('CSV export', () => {
  it('reads back cell for cell: lists and metadata as JSON, null as an empty cell', async () => {
    const text = await (await exportCSV(batches(2)(), columns)).text();
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

  it('is a file Retort imports again unchanged', async () => {
    const blob = await exportCSV(batches(1)(), columns);
    const dataset = await importFile(new File([blob], 'again.csv'));
    expect(dataset.columns).toEqual(columns);
    const stored = (await readRows(dataset.id, 0, 3)).map((row) => row.instruction);
    expect(stored).toEqual(rows.map((row) => row.instruction));
    expect((await readRows(dataset.id, 0, 1))[0].generation).toBe('line one\nline two');
  });

  it('writes the header alone when there are no rows', async () => {
    const blob = await exportCSV(batches(1, [])(), columns);
    expect(await blob.text()).toBe(`${columns.join(',')}\r\n`);
  });
});

describe('JSONL export', () => {
  it('writes one object per line, keys in column order, values as they are', async () => {
    const text = await (await exportJSONL(batches(2)(), columns)).text();
    const lines = text.split('\n');
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
    const blob = await exportParquet(batches(1000, many), names);
    const file = await blob.arrayBuffer();

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
    const file = await (await exportParquet(changing, names)).arrayBuffer();
    const types = Object.fromEntries(
      parquetMetadata(file)
        .schema.slice(1)
        .map((s) => [s.name, s.converted_type ?? s.type]),
    );
    expect(types).toEqual({ id: 'INT32', pending: 'JSON', score: 'DOUBLE', label: 'UTF8' });
    expect(await parquetReadObjects({ file })).toEqual(after);
    expect(passes).toBeGreaterThan(2);
  });

  it('writes a readable file with no rows', async () => {
    const file = await (await exportParquet(batches(1, []), columns)).arrayBuffer();
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
    const { blob, fileName } = await exportRows('jsonl', pages, dataset.columns, {
      datasetName: dataset.name,
      taskId: 'text_generation',
    });
    expect(fileName).toBe('my-prompts-text-generation.jsonl');
    const lines = (await blob.text()).trimEnd().split('\n');
    expect(lines).toHaveLength(2500);
    expect(JSON.parse(lines[2499])).toEqual({ n: '2499', text: 'row 2499' });
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
