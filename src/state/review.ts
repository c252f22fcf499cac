import { create } from 'zustand';
import { persist } from 'zustand/middleware';
import type { ExportShape } from '../engine/io/exportRun';
import type { Show } from '../engine/review/views';

/**
 * How the person looks at results (UI state only): which run of each dataset
 * they picked, the run compared with it, the filter and search, and the
 * grid's columns. Without a pick, the Results step follows the newest run.
 */
export interface ReviewState {
  /** dataset id -> the run picked under Run */
  picked: Record<string, string>;
  /** dataset id -> the run shown beside it */
  compared: Record<string, string>;
  show: Show;
  /** The search as last submitted. */
  search: string;
  /** Column name -> width in pixels, where the person resized it. */
  widths: Record<string, number>;
  hidden: string[];
  /** The shape exports take (Export as); a recipe sets it. Not kept across a reload. */
  exportAs: ExportShape;
}

export const useReview = create<ReviewState>()(
  persist(
    (): ReviewState => ({
      picked: {},
      compared: {},
      show: 'all',
      search: '',
      widths: {},
      hidden: [],
      exportAs: 'rows',
    }),
    {
      name: 'retort-review',
      version: 1,
      partialize: ({ exportAs: _, ...kept }) => kept,
    },
  ),
);

/** Picks a run to look at; undefined goes back to following the newest. */
export function pickRun(datasetId: string, runId: string | undefined): void {
  useReview.setState((s) => ({
    picked: withEntry(s.picked, datasetId, runId),
    // A run is never compared with itself.
    compared:
      s.compared[datasetId] === runId ? withEntry(s.compared, datasetId, undefined) : s.compared,
  }));
}

export function compareWith(datasetId: string, runId: string | undefined): void {
  useReview.setState((s) => ({ compared: withEntry(s.compared, datasetId, runId) }));
}

export function setShow(show: Show): void {
  useReview.setState({ show });
}

export function setSearch(search: string): void {
  useReview.setState({ search });
}

export function setExportAs(exportAs: ExportShape): void {
  useReview.setState({ exportAs });
}

export function setColumnWidth(column: string, width: number): void {
  useReview.setState((s) => ({ widths: { ...s.widths, [column]: width } }));
}

export function toggleColumn(column: string, visible: boolean): void {
  useReview.setState((s) => ({
    hidden: visible ? s.hidden.filter((c) => c !== column) : [...s.hidden, column],
  }));
}

function withEntry(
  map: Record<string, string>,
  key: string,
  value: string | undefined,
): Record<string, string> {
  const { [key]: _, ...rest } = map;
  return value === undefined ? rest : { ...rest, [key]: value };
}
