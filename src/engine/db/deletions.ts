import { inputError } from '../errors';
import { deleteDataset, holdImportLock, putBack, type SetAside, setAside } from './datasets';
import { deleteRun } from './runs';

/**
 * Deleting a dataset can be undone for a few seconds. Its record and its runs'
 * records leave the store at once (every list forgets them), their pages stay
 * until the time is up, and Undo stores the records again, so everything comes
 * back exactly. The records wait in this worker's memory: a reload or a closed
 * tab makes the deletion final, and the pages go with the next sweep.
 */

/** How long the page offers Undo. */
const UNDO_MS = 8_000;

/** Kept a little longer than Undo is offered, so a press in its last moment still finds it. */
const GRACE_MS = 2_000;

interface Pending {
  aside: SetAside;
  /** Lets go of the import lock, which keeps sweeps off the pages meanwhile. */
  release: () => void;
  timer: ReturnType<typeof setTimeout>;
}

const pending = new Map<string, Pending>();

/** What a deletion took, for the page to say, and how long it offers Undo. */
export interface DeletedDataset {
  datasetId: string;
  name: string;
  rows: number;
  runs: number;
  undoMs: number;
}

/** Deletes a dataset and its runs, undoably (undoDelete) for UNDO_MS; undefined if there is none. */
export async function deleteUndoably(datasetId: string): Promise<DeletedDataset | undefined> {
  const release = await holdImportLock();
  let aside: SetAside | undefined;
  try {
    aside = await setAside(datasetId);
  } finally {
    if (!aside) release();
  }
  if (!aside) return undefined;
  const timer = setTimeout(() => {
    purge(datasetId).catch((error) =>
      // Left pages belong to nothing now: the next sweep deletes them.
      console.warn('Could not delete the pages of a deleted dataset.', error),
    );
  }, UNDO_MS + GRACE_MS);
  pending.set(datasetId, { aside, release, timer });
  const { dataset, runs } = aside;
  return {
    datasetId,
    name: dataset.name,
    rows: dataset.rowCount,
    runs: runs.length,
    undoMs: UNDO_MS,
  };
}

/** Brings back a dataset deleted moments ago, with its runs, as it was. */
export async function undoDelete(datasetId: string): Promise<void> {
  const entry = take(datasetId);
  if (!entry) throw inputError('It is too late to undo: the dataset is deleted for good.');
  try {
    await putBack(entry.aside);
  } finally {
    entry.release();
  }
}

async function purge(datasetId: string): Promise<void> {
  const entry = take(datasetId);
  if (!entry) return;
  try {
    for (const run of entry.aside.runs) await deleteRun(run.id);
    await deleteDataset(datasetId);
  } finally {
    entry.release();
  }
}

function take(datasetId: string): Pending | undefined {
  const entry = pending.get(datasetId);
  if (entry) {
    clearTimeout(entry.timer);
    pending.delete(datasetId);
  }
  return entry;
}
