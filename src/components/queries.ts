import { liveQuery } from 'dexie';
import { useLiveQuery } from 'dexie-react-hooks';
import { type Dataset, db, type Run, type RunStatus } from '../engine/db/schema';
import type { Row } from '../engine/task';
import type { Derivation } from '../recipes/steps';

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

/** How a dataset was made from runs: the chain Save recipe writes before the form's step. */
export interface Lineage {
  /** Oldest first; empty for a dataset imported from a file. */
  made: Derivation[];
  /** The dataset the chain starts on: the one imported, or one whose runs are deleted. */
  start: Dataset | undefined;
  /** The runs that made `start` are deleted, so the chain cannot go further back. */
  cut: boolean;
}

/** The lineage of a dataset, read again as datasets and runs change. */
export function useLineage(datasetId: string | undefined) {
  return useLiveQuery(() => lineageOf(datasetId), [datasetId]);
}

async function lineageOf(datasetId: string | undefined): Promise<Lineage> {
  const made: Derivation[] = [];
  let dataset = datasetId ? await db.datasets.get(datasetId) : undefined;
  while (dataset?.derivedFrom) {
    const from = dataset.derivedFrom;
    const runs = await db.runs.bulkGet(from.kind === 'combine' ? from.runIds : [from.runId]);
    if (!runs.every((run) => run !== undefined)) return { made, start: dataset, cut: true };
    made.unshift({ from, runs });
    dataset = await db.datasets.get(runs[0].datasetId);
  }
  return { made, start: dataset, cut: false };
}

const ENDED: readonly RunStatus[] = ['completed', 'failed', 'cancelled'];

/**
 * The run once it has ended (completed, failed or cancelled), or undefined
 * once it is deleted. Paused is no end: the person may resume it.
 */
export function runEnd(runId: string, signal: AbortSignal): Promise<Run | undefined> {
  return new Promise((resolve, reject) => {
    const stop = () => {
      subscription.unsubscribe();
      signal.removeEventListener('abort', aborted);
    };
    const aborted = () => {
      stop();
      reject(signal.reason);
    };
    // Dexie answers a live query asynchronously: `stop` is never called before this is set.
    const subscription = liveQuery(() => db.runs.get(runId)).subscribe({
      next: (run) => {
        if (run && !ENDED.includes(run.status)) return;
        stop();
        resolve(run);
      },
      error: (error) => {
        stop();
        reject(error);
      },
    });
    if (signal.aborted) aborted();
    else signal.addEventListener('abort', aborted);
  });
}
