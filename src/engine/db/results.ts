import { inBatches, PAGES_PER_READ } from './pages';
import { decodePage, encodePage, tokensOf } from './resultColumns';
import {
  db,
  PAGE_SIZE,
  type Result,
  type ResultPage,
  type RunActivity,
  type RunCounters,
} from './schema';

/**
 * Every write of results goes through here. Results are packed a page of rows
 * to a record, as columns (resultColumns.ts), with their metadata in a record
 * of its own; the counters a person sees are updated in the same transaction
 * as the results they count.
 */

type PageKey = [runId: string, page: number];

export const pageOf = (rowIndex: number) => Math.floor(rowIndex / PAGE_SIZE);

/**
 * Stores a batch of results and adds them to the run's counters in one
 * transaction. A result already stored for the same (row, generation) is
 * replaced, never duplicated; the counters take back what it had counted.
 */
export async function storeResults(
  runId: string,
  results: Result[],
  activity?: RunActivity,
): Promise<void> {
  const byPage = new Map<number, Result[]>();
  for (const result of results) {
    const page = pageOf(result.rowIndex);
    byPage.set(page, [...(byPage.get(page) ?? []), result]);
  }
  const keys = [...byPage.keys()].map((page): PageKey => [runId, page]);
  await db.transaction('rw', db.runs, db.resultPages, db.resultMeta, async () => {
    const [run, stored] = await Promise.all([db.runs.get(runId), readPages(keys)]);
    if (!run) return; // deleted while its last requests were in flight
    const counters = { ...run.counters };
    const encoded = keys.map(([, page], i) => {
      const merged = merge(stored[i], byPage.get(page)!, (old, added) => {
        if (old) count(counters, old, -1);
        count(counters, added, +1);
      });
      return encodePage(runId, page, merged);
    });
    await writePages(encoded);
    await db.runs.update(runId, { counters, activity, updated: Date.now() });
  });
}

/** The results of these pages, whole (metadata included): [] for a page with none. */
async function readPages(keys: PageKey[]): Promise<Result[][]> {
  const [pages, metas] = await Promise.all([
    db.resultPages.bulkGet(keys),
    db.resultMeta.bulkGet(keys),
  ]);
  return pages.map((page, i) => (page ? decodePage(page, metas[i]) : []));
}

function writePages(encoded: ReturnType<typeof encodePage>[]): Promise<unknown> {
  return Promise.all([
    db.resultPages.bulkPut(encoded.map((e) => e.columns)),
    db.resultMeta.bulkPut(encoded.map((e) => e.meta)),
  ]);
}

/**
 * `added` merged into `stored` (both in row then generation order): an added
 * result replaces the stored one of its key. `each` sees every added result
 * with the one it replaces.
 */
function merge(
  stored: readonly Result[],
  added: readonly Result[],
  each: (old: Result | undefined, added: Result) => void,
): Result[] {
  const byKey = new Map(stored.map((result) => [keyOf(result), result]));
  for (const result of added) {
    each(byKey.get(keyOf(result)), result);
    byKey.set(keyOf(result), result);
  }
  return [...byKey.values()].sort(inOrder);
}

const keyOf = (result: Pick<Result, 'rowIndex' | 'generation'>) =>
  `${result.rowIndex}:${result.generation}`;

const inOrder = (a: Result, b: Result) => a.rowIndex - b.rowIndex || a.generation - b.generation;

function count(counters: RunCounters, result: Result, sign: 1 | -1): void {
  if (result.status === 'failed') counters.failed += sign;
  else counters.done += sign;
  // An answer cut at Max new tokens is counted as cut, whether or not it could be read.
  if (result.finishReason?.unified === 'length') counters.cut += sign;
  else if (result.formatFailed) counters.formatFailed += sign;
  const stats = tokensOf(result);
  if (!result.promptShared) counters.inputTokens += sign * stats.input;
  counters.outputTokens += sign * stats.output;
}

/** The results of rows [start, end) of a run, whole, in row then generation order. */
export async function resultsInRange(runId: string, start: number, end: number): Promise<Result[]> {
  if (end <= start) return [];
  const keys: PageKey[] = [];
  for (let page = pageOf(start); page <= pageOf(end - 1); page++) keys.push([runId, page]);
  const pages = await readPages(keys);
  return pages.flatMap((page) => page.filter((r) => r.rowIndex >= start && r.rowIndex < end));
}

/** The keys of stored results for one page of rows: what a resumed run can skip. */
export async function storedKeysOfPage(runId: string, page: number): Promise<Set<string>> {
  const stored = await db.resultPages.get([runId, page]);
  return new Set(Array.from(stored?.rowIndex ?? [], (row, i) => `${row}:${stored!.generation[i]}`));
}

/** Each stored page of a run's results, as columns without metadata, in page order, a few at a time. */
export function iterateResultPages(runId: string): AsyncGenerator<ResultPage> {
  return inBatches((from) => pagesFrom(runId, from).limit(PAGES_PER_READ).toArray());
}

/** A run's stored result pages [from, to), as columns without metadata, by page number. */
export async function resultPagesBetween(
  runId: string,
  from: number,
  to: number,
): Promise<Map<number, ResultPage>> {
  const pages = await db.resultPages
    .where('[runId+page]')
    .between([runId, from], [runId, to])
    .toArray();
  return new Map(pages.map((page) => [page.page, page]));
}

/** Deletes the failed results of a run so that a resume tries them again; how many there were. */
export async function clearFailedResults(runId: string): Promise<number> {
  return db.transaction('rw', db.runs, db.resultPages, db.resultMeta, async () => {
    const run = await db.runs.get(runId);
    if (!run) return 0;
    const keys = (await pagesFrom(runId, -Infinity).primaryKeys()) as PageKey[];
    const pages = await readPages(keys);
    const counters = { ...run.counters };
    let cleared = 0;
    const changed = keys.flatMap(([, page], i) => {
      const failed = pages[i].filter((r) => r.status === 'failed');
      if (failed.length === 0) return [];
      for (const result of failed) count(counters, result, -1);
      cleared += failed.length;
      return [
        encodePage(
          runId,
          page,
          pages[i].filter((r) => r.status !== 'failed'),
        ),
      ];
    });
    if (cleared === 0) return 0;
    await writePages(changed);
    await db.runs.update(runId, { counters, updated: Date.now() });
    return cleared;
  });
}

/** Deletes every result of a run; the run store calls it, in its own transaction. */
export async function deleteResultsOf(runId: string): Promise<void> {
  await Promise.all([
    pagesFrom(runId, -Infinity).delete(),
    db.resultMeta.where('[runId+page]').between([runId, -Infinity], [runId, Infinity]).delete(),
  ]);
}

function pagesFrom(runId: string, from: number) {
  return db.resultPages.where('[runId+page]').between([runId, from], [runId, Infinity]);
}
