import type { Row } from '../task';
import { inBatches, PAGES_PER_READ } from './pages';
import { decodePage, encodePage, resultAt, tokensOf } from './resultColumns';
import {
  db,
  type Judgement,
  PAGE_SIZE,
  type Result,
  type ResultPage,
  type ResultPageMeta,
  type Run,
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
 * replaced, never duplicated; the counters take back what it had counted. One
 * that was being regenerated goes into the new result's history instead.
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
        if (!old?.regenerating) return added;
        const { history = [], regenerating: _, ...replaced } = old;
        return { ...added, history: [...history, replaced] };
      });
      return encodePage(runId, page, merged);
    });
    await writePages(encoded);
    await db.runs.update(runId, { counters, activity, updated: Date.now() });
  });
}

/** The results of these pages, whole (metadata included): [] for a page with none. */
async function readPages(keys: PageKey[]): Promise<Result[][]> {
  // One transaction: a page and its metadata as one write left them, slot for slot.
  const [pages, metas] = await db.transaction('r', db.resultPages, db.resultMeta, () =>
    Promise.all([db.resultPages.bulkGet(keys), db.resultMeta.bulkGet(keys)]),
  );
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
 * result replaces the stored one of its key, as `replace` makes it from the
 * two (it sees every added result with the one it replaces).
 */
function merge(
  stored: readonly Result[],
  added: readonly Result[],
  replace: (old: Result | undefined, added: Result) => Result,
): Result[] {
  const byKey = new Map(stored.map((result) => [keyOf(result), result]));
  for (const result of added) byKey.set(keyOf(result), replace(byKey.get(keyOf(result)), result));
  return [...byKey.values()].sort(inOrder);
}

const keyOf = (result: Pick<Result, 'rowIndex' | 'generation'>) =>
  `${result.rowIndex}:${result.generation}`;

const inOrder = (a: Result, b: Result) => a.rowIndex - b.rowIndex || a.generation - b.generation;

/** Adds (or takes back) what a result counts for; one being regenerated counts as pending. */
function count(counters: RunCounters, result: Result, sign: 1 | -1): void {
  if (result.regenerating) return;
  if (result.status === 'failed') counters.failed += sign;
  else counters.done += sign;
  if (result.lasting) counters.lasting = (counters.lasting ?? 0) + sign;
  // An answer cut at Max new tokens is counted as cut, whether or not it could be read.
  if (result.finishReason?.unified === 'length') counters.cut += sign;
  else if (result.formatFailed) counters.formatFailed += sign;
  const stats = tokensOf(result);
  if (!result.promptShared) counters.inputTokens += sign * stats.input;
  counters.outputTokens += sign * stats.output;
  const judgement = result.judgement;
  if (judgement?.rating) counters[judgement.rating] += sign;
  if (judgement?.edits && Object.keys(judgement.edits).length > 0) counters.edited += sign;
  if (judgement?.deleted) counters.deleted += sign;
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
  const keys = new Set<string>();
  for (let slot = 0; slot < (stored?.rowIndex.length ?? 0); slot++) {
    // One being regenerated is pending again.
    if (!stored!.regenerating[slot])
      keys.add(`${stored!.rowIndex[slot]}:${stored!.generation[slot]}`);
  }
  return keys;
}

/** Each stored page of a run's results, as columns without metadata, in page order, a few at a time. */
export function iterateResultPages(runId: string): AsyncGenerator<ResultPage> {
  return inBatches((from) => pagesFrom(runId, from).limit(PAGES_PER_READ).toArray());
}

/**
 * The first `limit` generations of a run the person rated good and kept, in
 * row order, without metadata: a run's few-shot examples.
 */
export async function ratedGood(runId: string, limit: number): Promise<Result[]> {
  const found: Result[] = [];
  for await (const page of iterateResultPages(runId)) {
    for (let slot = 0; slot < page.rowIndex.length && found.length < limit; slot++) {
      const judgement = page.judgement[slot];
      if (judgement?.rating !== 'good' || judgement.deleted) continue;
      if (page.failed[slot] || page.regenerating[slot]) continue;
      found.push(resultAt(page, slot));
    }
    if (found.length >= limit) break;
  }
  return found;
}

/** Why generations failed: a reason, how many met it, and whether it lasts (Result.lasting). */
export interface FailureReason {
  message: string;
  count: number;
  lasting: boolean;
}

/** The reasons a run's generations failed, most frequent first: the `limit` most frequent. */
export async function failureReasons(runId: string, limit = 5): Promise<FailureReason[]> {
  const reasons = new Map<string, FailureReason>();
  for await (const page of iterateResultPages(runId)) {
    page.failed.forEach((failed, slot) => {
      if (failed === 0 || page.regenerating[slot]) return;
      const message = page.error[slot] ?? 'no reason was recorded';
      const reason = reasons.get(message) ?? { message, count: 0, lasting: failed === 2 };
      reason.count += 1;
      reasons.set(message, reason);
    });
  }
  return [...reasons.values()].sort((a, b) => b.count - a.count).slice(0, limit);
}

/** A page of a run's dataset rows, with the run's results for them (none yet: undefined). */
export interface RunPage {
  page: number;
  rows: Row[];
  results?: ResultPage;
  /** The results' metadata, slot for slot. */
  meta?: ResultPageMeta;
}

/**
 * A run's dataset a page of rows at a time, each with the run's results for
 * it: rows, results and metadata read together, PAGES_PER_READ pages a read,
 * the next read under way while the caller works through these pages.
 */
export function iterateRunPages(run: Pick<Run, 'id' | 'datasetId'>): AsyncGenerator<RunPage> {
  return inBatches(async (from) => {
    const to = from + PAGES_PER_READ;
    // One transaction: a run storing results meanwhile never splits a page from its metadata.
    const [rowPages, results, metas] = await db.transaction(
      'r',
      db.rowPages,
      db.resultPages,
      db.resultMeta,
      () =>
        Promise.all([
          db.rowPages
            .where('[datasetId+page]')
            .between([run.datasetId, from], [run.datasetId, to])
            .toArray(),
          resultPagesBetween(run.id, from, to),
          db.resultMeta.where('[runId+page]').between([run.id, from], [run.id, to]).toArray(),
        ]),
    );
    const metaOf = new Map(metas.map((meta) => [meta.page, meta]));
    return rowPages.map(({ page, rows }) => ({
      page,
      rows,
      results: results.get(page),
      meta: metaOf.get(page),
    }));
  });
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

/** Which generations of a run: (row, generation) pairs. */
export type ResultKey = Pick<Result, 'rowIndex' | 'generation'>;

/**
 * Changes stored results in one transaction with the run's counters: `change`
 * gets each of them (those of `keys`, or every one of the run) and gives back
 * the result to store, or undefined to leave it. Returns the results as they
 * were before the change.
 */
async function rewrite(
  runId: string,
  keys: readonly ResultKey[] | 'all',
  change: (result: Result) => Result | undefined,
): Promise<Result[]> {
  return db.transaction('rw', db.runs, db.resultPages, db.resultMeta, async () => {
    const run = await db.runs.get(runId);
    if (!run) return [];
    const wanted = keys === 'all' ? undefined : new Set(keys.map(keyOf));
    const pageKeys =
      keys === 'all'
        ? ((await pagesFrom(runId, -Infinity).primaryKeys()) as PageKey[])
        : [...new Set(keys.map((k) => pageOf(k.rowIndex)))].map((page): PageKey => [runId, page]);
    const pages = await readPages(pageKeys);
    const counters = { ...run.counters };
    const before: Result[] = [];
    const changed = pageKeys.flatMap(([, page], i) => {
      let touched = false;
      const results = pages[i].map((result) => {
        if (wanted && !wanted.has(keyOf(result))) return result;
        const next = change(result);
        if (!next) return result;
        touched = true;
        before.push(result);
        count(counters, result, -1);
        count(counters, next, +1);
        return next;
      });
      return touched ? [encodePage(runId, page, results)] : [];
    });
    if (changed.length === 0) return [];
    await writePages(changed);
    await db.runs.update(runId, { counters, updated: Date.now() });
    return before;
  });
}

/**
 * Which generations to make again: these, every failed one (after a change
 * of settings), or the failed ones a retry may mend (not those whose failure lasts).
 */
export type Regeneration = readonly ResultKey[] | 'failed' | 'retryable';

/**
 * Marks generations to be made again: each counts as pending until a run
 * stores its new answer, which then keeps this one in its history. Returns
 * how many were marked (a generation with no result yet is pending already).
 */
export async function markForRegeneration(runId: string, which: Regeneration): Promise<number> {
  const picked = (result: Result) =>
    !result.regenerating &&
    (typeof which !== 'string' ||
      (result.status === 'failed' && (which === 'failed' || !result.lasting)));
  const marked = await rewrite(runId, typeof which === 'string' ? 'all' : which, (result) =>
    picked(result) ? { ...result, regenerating: true } : undefined,
  );
  return marked.length;
}

/** A change to judgements: a field set to null is removed, an edit set to null goes back to the model's. */
export interface JudgementChange {
  rating?: 'good' | 'bad' | null;
  comment?: string | null;
  edits?: Record<string, unknown>;
  deleted?: boolean;
}

/**
 * Applies a change to the judgements of these generations, beside their
 * results (never over the model's answer). Returns the judgements they had,
 * key by key, for Undo (restoreJudgements).
 */
export async function judge(
  runId: string,
  keys: readonly ResultKey[],
  change: JudgementChange,
): Promise<(ResultKey & { judgement?: Judgement })[]> {
  const before = await rewrite(runId, keys, (result) => {
    const judgement = changed(result.judgement, change);
    return { ...result, judgement };
  });
  return before.map(({ rowIndex, generation, judgement }) => ({ rowIndex, generation, judgement }));
}

/** Puts judgements back as they were (what judge returned). */
export async function restoreJudgements(
  runId: string,
  previous: readonly (ResultKey & { judgement?: Judgement })[],
): Promise<void> {
  const byKey = new Map(previous.map((p) => [keyOf(p), p.judgement]));
  await rewrite(runId, previous, (result) => {
    const judgement = byKey.get(keyOf(result));
    const { judgement: _, ...rest } = result;
    return judgement ? { ...rest, judgement } : rest;
  });
}

function changed(judgement: Judgement | undefined, change: JudgementChange): Judgement {
  const next: Judgement = { ...judgement, at: Date.now() };
  if (change.rating !== undefined) next.rating = change.rating ?? undefined;
  if (change.comment !== undefined) next.comment = change.comment?.trim() || undefined;
  if (change.deleted !== undefined) next.deleted = change.deleted || undefined;
  if (change.edits) {
    const edits = { ...next.edits };
    for (const [column, value] of Object.entries(change.edits)) {
      if (value === null) delete edits[column];
      else edits[column] = value;
    }
    next.edits = Object.keys(edits).length > 0 ? edits : undefined;
  }
  // Fields left undefined are dropped, so an emptied judgement stores nothing but its time.
  return JSON.parse(JSON.stringify(next));
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
