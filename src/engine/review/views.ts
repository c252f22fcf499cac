import type { BindTask } from '../bound';
import { iterateRowPages } from '../db/datasets';
import { PAGES_PER_READ } from '../db/pages';
import { pageOf, resultPagesBetween } from '../db/results';
import { type Dataset, db, PAGE_SIZE, type Result, type ResultPage } from '../db/schema';
import { inputError } from '../errors';
import type { FinishReason } from '../llm/types';
import { type BoundRun, loadRun } from '../run/boundRun';
import { judgementColumns, runColumns } from '../run/outputRows';
import type { Row } from '../task';
import { cellText, clipped } from './cells';
import { matcher } from './matcher';

/**
 * What the grid shows: the rows of a dataset, or of a run (a line per row and
 * generation), filtered and searched here in the worker over every row. The
 * page asks for the lines in sight, a screenful at a time; a million rows never
 * cross to it.
 */

/** Which lines to show: by what became of their generation, or what the person made of it. */
export type Show =
  | 'all'
  | 'failed'
  | 'unreadable'
  | 'cut'
  | 'pending'
  | 'edited'
  | 'good'
  | 'bad'
  | 'unrated'
  | 'deleted';

/** A generation's outcome as the grid marks it; `pending` has no result yet. */
export type LineStatus = 'pending' | 'done' | 'failed' | 'unreadable' | 'cut';

export interface ViewSpec {
  datasetId: string;
  runId?: string;
  /** A second run of the same dataset, its outputs shown beside the first's. */
  compareRunId?: string;
  show: Show;
  /** Plain text, or /regex/flags, matched against every cell shown. */
  search?: string;
}

export interface ViewColumn {
  name: string;
  /** Where its cells come from: the dataset row, the run's generation, or the compared run's. */
  from: 'row' | 'run' | 'compare';
  /** A column of the person's judgement of the run's generation, not of the model's answer. */
  judgement?: 'rating' | 'comment';
}

/** A view as the page knows it; `length` grows while a search streams in. */
export interface ViewState {
  id: string;
  columns: ViewColumn[];
  length: number;
  /** Dataset rows looked at so far, of `total`. */
  scanned: number;
  total: number;
  done: boolean;
}

/** One line of the grid: a dataset row, or one generation of it in a run. */
export interface GridLine {
  /** 0-based place in the view. */
  position: number;
  rowIndex: number;
  generation?: number;
  status?: LineStatus;
  compareStatus?: LineStatus;
  /** The columns (by index) whose value is the person's edit; whether the person deleted it. */
  edited?: number[];
  deleted?: boolean;
  /** By the view's columns, clipped. */
  cells: string[];
}

interface Source {
  dataset: Dataset;
  run?: BoundRun;
  compare?: BoundRun;
  /** Lines per dataset row: the run's generations, or 1. */
  perRow: number;
  columns: ViewColumn[];
}

interface View {
  state: ViewState;
  source: Source;
  /** Line keys (rowIndex * perRow + generation) in view order; null when every line shows. */
  keys: number[] | null;
}

/** The views the page has open; the oldest go first, as a page keeps only a few. */
const views = new Map<string, View>();
const MAX_VIEWS = 6;

/**
 * Opens a view. Without a filter or search every line shows at once; with
 * one, the rows are scanned a page at a time, `onProgress` hears the view
 * grow, and `signal` stops the scan (the lines found so far stay).
 */
export async function openView(
  spec: ViewSpec,
  bind: BindTask,
  onProgress?: (state: ViewState) => unknown,
  signal?: AbortSignal,
): Promise<ViewState> {
  const source = await loadSource(spec, bind);
  const lines = source.dataset.rowCount * source.perRow;
  const filtered = spec.show !== 'all' || Boolean(spec.search?.trim());
  const test = spec.search?.trim() ? matcher(spec.search) : undefined;
  const view: View = {
    source,
    keys: filtered ? [] : null,
    state: {
      id: crypto.randomUUID(),
      columns: source.columns,
      length: filtered ? 0 : lines,
      scanned: filtered ? 0 : source.dataset.rowCount,
      total: source.dataset.rowCount,
      done: !filtered,
    },
  };
  views.set(view.state.id, view);
  for (const id of [...views.keys()].slice(0, -MAX_VIEWS)) views.delete(id);
  if (filtered) await scan(view, spec.show, test, onProgress, signal);
  return { ...view.state };
}

export function closeView(viewId: string): void {
  views.delete(viewId);
}

/**
 * Lines [start, start + count) of a view, fewer at its end. `version` is the
 * runs' last write as the page knows it: pages read at that version are reused.
 */
export async function viewLines(
  viewId: string,
  start: number,
  count: number,
  version = 0,
): Promise<GridLine[]> {
  const view = views.get(viewId);
  if (!view) throw inputError('This view was closed. Choose the run again to see its rows.');
  const end = Math.min(start + count, view.state.length);
  const keys: number[] = [];
  for (let position = start; position < end; position++)
    keys.push(view.keys ? view.keys[position] : position);
  const { perRow } = view.source;
  const pages = new Map<number, PageData>();
  for (const page of new Set(keys.map((key) => pageOf(Math.floor(key / perRow)))))
    pages.set(page, await readPage(view.source, page, version));
  return keys.map((key, i) => {
    const rowIndex = Math.floor(key / perRow);
    const line = lineOf(view.source, pages.get(pageOf(rowIndex))!, rowIndex, key % perRow);
    return { position: start + i, ...line, cells: line.cells.map(clipped) };
  });
}

async function scan(
  view: View,
  show: Show,
  test: ((text: string) => boolean) | undefined,
  onProgress: ((state: ViewState) => unknown) | undefined,
  signal: AbortSignal | undefined,
): Promise<void> {
  const { source, state } = view;
  const keys = view.keys!;
  let reported = 0;
  // Result pages come a batch at a time, the next batch read while this one is searched.
  let batch = await readResultBatch(source, 0);
  let next = readResultBatch(source, batch.end);
  next.catch(() => {}); // a cancelled scan leaves it unawaited
  for await (const { page, rows } of iterateRowPages(source.dataset.id)) {
    if (signal?.aborted) return;
    if (page >= batch.end) {
      batch = await next;
      next = readResultBatch(source, batch.end);
      next.catch(() => {});
    }
    const data = pageData(source, page, rows, batch.results.get(page), batch.compared.get(page));
    for (const [position, row] of rows.entries()) {
      const rowIndex = page * PAGE_SIZE + position;
      for (let generation = 0; generation < source.perRow; generation++) {
        const { result, compared } = resultsAt(source, data, rowIndex, generation);
        // The outcome first: it costs nothing, and a filter rules most lines out.
        if (show !== 'all' && !(source.run && shows(show, result))) continue;
        if (
          test &&
          !source.columns.some((c) => test(cellText(shownValue(c, row, result, compared))))
        )
          continue;
        keys.push(rowIndex * source.perRow + generation);
      }
    }
    state.length = keys.length;
    state.scanned = Math.min(source.dataset.rowCount, (page + 1) * PAGE_SIZE);
    // A few reports a second are enough to show a search's progress.
    if (performance.now() - reported > 100) {
      reported = performance.now();
      void onProgress?.({ ...state });
    }
  }
  state.done = true;
  void onProgress?.({ ...state });
}

async function loadSource(spec: ViewSpec, bind: BindTask): Promise<Source> {
  const dataset = await db.datasets.get(spec.datasetId);
  if (!dataset) throw inputError('That dataset no longer exists.');
  const run = spec.runId ? await loadRun(spec.runId, bind) : undefined;
  const compare = spec.compareRunId ? await loadRun(spec.compareRunId, bind) : undefined;
  if (compare && compare.run.datasetId !== dataset.id)
    throw inputError('Only runs of the same dataset can be compared.');
  if (!run) {
    const columns = dataset.columns.map((name): ViewColumn => ({ name, from: 'row' }));
    return { dataset, perRow: 1, columns };
  }
  const written = new Set([...run.bound.outputs, 'model_name']);
  const judged = judgementColumns(run.bound.outputs);
  const judgementOf = (name: string) =>
    name === judged.rating ? 'rating' : name === judged.comment ? 'comment' : undefined;
  const columns = runColumns(dataset, run.bound)
    .filter((name) => name !== 'distilabel_metadata')
    .map((name): ViewColumn => {
      const judgement = judgementOf(name);
      if (judgement) return { name, from: 'run', judgement };
      return { name, from: written.has(name) ? 'run' : 'row' };
    });
  if (compare)
    for (const name of [...compare.bound.outputs, 'model_name'])
      columns.push({ name, from: 'compare' });
  return { dataset, run, compare, perRow: run.run.settings.numGenerations, columns };
}

/** A page of dataset rows with the run's and the compared run's results for them. */
interface PageData {
  page: number;
  rows: Row[];
  results: Slots;
  compared: Slots;
}

/**
 * A run's results on a page, found by line: `slots[position * generations + generation]`
 * is the result's slot in the page's columns, or -1 when it has none yet.
 */
interface Slots {
  columns?: ResultPage;
  slots: Int32Array;
}

/** A result as a line reads it: its page's columns and its slot there. */
interface Found {
  columns: ResultPage;
  slot: number;
}

function pageData(
  source: Source,
  page: number,
  rows: Row[],
  results: ResultPage | undefined,
  compared: ResultPage | undefined,
): PageData {
  const slotsOf = (columns: ResultPage | undefined, run: BoundRun | undefined): Slots => {
    const perRow = run?.run.settings.numGenerations ?? 1;
    const slots = new Int32Array(rows.length * perRow).fill(-1);
    columns?.rowIndex.forEach((rowIndex, slot) => {
      slots[(rowIndex - page * PAGE_SIZE) * perRow + columns.generation[slot]] = slot;
    });
    return { columns, slots };
  };
  return {
    page,
    rows,
    results: slotsOf(results, source.run),
    compared: slotsOf(compared, source.compare),
  };
}

/** The results a line shows: its generation of the run, and the same generation of the compared run. */
function resultsAt(source: Source, data: PageData, rowIndex: number, generation: number) {
  const position = rowIndex - data.page * PAGE_SIZE;
  const comparedPerRow = source.compare?.run.settings.numGenerations ?? 1;
  return {
    result: found(data.results, position * source.perRow + generation),
    compared:
      generation < comparedPerRow
        ? found(data.compared, position * comparedPerRow + generation)
        : undefined,
  };
}

function found({ columns, slots }: Slots, index: number): Found | undefined {
  const slot = slots[index] ?? -1;
  return columns && slot >= 0 ? { columns, slot } : undefined;
}

/** The result pages of the runs shown, for the batch of pages from `page` on. */
async function readResultBatch(source: Source, page: number) {
  const end = page + PAGES_PER_READ;
  const none = Promise.resolve(new Map<number, ResultPage>());
  const [results, compared] = await Promise.all([
    source.run ? resultPagesBetween(source.run.run.id, page, end) : none,
    source.compare ? resultPagesBetween(source.compare.run.id, page, end) : none,
  ]);
  return { end, results, compared };
}

/**
 * A page for the lines in sight. A dataset's rows never change, so the last
 * few pages read are kept; a run's results are kept while `version` (its last
 * write) stays the same.
 */
async function readPage(source: Source, page: number, version: number): Promise<PageData> {
  const [rows, results, compared] = await Promise.all([
    kept(
      `rows:${source.dataset.id}:${page}`,
      async () => (await db.rowPages.get([source.dataset.id, page]))?.rows ?? [],
    ),
    source.run && resultsOf(source.run.run.id, page, version),
    source.compare && resultsOf(source.compare.run.id, page, version),
  ]);
  return pageData(source, page, rows, results, compared);
}

function resultsOf(runId: string, page: number, version: number) {
  return kept(`results:${runId}:${page}:${version}`, () => db.resultPages.get([runId, page]));
}

const pagesKept = new Map<string, Promise<unknown>>();
const PAGES_KEPT = 16;

function kept<T>(key: string, read: () => Promise<T>): Promise<T> {
  let found = pagesKept.get(key) as Promise<T> | undefined;
  if (!found) {
    found = read();
    pagesKept.set(key, found);
    found.catch(() => pagesKept.delete(key));
    for (const old of [...pagesKept.keys()].slice(0, -PAGES_KEPT)) pagesKept.delete(old);
  }
  return found;
}

/** A line's cells, whole, and outcome. */
function lineOf(source: Source, data: PageData, rowIndex: number, generation: number) {
  const row = data.rows[rowIndex - data.page * PAGE_SIZE] ?? {};
  const { result, compared } = resultsAt(source, data, rowIndex, generation);
  const cells = source.columns.map((c) => cellText(shownValue(c, row, result, compared)));
  if (!source.run) return { rowIndex, cells };
  const judgement = result?.columns.judgement[result.slot];
  const edited = source.columns.flatMap((c, index) =>
    c.from === 'run' && judgement?.edits && Object.hasOwn(judgement.edits, c.name) ? [index] : [],
  );
  return {
    rowIndex,
    generation,
    status: statusAt(result),
    compareStatus: source.compare ? statusAt(compared) : undefined,
    edited: edited.length > 0 ? edited : undefined,
    deleted: judgement?.deleted,
    cells,
  };
}

/** What a line shows in a column. */
function shownValue(
  column: ViewColumn,
  row: Row,
  result: Found | undefined,
  compared: Found | undefined,
): unknown {
  if (column.from === 'row') return ownValue(row, column.name);
  return outputOf(column.from === 'run' ? result : compared, column);
}

/** A row's own value for a column: never one a plain object inherits. */
function ownValue(row: Row, column: string): unknown {
  return Object.hasOwn(row, column) ? row[column] : undefined;
}

/** A run's value in a column: the person's judgement or edit where there is one, else the model's. */
function outputOf(result: Found | undefined, { name, judgement: judged }: ViewColumn): unknown {
  if (!result) return undefined;
  const { columns, slot } = result;
  const judgement = columns.judgement[slot];
  if (judged) return judgement?.[judged];
  if (name === 'model_name') return columns.modelName[slot];
  if (judgement?.edits && Object.hasOwn(judgement.edits, name)) return judgement.edits[name];
  return Object.hasOwn(columns.outputs, name) ? columns.outputs[name][slot] : undefined;
}

/** Whether a line with this result is one `show` picks. */
function shows(show: Show, result: Found | undefined): boolean {
  const judgement = result?.columns.judgement[result.slot];
  switch (show) {
    case 'edited':
      return Boolean(judgement?.edits);
    case 'good':
    case 'bad':
      return judgement?.rating === show;
    case 'unrated':
      return result !== undefined && !judgement?.rating;
    case 'deleted':
      return Boolean(judgement?.deleted);
    default:
      return statusAt(result) === show;
  }
}

/** Every line of a view as (row, generation) keys: what Regenerate does to a whole view. */
export function viewKeys(viewId: string): { rowIndex: number; generation: number }[] {
  const view = views.get(viewId);
  if (!view) throw inputError('This view was closed. Choose the run again to see its rows.');
  const { perRow } = view.source;
  return Array.from({ length: view.state.length }, (_, position) => {
    const key = view.keys ? view.keys[position] : position;
    return { rowIndex: Math.floor(key / perRow), generation: key % perRow };
  });
}

/** What became of a stored result, or `pending` for none. */
export function statusOf(result: Result | undefined): LineStatus {
  if (!result) return 'pending';
  return outcome(result.status === 'failed', result.finishReason, result.formatFailed);
}

function statusAt(result: Found | undefined): LineStatus {
  if (!result) return 'pending';
  const { columns, slot } = result;
  return outcome(
    columns.failed[slot] !== 0,
    columns.finishReason[slot],
    columns.formatFailed[slot] === 1,
  );
}

/** A failure first; then an answer cut at max tokens, readable or not; then an unreadable one. */
export function outcome(
  failed: boolean,
  finishReason: FinishReason | null | undefined,
  formatFailed: boolean,
): LineStatus {
  if (failed) return 'failed';
  if (finishReason?.unified === 'length') return 'cut';
  return formatFailed ? 'unreadable' : 'done';
}
