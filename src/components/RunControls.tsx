import { useRef, useState } from 'react';
import type { RunSpec } from '../engine/db/runs';
import type { Run } from '../engine/db/schema';
import type { RunEstimate } from '../engine/run/estimate';
import { engine } from '../engineClient';
import { type FormState, useForm } from '../state/form';
import { pickRun } from '../state/review';
import {
  type Checked,
  changedProvider,
  changedSpec,
  selectRunSpec,
  selectSecrets,
} from '../state/selectors';
import { describeProvider } from './runLabel';
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
  onNote,
}: {
  run: Run | undefined;
  datasetId: string | undefined;
  onError: (error: unknown) => void;
  onEstimate: (estimate: RunEstimate) => void;
  /** What a command did that the status does not say (resuming with new settings). */
  onNote: (note: string | undefined) => void;
}) {
  const form = useForm();
  // Starting waits for a local model to load; a second click must not start a second run.
  const [starting, setStarting] = useState(false);
  const status = run?.status;
  const active = status === 'running';
  const resumable = status === 'paused' || status === 'failed';
  const actions = useRef<HTMLDivElement>(null);
  useFocusKept(actions, `${status}:${starting}`);

  const act = (command: () => Promise<unknown>) => () => {
    onError(null);
    onNote(undefined);
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
        <button
          type="button"
          data-next=""
          onClick={act(() => {
            const provider = status === 'failed' ? changedProvider(form, run) : undefined;
            onNote(provider && `Resuming with the new settings: ${describeProvider(provider)}.`);
            return engine.resumeRun(run.id, secrets(), provider);
          })}
        >
          Resume
        </button>
      )}
      {run && (active || status === 'paused') && (
        <button
          type="button"
          className="secondary"
          onClick={act(async () => {
            const kept = run.counters.done + run.counters.failed;
            const question = `Cancel this run? It cannot be resumed afterwards; the ${kept.toLocaleString()} generations made so far stay.`;
            if (confirm(question)) await engine.cancelRun(run.id, secrets());
          })}
        >
          Cancel
        </button>
      )}
      <button
        type="button"
        className="secondary"
        disabled={!datasetId}
        aria-describedby={datasetId ? undefined : 'run-needs-data'}
        onClick={act(async () => {
          onEstimate(await engine.estimateRun(spec()));
        })}
      >
        Estimate tokens and cost
      </button>
      {run && status === 'completed' && run.counters.failed > 0 && (
        <RetryFailed
          run={run}
          form={form}
          onClick={(spec) => act(() => engine.retryFailed(run.id, secrets(), spec))()}
        />
      )}
    </div>
  );
}

/**
 * Retry failed: the failures a retry may mend; after a change of task or
 * model, every failure, with the new settings. When every failure lasts
 * (HTTP 400, a row the task cannot read) the button says what it waits for.
 */
function RetryFailed({
  run,
  form,
  onClick,
}: {
  run: Run;
  form: FormState;
  onClick: (spec: RunSpec | undefined) => void;
}) {
  const { failed, lasting = 0 } = run.counters;
  const spec = changedSpec(form, run);
  if (spec)
    return (
      <button type="button" onClick={() => onClick(spec)}>
        Retry failed with the new settings ({failed.toLocaleString()})
      </button>
    );
  const retryable = failed - lasting;
  return (
    <>
      <button
        type="button"
        disabled={retryable === 0}
        aria-describedby={lasting > 0 ? 'retry-lasting' : undefined}
        onClick={() => onClick(undefined)}
      >
        Retry failed ({retryable.toLocaleString()})
      </button>
      {lasting > 0 && (
        <span id="retry-lasting" className="muted">
          {lasting.toLocaleString()} failed with an error a retry meets again: change the task or
          model, then retry them.
        </span>
      )}
    </>
  );
}
