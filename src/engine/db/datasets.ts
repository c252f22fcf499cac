import Dexie, { type Table } from 'dexie';
import { storageError } from '../errors';
import type { Row } from '../task';
import { inBatches, PAGES_PER_READ } from './pages';
import { type Dataset, db, PAGE_SIZE, type RowPage, type Run } from './schema';

/**
 * Full pages written per transaction while importing: one big bulkPut is far
 * faster than one per page, and 8,000 rows waiting in memory stay small.
 */
export const PAGES_PER_WRITE = 8;

/** Where a parser puts rows while it streams. Await each add before the next. */
export interface RowSink {
  /** Buffers the rows and stores the pages they complete; resolves when those are stored. */
  add(rows: Row[]): Promise<void>;
  readonly rowCount: number;
}

/**
 * Creates a dataset from the rows `fill` adds to the sink. Pages are stored as
 * they fill, and the dataset record is written last, with the final page, so a
 * half-imported dataset never appears. If `fill` throws, or `signal` aborts,
 * the pages written so far are deleted and the error is rethrown.
 */
export function importRows(
  info: Pick<Dataset, 'name' | 'source' | 'derivedFrom'>,
  fill: (sink: RowSink) => Promise<void>,
  signal?: AbortSignal,
): Promise<Dataset> {
  return withImportLock('shared', () => writeRows(info, fill, signal));
}

async function writeRows(
  info: Pick<Dataset, 'name' | 'source' | 'derivedFrom'>,
  fill: (sink: RowSink) => Promise<void>,
  signal: AbortSignal | undefined,
): Promise<Dataset> {
  const id = crypto.randomUUID();
  // A Set keeps insertion order: the columns are the union of keys in first-seen order.
  const columns = new Set<string>();
  let rowCount = 0;
  let pageCount = 0;
  let current: Row[] = [];
  const full: RowPage[] = [];
  // Only the writes become storage errors: a bad file's error is the reader's, and says so.
  const store = async (write: () => Promise<unknown>) => {
    try {
      await write();
    } catch (error) {
      throw storageError(error, `the dataset "${info.name}"`, 'try again');
    }
  };

  const sink: RowSink = {
    get rowCount() {
      return rowCount;
    },
    async add(rows) {
      signal?.throwIfAborted();
      for (const row of rows) {
        for (const key of Object.keys(row)) columns.add(key);
        current.push(row);
        if (current.length === PAGE_SIZE) {
          full.push({ datasetId: id, page: pageCount++, rows: current });
          current = [];
        }
        rowCount++;
      }
      while (full.length >= PAGES_PER_WRITE) {
        const pages = full.splice(0, PAGES_PER_WRITE);
        await store(() => db.rowPages.bulkPut(pages));
      }
    },
  };

  try {
    await fill(sink);
    signal?.throwIfAborted();
    if (current.length > 0) {
      full.push({ datasetId: id, page: pageCount, rows: current });
    }
    const dataset: Dataset = { ...info, id, columns: [...columns], rowCount, created: Date.now() };
    await store(() =>
      db.transaction('rw', db.rowPages, db.datasets, async () => {
        await db.rowPages.bulkPut(full);
        await db.datasets.add(dataset);
      }),
    );
    return dataset;
  } catch (error) {
    // The import's own error is the one to report, even if the cleanup fails too.
    await deletePages(id).catch(() => {});
    throw error;
  }
}

/**
 * Rows [start, start + count) of a dataset, fewer if it ends sooner. The row at
 * position i of the result has index start + i.
 */
export async function readRows(datasetId: string, start: number, count: number): Promise<Row[]> {
  if (count <= 0) return [];
  const first = Math.floor(start / PAGE_SIZE);
  const last = Math.floor((start + count - 1) / PAGE_SIZE);
  const keys: [string, number][] = [];
  for (let page = first; page <= last; page++) keys.push([datasetId, page]);
  const rows: Row[] = [];
  for (const page of await db.rowPages.bulkGet(keys)) {
    if (!page) break; // past the last page
    rows.push(...page.rows);
  }
  const offset = start - first * PAGE_SIZE;
  return rows.slice(offset, offset + count);
}

/** The dataset's pages in order, a few at a time, so a large dataset is never all in memory. */
export function iterateRowPages(datasetId: string): AsyncGenerator<RowPage> {
  return inBatches((from) =>
    db.rowPages
      .where('[datasetId+page]')
      .between([datasetId, from], [datasetId, Infinity])
      .limit(PAGES_PER_READ)
      .toArray(),
  );
}

/**
 * Deletes the dataset and its rows. Runs made from it, and their results, are
 * the run store's to delete (db/runs.ts); this touches only datasets and rowPages.
 */
export async function deleteDataset(id: string): Promise<void> {
  await db.transaction('rw', db.datasets, db.rowPages, async () => {
    await db.datasets.delete(id);
    await deletePages(id);
  });
}

export function deletePages(datasetId: string): Promise<number> {
  return db.rowPages
    .where('[datasetId+page]')
    .between([datasetId, Dexie.minKey], [datasetId, Dexie.maxKey])
    .delete();
}

/** A dataset's record and its runs' records, taken out of the store while their pages stay. */
export interface SetAside {
  dataset: Dataset;
  runs: Run[];
}

/**
 * Takes a dataset's record and its runs' records out of the store, in one
 * transaction, and returns them: the dataset and its runs disappear from every
 * list at once, while their pages, which nothing points to now, stay for
 * putBack. Hold the import lock (holdImportLock) first, or a sweep may take
 * those pages. Undefined when there is no such dataset.
 */
export function setAside(datasetId: string): Promise<SetAside | undefined> {
  return db.transaction('rw', db.datasets, db.runs, async () => {
    const dataset = await db.datasets.get(datasetId);
    if (!dataset) return undefined;
    const runs = await db.runs.where('datasetId').equals(datasetId).toArray();
    await db.runs.bulkDelete(runs.map((run) => run.id));
    await db.datasets.delete(datasetId);
    return { dataset, runs };
  });
}

/** Stores what setAside took out, as it was, in one transaction. */
export async function putBack({ dataset, runs }: SetAside): Promise<void> {
  await db.transaction('rw', db.datasets, db.runs, async () => {
    await db.runs.bulkAdd(runs);
    await db.datasets.add(dataset);
  });
}

/**
 * Deletes pages that belong to nothing: rows of no dataset (what an import
 * leaves when its tab is closed midway) and results of no run (what a
 * restore leaves so). Imports, restores and deletions that can be undone hold
 * the import lock shared while they keep such pages, so the sweep, which
 * needs it alone, never runs while any tab has one under way.
 */
export async function sweepOrphanPages(): Promise<number> {
  let deleted = 0;
  await withImportLock('exclusive', async () => {
    // Read together: a run started meanwhile has its record in the same snapshot as its results.
    const tables = [db.datasets, db.runs, db.rowPages, db.resultPages, db.resultMeta];
    const orphans = await db.transaction('r', tables, async () => {
      const datasets = new Set(await db.datasets.toCollection().primaryKeys());
      const runs = new Set(await db.runs.toCollection().primaryKeys());
      return Promise.all([
        orphansOf(db.rowPages, datasets),
        orphansOf(db.resultPages, runs),
        orphansOf(db.resultMeta, runs),
      ]);
    });
    await db.rowPages.bulkDelete(orphans[0]);
    await db.resultPages.bulkDelete(orphans[1]);
    await db.resultMeta.bulkDelete(orphans[2]);
    deleted = orphans.flat().length;
  });
  return deleted;
}

/** The keys of a table's pages whose owner (a dataset or run id, first in the key) is not in `owners`. */
async function orphansOf(
  table: Table<unknown, [string, number]>,
  owners: Set<string>,
): Promise<[string, number][]> {
  const keys = await table.toCollection().primaryKeys();
  return keys.filter(([owner]) => !owners.has(owner));
}

/** Web Locks span tabs and workers; where there are none (Node tests), the body just runs. */
export function withImportLock<T>(mode: LockMode, body: () => Promise<T>): Promise<T> {
  const locks = globalThis.navigator?.locks;
  if (!locks) return body();
  // A sweep gives way to any import under way; an import waits for a sweep to end.
  const options = mode === 'exclusive' ? { mode, ifAvailable: true } : { mode };
  return locks.request('retort-import', options, (lock) =>
    lock ? body() : Promise.resolve(undefined as T),
  );
}

/**
 * Takes the import lock shared and keeps it until the returned function is
 * called: for pages that must outlive the command that keeps them (a deletion
 * waiting for Undo). A closed tab lets go of it.
 */
export function holdImportLock(): Promise<() => void> {
  return new Promise((held) => {
    void withImportLock('shared', () => new Promise<void>((release) => held(release)));
  });
}
