import { useRef, useState } from 'react';
import type { Run } from '../engine/db/schema';
import type { RunEstimate } from '../engine/run/estimate';
import { engine } from '../engineClient';
import { useForm } from '../state/form';
import { pickRun } from '../state/review';
import { type Checked, selectRunSpec, selectSecrets } from '../state/selectors';
import { useFocusKept } from './useFocusKept';

/** The form's run spec, or its problem thrown as the error to show. */
function specOrThrow<T>(checked: Checked<T>): T {
  if (!checked.ok) throw new Error(checked.problem);
  return checked.value;
}

/** Run, Pause, Resume, Cancel, Estimate and Retry failed: the commands, with the keyboard focus kept. */
export function RunControls({
  run,
  datasetId,
  onError,
  onEstimate,
}: {
  run: Run | undefined;
  datasetId: string | undefined;
  onError: (error: unknown) => void;
  onEstimate: (estimate: { datasetId: string; figures: RunEstimate }) => void;
}) {
  // Starting waits for a local model to load; a second click must not start a second run.
  const [starting, setStarting] = useState(false);
  const status = run?.status;
  const active = status === 'running';
  const resumable = status === 'paused' || status === 'failed';
  const actions = useRef<HTMLDivElement>(null);
  useFocusKept(actions, `${status}:${starting}`);

  const act = (command: () => Promise<unknown>) => () => {
    onError(null);
    Promise.resolve().then(command).catch(onError);
  };
  const secrets = () => selectSecrets(useForm.getState());
  const spec = () => specOrThrow(selectRunSpec(useForm.getState()));

  return (
    <div className="actions" ref={actions}>
      <button
        type="button"
        className="primary"
        // aria-disabled while starting, so the button keeps the keyboard focus.
        disabled={!datasetId || active}
        aria-disabled={starting}
        aria-busy={starting}
        aria-describedby={datasetId ? undefined : 'run-needs-data'}
        data-next={!active && !resumable ? '' : undefined}
        onClick={act(async () => {
          if (starting) return;
          setStarting(true);
          try {
            const runSpec = spec();
            await engine.startRun(runSpec, secrets());
            // Results follow the new run.
            pickRun(runSpec.datasetId, undefined);
          } finally {
            setStarting(false);
          }
        })}
      >
        Run
      </button>
      {run && active && (
        <button type="button" data-next="" onClick={act(() => engine.pauseRun(run.id))}>
          Pause
        </button>
      )}
      {run && resumable && (
        <button type="button" data-next="" onClick={act(() => engine.resumeRun(run.id, secrets()))}>
          Resume
        </button>
      )}
      {run && (active || status === 'paused') && (
        <button type="button" className="secondary" onClick={act(() => engine.cancelRun(run.id))}>
          Cancel
        </button>
      )}
      <button
        type="button"
        className="secondary"
        disabled={!datasetId}
        aria-describedby={datasetId ? undefined : 'run-needs-data'}
        onClick={act(async () => {
          const runSpec = spec();
          onEstimate({ datasetId: runSpec.datasetId, figures: await engine.estimateRun(runSpec) });
        })}
      >
        Estimate tokens and cost
      </button>
      {run && status === 'completed' && run.counters.failed > 0 && (
        <button type="button" onClick={act(() => engine.retryFailed(run.id, secrets()))}>
          Retry failed ({run.counters.failed})
        </button>
      )}
    </div>
  );
}
