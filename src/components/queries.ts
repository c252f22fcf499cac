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

/**
 * A figure that changes whenever what is stored grows or shrinks (an import,
 * a run's results, a judgement, a deletion): the storage figures are read
 * again when it does.
 */
export function useStoredVersion() {
  return useLiveQuery(async () => {
    const [datasets, rowPages, resultPages, runs] = await Promise.all([
      db.datasets.count(),
      db.rowPages.count(),
      db.resultPages.count(),
      db.runs.toArray(),
    ]);
    const lastChange = Math.max(0, ...runs.map((run) => run.updated));
    return `${datasets}:${rowPages}:${resultPages}:${runs.length}:${lastChange}`;
  }, []);
}
