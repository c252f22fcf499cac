import type { BindTask } from '../bound';
import { pageOf } from '../db/results';
import { type Dataset, db, PAGE_SIZE, type Result } from '../db/schema';
import { inputError } from '../errors';
import { type BoundRun, loadRun } from '../run/boundRun';
import { runColumns } from '../run/outputRows';
import type { Row } from '../task';
import { cellText, clipped } from './cells';
import { matcher } from './matcher';

/**
 * What the grid shows: the rows of a dataset, or of a run (a line per row and
 * generation), filtered and searched here in the worker over every row. The
 * page asks for the lines in sight, a screenful at a time; a million rows never
 * cross to it.
 */

/** Which lines to show, by what became of their generation. */
export type Show = 'all' | 'failed' | 'unreadable' | 'cut' | 'pending';

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

/** Lines [start, start + count) of a view, fewer at its end. */
export async function viewLines(viewId: string, start: number, count: number): Promise<GridLine[]> {
  const view = views.get(viewId);
  if (!view) throw inputError('This view was closed. Choose the run again to see its rows.');
  const end = Math.min(start + count, view.state.length);
  const keys: number[] = [];
  for (let position = start; position < end; position++)
    keys.push(view.keys ? view.keys[position] : position);
  const { perRow } = view.source;
  const pages = new Map<number, PageData>();
  for (const page of new Set(keys.map((key) => pageOf(Math.floor(key / perRow)))))
    pages.set(page, await readPage(view.source, page));
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
  for (let page = 0; page * PAGE_SIZE < source.dataset.rowCount; page++) {
    if (signal?.aborted) return;
    const data = await readPage(source, page);
    for (const [position] of data.rows.entries()) {
      const rowIndex = page * PAGE_SIZE + position;
      for (let generation = 0; generation < source.perRow; generation++) {
        const line = lineOf(source, data, rowIndex, generation);
        if (show !== 'all' && line.status !== show) continue;
        if (test && !line.cells.some(test)) continue;
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
  const columns = runColumns(dataset, run.bound)
    .filter((name) => name !== 'distilabel_metadata')
    .map((name): ViewColumn => ({ name, from: written.has(name) ? 'run' : 'row' }));
  if (compare)
    for (const name of [...compare.bound.outputs, 'model_name'])
      columns.push({ name, from: 'compare' });
  return { dataset, run, compare, perRow: run.run.settings.numGenerations, columns };
}

/** A page of dataset rows with the run's and the compared run's results for them. */
interface PageData {
  rows: Row[];
  results: Map<string, Result>;
  compared: Map<string, Result>;
}

/**
 * Reads a page afresh: a running run's results change while the grid shows
 * them. A dataset's rows never change, so the last few pages read are kept.
 */
async function readPage(source: Source, page: number): Promise<PageData> {
  const [rows, results, compared] = await Promise.all([
    rowsOf(source.dataset.id, page),
    source.run && db.resultPages.get([source.run.run.id, page]),
    source.compare && db.resultPages.get([source.compare.run.id, page]),
  ]);
  return { rows, results: byKey(results?.results), compared: byKey(compared?.results) };
}

const rowPages = new Map<string, Row[]>();
const ROW_PAGES_KEPT = 8;

async function rowsOf(datasetId: string, page: number): Promise<Row[]> {
  const key = `${datasetId}:${page}`;
  const kept = rowPages.get(key);
  if (kept) return kept;
  const rows = (await db.rowPages.get([datasetId, page]))?.rows ?? [];
  rowPages.set(key, rows);
  for (const old of [...rowPages.keys()].slice(0, -ROW_PAGES_KEPT)) rowPages.delete(old);
  return rows;
}

function byKey(results: Result[] | undefined): Map<string, Result> {
  return new Map(results?.map((r) => [`${r.rowIndex}:${r.generation}`, r]));
}

/** A line's whole cells (not clipped: searches read them whole) and outcome. */
function lineOf(source: Source, data: PageData, rowIndex: number, generation: number) {
  const row = data.rows[rowIndex - pageOf(rowIndex) * PAGE_SIZE] ?? {};
  if (!source.run) {
    return { rowIndex, cells: source.columns.map((c) => cellText(ownValue(row, c.name))) };
  }
  const result = data.results.get(`${rowIndex}:${generation}`);
  const compared = data.compared.get(`${rowIndex}:${generation}`);
  const cells = source.columns.map(({ name, from }) =>
    cellText(
      from === 'row' ? ownValue(row, name) : outputOf(from === 'run' ? result : compared, name),
    ),
  );
  return {
    rowIndex,
    generation,
    status: statusOf(result),
    compareStatus: source.compare ? statusOf(compared) : undefined,
    cells,
  };
}

/** A row's own value for a column: never one a plain object inherits. */
function ownValue(row: Row, column: string): unknown {
  return Object.hasOwn(row, column) ? row[column] : undefined;
}

function outputOf(result: Result | undefined, column: string): unknown {
  if (!result) return undefined;
  return column === 'model_name' ? result.modelName : ownValue(result.outputs, column);
}

export function statusOf(result: Result | undefined): LineStatus {
  if (!result) return 'pending';
  if (result.status === 'failed') return 'failed';
  if (result.finishReason?.unified === 'length') return 'cut';
  return result.formatFailed ? 'unreadable' : 'done';
}
