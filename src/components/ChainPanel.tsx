import { useState } from 'react';
import type { Run } from '../engine/db/schema';
import { engine } from '../engineClient';
import { setData } from '../state/form';
import { useRuns } from './queries';
import { runLabel } from './runLabel';
import { ErrorAlert } from './Section';
import { useCancellable } from './useCancellable';
import { useScoped } from './useScoped';

/**
 * Chains of runs: a run's results as a new dataset, or the answers of several
 * models over this dataset combined into one `generations` list per row, to be
 * judged next (UltraFeedback, the pairwise judge) and exported as DPO pairs.
 */
export function ChainPanel({ run }: { run: Run }) {
  const runs = useRuns(run.datasetId);
  const [picked, setPicked] = useState<string[]>([]);
  const [error, setError] = useScoped<unknown>(run.id);
  const command = useCancellable();

  async function derive(make: (signal: AbortSignal) => Promise<{ id: string }>) {
    setError(null);
    try {
      const outcome = await command.start(make);
      if (outcome.cancelled) return;
      setPicked([]);
      setData({ datasetId: outcome.value.id });
    } catch (failure) {
      setError(failure);
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
          disabled={command.busy || run.counters.done === 0}
          onClick={() => derive((signal) => engine.datasetFromRun(run.id, signal))}
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
              <span>{runLabel(r)}</span>
            </label>
          ))}
          <button
            type="button"
            className="secondary"
            disabled={command.busy || chosen.length < 2}
            onClick={() => derive((signal) => engine.combineRuns(chosen, signal))}
          >
            Combine runs into generations
          </button>
        </fieldset>
      )}
      {command.busy && (
        <div className="actions">
          <p className="muted" aria-live="polite">
            Making the new dataset…
          </p>
          <button type="button" className="secondary" onClick={command.cancel}>
            Cancel making the dataset
          </button>
        </div>
      )}
      <ErrorAlert error={error} />
    </details>
  );
}
