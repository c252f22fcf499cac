import Dexie, { type Table } from 'dexie';
import { type EngineError, inputError, storageError } from '../errors';
import { deletePages, PAGES_PER_WRITE, withImportLock } from './datasets';
import { PAGES_PER_READ } from './pages';
import { metaOfVersion3 } from './resultColumns';
import { deleteResultsOf } from './results';
import { type Dataset, type DerivedFrom, db, type Run } from './schema';

/**
 * A backup is every table, record by record, as lines: a header naming the
 * backup format and the database version, then the datasets, the runs, the
 * rows' pages, the results' pages and their metadata, then an end line that
 * counts them. io/backupFile.ts turns the lines into text and back.
 */

/** The layout of the lines; a reader refuses a backup of a higher one. */
export const BACKUP_FORMAT = 1;

/** The tables in the order a backup holds them: the records that own pages before the pages. */
const TABLES = ['datasets', 'runs', 'rowPages', 'resultPages', 'resultMeta'] as const;

type TableName = (typeof TABLES)[number];
type PageTable = Exclude<TableName, 'datasets' | 'runs'>;

export interface BackupHeader {
  retort: 'backup';
  format: number;
  /** The database version (Dexie's) whose records the backup holds. */
  schema: number;
  created: number;
}

/** Every line between the header and the end. */
export interface BackupRecord {
  table: TableName;
  record: unknown;
}

/** The last line: how many records of each table came before it, so a file cut short is known. */
export interface BackupEnd {
  end: Record<TableName, number>;
}

export type BackupLine = BackupHeader | BackupRecord | BackupEnd;

/** Hears how far a command has come: records (or bytes) done of the total. */
export type BackupProgress = (done: number, total: number) => void;

/**
 * Hands every stored record to `emit`, a batch at a time, as backup lines.
 * One read transaction makes it a snapshot, a run's counters matching its
 * results, so `emit` must be synchronous: a run storing results meanwhile
 * waits for the backup to end. Pages that belong to no dataset or run (a
 * deletion waiting for Undo, an import cut short) are left out.
 */
export async function writeBackup(
  emit: (lines: BackupLine[]) => void,
  onProgress?: BackupProgress,
  signal?: AbortSignal,
): Promise<void> {
  const tables = TABLES.map((name) => db.table(name));
  await db.transaction('r', tables, async () => {
    const total = (await Promise.all(tables.map((table) => table.count()))).reduce(
      (sum, count) => sum + count,
      0,
    );
    emit([{ retort: 'backup', format: BACKUP_FORMAT, schema: db.verno, created: Date.now() }]);
    const kept = keptRecords();
    let read = 0;
    for (const [i, table] of tables.entries()) {
      for (
        let batch = await batchAfter(table);
        batch.length > 0;
        batch = await batchAfter(table, batch.at(-1))
      ) {
        signal?.throwIfAborted();
        const records = batch.filter((record) => kept.keep(TABLES[i], record));
        emit(records.map((record) => ({ table: TABLES[i], record })));
        read += batch.length;
        onProgress?.(read, total);
      }
    }
    emit([{ end: kept.counts }]);
  });
}

/**
 * Which records a backup keeps, seen in table order: every dataset, then the
 * runs and pages whose dataset or run it kept. Counts what it kept.
 */
function keptRecords() {
  const datasets = new Set<unknown>();
  const runs = new Set<unknown>();
  /** The field naming a record's owner, and the owners kept so far. */
  const owners: Partial<Record<TableName, [field: string, kept: Set<unknown>]>> = {
    runs: ['datasetId', datasets],
    rowPages: ['datasetId', datasets],
    resultPages: ['runId', runs],
    resultMeta: ['runId', runs],
  };
  /** The owners each table's records are. */
  const owning: Partial<Record<TableName, Set<unknown>>> = { datasets, runs };
  const counts = Object.fromEntries(TABLES.map((name) => [name, 0])) as BackupEnd['end'];
  return {
    counts,
    keep(table: TableName, record: object): boolean {
      const fields = record as Record<string, unknown>;
      const owner = owners[table];
      if (owner && !owner[1].has(fields[owner[0]])) return false;
      owning[table]?.add(fields.id);
      counts[table]++;
      return true;
    },
  };
}

/** The records of a table after `last` (from the first when there is none), in key order. */
function batchAfter(table: Table, last?: object): Promise<object[]> {
  const records =
    last === undefined
      ? table.toCollection()
      : table.where(':id').above(Dexie.getByKeyPath(last, table.schema.primKey.keyPath!));
  return records.limit(PAGES_PER_READ).toArray();
}

/** What a restore stored. */
export interface RestoreSummary {
  /** The restored datasets' ids, in the backup's order. */
  datasetIds: string[];
  runs: number;
  /** Datasets and runs stored under a new id, because theirs was taken here. */
  renamed: number;
}

/** A line of a backup file and its number, for messages. */
export interface NumberedLine {
  number: number;
  value: unknown;
}

/**
 * Stores the datasets and runs of a backup's lines, all or none. Pages are
 * stored as they come, under ids that no record names yet; the dataset and
 * run records follow in one transaction once the end line has counted every
 * line, so a file cut short, damaged or of a newer version stores nothing
 * (its pages are deleted, or swept when the tab closes midway). An id that is
 * taken here is given up for a new one: a restore adds, and never replaces.
 */
export function restoreBackup(
  fileName: string,
  lines: AsyncIterable<NumberedLine>,
  signal?: AbortSignal,
): Promise<RestoreSummary> {
  // Held shared, as imports hold it: no sweep takes pages whose records are not stored yet.
  return withImportLock('shared', () => new Restore(fileName).run(lines, signal));
}

class Restore {
  /** The backup's id -> the record to store, under the id it gets here. */
  private readonly datasets = new Map<string, Dataset>();
  private readonly runs = new Map<string, Run>();
  private readonly pages: Record<PageTable, object[]> = {
    rowPages: [],
    resultPages: [],
    resultMeta: [],
  };
  private readonly seen = Object.fromEntries(TABLES.map((name) => [name, 0])) as Record<
    TableName,
    number
  >;
  private table = 0;
  private renamed = 0;
  private ended = false;

  constructor(private readonly fileName: string) {}

  async run(lines: AsyncIterable<NumberedLine>, signal?: AbortSignal): Promise<RestoreSummary> {
    try {
      let header = false;
      for await (const line of lines) {
        signal?.throwIfAborted();
        if (!header) {
          this.checkHeader(line.value);
          header = true;
        } else await this.take(line);
      }
      if (!header) throw notBackup(this.fileName);
      if (!this.ended) throw endsEarly(this.fileName);
      for (const table of ['rowPages', 'resultPages', 'resultMeta'] as const)
        await this.store(table);
      await this.storeRecords();
      return {
        datasetIds: [...this.datasets.values()].map((dataset) => dataset.id),
        runs: this.runs.size,
        renamed: this.renamed,
      };
    } catch (error) {
      // The restore's own error is the one to report, even if the cleanup fails too.
      await this.discard().catch(() => {});
      throw error;
    }
  }

  private checkHeader(value: unknown): void {
    const header = value as Partial<BackupHeader> | null;
    if (
      header?.retort !== 'backup' ||
      typeof header.format !== 'number' ||
      typeof header.schema !== 'number'
    )
      throw notBackup(this.fileName);
    if (header.format > BACKUP_FORMAT || header.schema > db.verno) {
      throw inputError(
        `"${this.fileName}" was made by a newer version of Retort (backup format ${header.format}, database version ${header.schema}); ` +
          `this one reads backup format ${BACKUP_FORMAT}, database version ${db.verno}. Nothing was restored. ` +
          'Reload the page to get the newest Retort, then restore again.',
      );
    }
    // Records of an older database version get the upgrade schema.ts gives
    // stored ones (takePage); no backup is older than version 2.
    if (header.schema < 2) {
      throw inputError(
        `"${this.fileName}" holds records of database version ${header.schema}, which this version of Retort (${db.verno}) cannot restore. Nothing was restored.`,
      );
    }
  }

  private async take({ number, value }: NumberedLine): Promise<void> {
    if (this.ended) throw damaged(this.fileName, number, 'there is more after its end');
    if (isEnd(value)) return this.end(number, value.end);
    const { table, record } = (value ?? {}) as Partial<BackupRecord>;
    const index = TABLES.indexOf(table!);
    if (index < 0 || typeof record !== 'object' || record === null)
      throw damaged(this.fileName, number, 'it is not a record of a table Retort keeps');
    if (index < this.table)
      throw damaged(
        this.fileName,
        number,
        `a ${table} record comes after the ${TABLES[this.table]}`,
      );
    this.table = index;
    this.seen[table!]++;
    const fields = record as Record<string, unknown>;
    if (table === 'datasets') await this.takeDataset(number, fields as unknown as Dataset);
    else if (table === 'runs') await this.takeRun(number, fields as unknown as Run);
    else await this.takePage(number, table!, fields);
  }

  private async takeDataset(number: number, dataset: Dataset): Promise<void> {
    if (typeof dataset.id !== 'string' || this.datasets.has(dataset.id))
      throw damaged(this.fileName, number, 'a dataset has no id, or the id of another');
    const id = await this.freeId(dataset.id, db.datasets, [db.rowPages]);
    this.datasets.set(dataset.id, { ...dataset, id });
  }

  private async takeRun(number: number, run: Run): Promise<void> {
    if (typeof run.id !== 'string' || this.runs.has(run.id))
      throw damaged(this.fileName, number, 'a run has no id, or the id of another');
    const dataset = this.datasets.get(run.datasetId);
    if (!dataset) throw damaged(this.fileName, number, 'a run is of a dataset the backup lacks');
    const id = await this.freeId(run.id, db.runs, [db.resultPages, db.resultMeta]);
    this.runs.set(run.id, { ...run, id, datasetId: dataset.id });
  }

  /** A page, under the id its dataset or run has here; stored a few at a time. */
  private async takePage(
    number: number,
    table: PageTable,
    page: Record<string, unknown>,
  ): Promise<void> {
    const [field, owners, kind] =
      table === 'rowPages'
        ? (['datasetId', this.datasets, 'dataset'] as const)
        : (['runId', this.runs, 'run'] as const);
    const owner = owners.get(page[field] as string);
    if (!owner || typeof page.page !== 'number')
      throw damaged(this.fileName, number, `a page is of a ${kind} the backup lacks`);
    page[field] = owner.id;
    // Version 2 kept metadata a column per key; metaOfVersion3 leaves a version 3 page as it is.
    this.pages[table].push(table === 'resultMeta' ? metaOfVersion3(page as never) : page);
    if (this.pages[table].length >= PAGES_PER_WRITE) await this.store(table);
  }

  private end(number: number, counts: Record<string, unknown>): void {
    if (TABLES.some((name) => counts[name] !== this.seen[name]))
      throw damaged(this.fileName, number, 'its end counts other records than it holds');
    this.ended = true;
  }

  /**
   * `id` when no record or page here has it, else a new one. A page without
   * a record is taken too: it is of a deletion waiting for Undo, or of an
   * import under way.
   */
  private async freeId(id: string, records: Table, pageTables: Table[]): Promise<string> {
    const owned = await Promise.all([
      records.get(id),
      ...pageTables.map((table) =>
        table.where(':id').between([id, Dexie.minKey], [id, Dexie.maxKey]).limit(1).primaryKeys(),
      ),
    ]);
    const [record, ...pages] = owned as [unknown, unknown[][]];
    if (record === undefined && pages.every((keys) => keys.length === 0)) return id;
    this.renamed++;
    return crypto.randomUUID();
  }

  private async store(table: PageTable): Promise<void> {
    const batch = this.pages[table].splice(0);
    if (batch.length === 0) return;
    await this.write(() => db.table(table).bulkAdd(batch));
  }

  /** The records, last and at once: until they are stored, no list shows any of the backup. */
  private async storeRecords(): Promise<void> {
    const runIds = new Map([...this.runs].map(([old, run]) => [old, run.id]));
    const here = (runId: string) => runIds.get(runId) ?? runId;
    const datasets = [...this.datasets.values()].map((dataset) => restoredDataset(dataset, here));
    const runs = [...this.runs.values()].map((run) => restoredRun(run, here));
    await this.write(() =>
      db.transaction('rw', db.datasets, db.runs, async () => {
        await db.datasets.bulkAdd(datasets);
        await db.runs.bulkAdd(runs);
      }),
    );
  }

  private async write(write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (error) {
      throw storageError(error, `the backup "${this.fileName}"`, 'restore it again');
    }
  }

  /** Deletes the pages stored so far: every id here was free when it was given. */
  private async discard(): Promise<void> {
    for (const dataset of this.datasets.values()) await deletePages(dataset.id);
    for (const run of this.runs.values()) await deleteResultsOf(run.id);
  }
}

/** A run's id here, for the id it had in the backup (another when that one was taken). */
type RunIdHere = (backupRunId: string) => string;

/** A dataset as it is stored again: the runs it was made from under their ids here. */
function restoredDataset(dataset: Dataset, here: RunIdHere): Dataset {
  const from = dataset.derivedFrom;
  if (!from) return dataset;
  const derivedFrom: DerivedFrom =
    from.kind === 'results'
      ? { ...from, runId: here(from.runId) }
      : { ...from, runIds: from.runIds.map(here) };
  return { ...dataset, derivedFrom };
}

/**
 * A run as it is stored again: its few-shot source under its id here, and
 * paused if it was running when backed up, so that it waits for Resume
 * instead of calling a model the moment it is restored.
 */
function restoredRun(run: Run, here: RunIdHere): Run {
  const fewShot = run.settings?.fewShot;
  const settings = fewShot
    ? { ...run.settings, fewShot: { ...fewShot, fromRunId: here(fewShot.fromRunId) } }
    : run.settings;
  if (run.status !== 'running') return { ...run, settings };
  const { activity: _, ...stopped } = run;
  return { ...stopped, settings, status: 'paused' };
}

function isEnd(value: unknown): value is BackupEnd {
  const end = (value as Partial<BackupEnd> | null)?.end;
  return typeof end === 'object' && end !== null;
}

export function notBackup(fileName: string): EngineError {
  return inputError(
    `"${fileName}" is not a Retort backup: it does not begin as one. Choose a file made by Back up everything.`,
  );
}

export function endsEarly(fileName: string): EngineError {
  return inputError(
    `"${fileName}" ends early: it was cut short (an unfinished download or copy?), so nothing was restored. ` +
      'Restore a complete copy, or back up again where the data is.',
  );
}

export function damaged(fileName: string, line: number, reason: string): EngineError {
  return inputError(
    `Line ${line.toLocaleString()} of "${fileName}" is damaged (${reason}), so nothing was restored. ` +
      'Restore another copy of the backup, or back up again where the data is.',
  );
}
