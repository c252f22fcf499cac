import { useEffect, useState } from 'react';
import type { DeletedDataset } from '../engine/db/deletions';
import type { Dataset } from '../engine/db/schema';
import { engine } from '../engineClient';
import { setData } from '../state/form';
import { rowCount } from './format';
import { useRuns } from './queries';
import { ErrorAlert } from './Section';

const runCount = (runs: number) =>
  runs === 0 ? 'no runs' : `${runs.toLocaleString()} ${runs === 1 ? 'run' : 'runs'}`;

/**
 * Delete dataset: first says what goes (rows, runs), then deletes, then offers
 * Undo for as long as the engine keeps what it took (db/deletions.ts).
 */
export function DeleteDataset({ dataset }: { dataset: Dataset | undefined }) {
  const runs = useRuns(dataset?.id);
  const [confirming, setConfirming] = useState<string>();
  const [deleted, setDeleted] = useState<DeletedDataset>();
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    if (!deleted) return;
    const timer = setTimeout(() => setDeleted(undefined), deleted.undoMs);
    return () => clearTimeout(timer);
  }, [deleted]);

  async function remove(target: Dataset) {
    setConfirming(undefined);
    setError(null);
    setData({ datasetId: undefined });
    try {
      setDeleted(await engine.deleteDataset(target.id));
    } catch (failure) {
      setError(failure);
    }
  }

  async function undo(gone: DeletedDataset) {
    setDeleted(undefined);
    try {
      await engine.undoDeleteDataset(gone.datasetId);
      setData({ datasetId: gone.datasetId });
    } catch (failure) {
      setError(failure);
    }
  }

  // A confirmation names one dataset: it is not carried over to another.
  const asking = dataset && runs && confirming === dataset.id;
  return (
    <>
      {dataset && !asking && (
        <div className="actions">
          <button type="button" className="secondary" onClick={() => setConfirming(dataset.id)}>
            Delete dataset
          </button>
        </div>
      )}
      {asking && (
        <fieldset className="actions">
          <legend>Delete dataset</legend>
          <p>
            Delete “{dataset.name}”: {rowCount(dataset.rowCount)} and {runCount(runs.length)}, with
            their results and judgements?
          </p>
          <button type="button" onClick={() => remove(dataset)}>
            Yes, delete it
          </button>
          <button type="button" className="secondary" onClick={() => setConfirming(undefined)}>
            Keep it
          </button>
        </fieldset>
      )}
      {deleted && (
        <p className="muted" role="status">
          Deleted “{deleted.name}”: {rowCount(deleted.rows)} and {runCount(deleted.runs)}.{' '}
          <button
            type="button"
            className="secondary"
            aria-label={`Undo deleting “${deleted.name}”`}
            onClick={() => undo(deleted)}
          >
            Undo
          </button>
        </p>
      )}
      <ErrorAlert error={error} />
    </>
  );
}
