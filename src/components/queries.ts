import { useLiveQuery } from 'dexie-react-hooks';
import { db, type Run } from '../engine/db/schema';
import { runColumns, runOutputRows } from '../engine/run/outputRows';
import type { Row } from '../engine/task';
import { bindSpec } from '../tasks';

/**
 * The live queries the UI reads stored data through: the one place the page
 * touches IndexedDB. `undefined` means "still loading", never "empty".
 */
export function useDatasets() {
  return useLiveQuery(() => db.datasets.orderBy('created').reverse().toArray(), []);
}

export function useDataset(datasetId: string | undefined) {
  return useLiveQuery(() => (datasetId ? db.datasets.get(datasetId) : undefined), [datasetId]);
}

export function useFirstRows(datasetId: string | undefined, count: number): Row[] | undefined {
  return useLiveQuery(
    async () =>
      datasetId ? ((await db.rowPages.get([datasetId, 0]))?.rows.slice(0, count) ?? []) : [],
    [datasetId, count],
  );
}

/** The newest run on a dataset: the one the run panel, results and exports show. */
export function useLatestRun(datasetId: string | undefined) {
  return useLiveQuery(
    async () =>
      datasetId
        ? ((await db.runs.where('datasetId').equals(datasetId).sortBy('created')).at(-1) ?? null)
        : null,
    [datasetId],
  );
}

/** Every run on a dataset, oldest first. */
export function useRuns(datasetId: string) {
  return useLiveQuery(
    () => db.runs.where('datasetId').equals(datasetId).sortBy('created'),
    [datasetId],
  );
}

/** The first output rows of a run as it writes them, without distilabel_metadata. */
export function useFirstOutputRows(run: Run, count: number) {
  return useLiveQuery(async () => {
    const dataset = await db.datasets.get(run.datasetId);
    if (!dataset) return { columns: [], rows: [] };
    const bound = bindSpec(run);
    const rows: Row[] = [];
    for await (const batch of runOutputRows(run, bound, { limitRows: count })) rows.push(...batch);
    const columns = runColumns(dataset, bound).filter((c) => c !== 'distilabel_metadata');
    return { columns, rows: rows.slice(0, count) };
  }, [run.id, run.updated, count]);
}
