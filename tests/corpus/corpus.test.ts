import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { iterateRowPages } from '../../src/engine/db/datasets';
import { db } from '../../src/engine/db/schema';
import { EngineError } from '../../src/engine/errors';
import { importFile } from '../../src/engine/io/import';
import type { Row } from '../../src/engine/task';
import { generated } from './generated';
import { type Expected, manifest } from './manifest';

/**
 * The corpus of bad, odd and hostile files: each is imported as the worker
 * imports it, streamed whole and 7 bytes at a time (so characters, lines and
 * rows straddle chunks), and must store exactly what its entry says, or be
 * refused with an input error that names the file, matches the entry, stays
 * short, and leaves nothing stored.
 */

const FILES = new URL('files/', import.meta.url);
/** Files in files/ that are not part of the corpus. */
const NOT_CORPUS = new Set(['.gitattributes', 'biome.jsonc']);
/** Longer than this, an alert is a wall of text: a name or a list was not shortened. */
const LONGEST_MESSAGE = 600;

interface Case {
  name: string;
  expected: Expected;
  content: () => string | Uint8Array;
}

const cases: Case[] = [
  ...Object.entries(manifest).map(([name, expected]) => ({
    name,
    expected,
    content: () => new Uint8Array(readFileSync(new URL(name, FILES))),
  })),
  ...Object.entries(generated).map(([name, { content, ...expected }]) => ({
    name,
    expected,
    content,
  })),
];

/**
 * How the file's stream hands out its bytes. Small pieces stand for a slow
 * disk or network; past 64 KB they are 4 KB, as 7-byte ones would only slow
 * the test down (a File of many parts streams slowly in Node).
 */
const streamings = [
  { how: 'whole', pieceSize: () => Number.POSITIVE_INFINITY },
  { how: 'in small pieces', pieceSize: (size: number) => (size > 65_536 ? 4096 : 7) },
];

function fileOf({ name, content }: Case, pieceSize: (size: number) => number): File {
  const data = content();
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const size = pieceSize(bytes.length);
  const pieces: Uint8Array<ArrayBuffer>[] = [];
  for (let i = 0; i < bytes.length; i += size) {
    pieces.push(bytes.slice(i, Math.min(i + size, bytes.length)));
  }
  return new File(pieces, name);
}

async function storedRows(datasetId: string): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const page of iterateRowPages(datasetId)) rows.push(...page.rows);
  return rows;
}

/** A row as its own keys and values in order: what an imported row must keep exactly. */
const entries = (row: Row) => Object.entries(row);

beforeEach(async () => {
  await db.datasets.clear();
  await db.rowPages.clear();
});

afterAll(() => {
  expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
});

it('lists every file in files/ in the manifest, and no file that is not there', () => {
  const files = readdirSync(FILES).filter((name) => !NOT_CORPUS.has(name));
  expect(files.sort()).toEqual(Object.keys(manifest).sort());
  expect(cases.length).toBeGreaterThanOrEqual(40);
});

describe.each(streamings)('read $how', ({ pieceSize }) => {
  it.each(cases)('$name: $expected.why', async (corpusCase) => {
    const { name, expected } = corpusCase;
    const outcome = importFile(fileOf(corpusCase, pieceSize));

    if ('refused' in expected) {
      const error = await outcome.then(
        (dataset) => new Error(`imported ${dataset.rowCount} rows`),
        (thrown: unknown) => thrown,
      );
      if (!EngineError.isInstance(error)) throw error;
      expect(error.kind).toBe('input');
      expect(error.message).toMatch(expected.refused);
      expect(error.message).toContain(`"${name}"`);
      expect(error.message).not.toMatch(/reload/i);
      expect(error.message.length).toBeLessThan(LONGEST_MESSAGE);
      expect(await db.datasets.count()).toBe(0);
      expect(await db.rowPages.count()).toBe(0);
      return;
    }

    const dataset = await outcome;
    expect(dataset.columns).toEqual(expected.columns);
    const rows = await storedRows(dataset.id);
    if ('rows' in expected) {
      expect(rows.map(entries)).toEqual(expected.rows.map(entries));
    } else {
      expect(rows).toHaveLength(expected.rowCount);
      for (const [index, row] of Object.entries(expected.some)) {
        expect(entries(rows[Number(index)])).toEqual(entries(row));
      }
    }
  });
});
