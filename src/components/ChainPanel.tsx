import { useLiveQuery } from 'dexie-react-hooks';
import { useState } from 'react';
import { db, type Run } from '../engine/db/schema';
import { engine } from '../engineClient';
import { setForm } from '../state/form';
import { findTask } from '../tasks';
import { ErrorAlert } from './Section';

/**
 * Chains of runs: a run's results as a new dataset, or the answers of several
 * models over this dataset combined into one `generations` list per row, to be
 * judged next (UltraFeedback, the pairwise judge) and exported as DPO pairs.
 */
export function ChainPanel({ run }: { run: Run }) {
  const runs = useLiveQuery(
    () => db.runs.where('datasetId').equals(run.datasetId).sortBy('created'),
    [run.datasetId],
  );
  const [picked, setPicked] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function derive(make: () => Promise<{ id: string }>) {
    setError(null);
    setBusy(true);
    try {
      const dataset = await make();
      setPicked([]);
      setForm({ datasetId: dataset.id });
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  const finished = (runs ?? []).filter((r) => r.status === 'completed');
  // The panel stays mounted when another dataset's run is shown: only picks
  // among the runs listed here count, so a hidden one can never be combined.
  const chosen = picked.filter((id) => finished.some((r) => r.id === id));
  return (
    <details className="more">
      <summary>Use these results in another run</summary>
      <p className="muted">
        A new dataset is made from stored results; the runs themselves stay as they are.
      </p>
      <div className="actions">
        <button
          type="button"
          className="secondary"
          disabled={busy || run.counters.done === 0}
          onClick={() => derive(() => engine.datasetFromRun(run.id))}
        >
          Use results as a new dataset
        </button>
      </div>
      {finished.length >= 2 && (
        <fieldset className="mapping">
          <legend>Combine the answers of several runs into generations</legend>
          {finished.map((r) => (
            <label key={r.id} className="check">
              <input
                type="checkbox"
                checked={chosen.includes(r.id)}
                onChange={(e) =>
                  setPicked(
                    e.target.checked ? [...chosen, r.id] : chosen.filter((id) => id !== r.id),
                  )
                }
              />
              <span>{describeRun(r)}</span>
            </label>
          ))}
          <button
            type="button"
            className="secondary"
            disabled={busy || chosen.length < 2}
            onClick={() => derive(() => engine.combineRuns(chosen))}
          >
            Combine runs into generations
          </button>
        </fieldset>
      )}
      <ErrorAlert error={error} />
    </details>
  );
}

function describeRun(run: Run): string {
  const model = run.provider.model;
  return `${findTask(run.taskId).label} · ${model} · ${new Date(run.created).toLocaleTimeString()}`;
}
