import { useLiveQuery } from 'dexie-react-hooks';
import { db } from '../engine/db/schema';
import type { Row } from '../engine/task';

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

/** Every run on a dataset, newest first. */
export function useRuns(datasetId: string | undefined) {
  return useLiveQuery(
    async () =>
      datasetId
        ? (await db.runs.where('datasetId').equals(datasetId).sortBy('created')).reverse()
        : [],
    [datasetId],
  );
}
