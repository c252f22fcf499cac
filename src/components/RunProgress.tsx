import { useEffect, useState } from 'react';
import type { FailureReason } from '../engine/db/results';
import type { Run } from '../engine/db/schema';
import { progressOf } from '../engine/run/progress';
import { engine } from '../engineClient';
import { taskLabel } from '../tasks';
import { batchLine } from './batchLine';
import { formatDuration, money } from './format';
import { describeProvider } from './runLabel';
import { ErrorAlert } from './Section';

/** A run's progress: the bar, its status, its counts, and what it is doing now. */
export function RunProgress({ run }: { run: Run }) {
  const { done, failed, formatFailed, cut } = run.counters;
  const { finished, total, percent } = progressOf(run);
  return (
    <div className="run">
      <div
        role="progressbar"
        aria-label="Run progress"
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={finished}
        aria-valuetext={`${finished.toLocaleString()} of ${total.toLocaleString()} generations`}
        className="progress"
      >
        <div className="bar" style={{ width: `${percent}%` }} />
      </div>
      <p
        role="status"
        aria-label="Run status"
        className={`status ${run.status}${failed > 0 ? ' with-failures' : ''}`}
      >
        {statusText(run)}
      </p>
      {run.status === 'failed' && (
        <ErrorAlert error="The run stopped. Mend what the status above says (the Base URL, model or key under Model), then press Resume: it sends only the generations without a result, with the model settings now in the form." />
      )}
      {failed > 0 && run.status !== 'running' && <FailureReasons run={run} />}
      <p className="muted">
        {finished.toLocaleString()} of {total.toLocaleString()} generations ·{' '}
        {done.toLocaleString()} done · {failed.toLocaleString()} failed ·{' '}
        {formatFailed.toLocaleString()} unreadable answers
        {cut > 0 && ` · ${cut.toLocaleString()} cut at max tokens`}
        {run.activity &&
          ` · ${run.activity.inFlight} in flight (window ${run.activity.concurrency})`}
        {run.activity?.waiting ? ` · ${run.activity.waiting} waiting to retry` : ''}
      </p>
      {batchLine(run) && <p className="muted">{batchLine(run)}</p>}
      {cut > 0 && (
        <p className="muted">
          {cut === 1 ? 'One answer was' : `${cut.toLocaleString()} answers were`} cut short at Max
          new tokens ({run.sampling.maxTokens ?? 'the server’s limit'}): raise Max new tokens under
          Model and retry them.
        </p>
      )}
      {run.status === 'running' && run.activity?.lastRetry && (
        <p className="muted">
          Retrying after {Math.ceil(run.activity.lastRetry.delayMs / 1000)} s:{' '}
          {run.activity.lastRetry.message}
        </p>
      )}
      <p className="muted">{throughputLine(run)}</p>
      <p className="muted">
        {taskLabel(run.taskId)} with {describeProvider(run.provider)} ·{' '}
        {run.settings.numGenerations} per row · started {new Date(run.created).toLocaleString()}
      </p>
    </div>
  );
}

/** Tokens, rate, ETA and cost, in words. */
function throughputLine(run: Run): string {
  const { inputTokens, outputTokens } = run.counters;
  const { rate, cost } = progressOf(run);
  const parts = [
    `${inputTokens.toLocaleString()} input and ${outputTokens.toLocaleString()} output tokens`,
  ];
  if (rate) {
    parts.push(
      `${rate.rowsPerSecond.toFixed(1)} rows/s (${rate.generationsPerSecond.toFixed(1)} generations/s)`,
      `${rate.outputTokensPerSecond.toFixed(0)} output tokens/s`,
      `about ${formatDuration(rate.secondsLeft)} left`,
    );
  }
  if (cost) {
    parts.push(`cost so far ${money(cost.spent)}`);
    if (cost.projected !== undefined) parts.push(`projected ${money(cost.projected)}`);
  }
  return parts.join(' · ');
}

function statusText(run: Run): string {
  switch (run.status) {
    case 'failed':
      return `Failed: ${run.error?.message ?? 'the run stopped on an error.'}`;
    case 'completed':
      return run.counters.failed > 0
        ? `Completed with ${run.counters.failed.toLocaleString()} failed`
        : 'Completed';
    default:
      return run.status[0].toUpperCase() + run.status.slice(1);
  }
}

/** Why generations failed, the most frequent reasons first, and which a retry cannot mend. */
function FailureReasons({ run }: { run: Run }) {
  const [reasons, setReasons] = useState<FailureReason[]>();
  const { failed } = run.counters;
  // biome-ignore lint/correctness/useExhaustiveDependencies: read again when the failures change (a retry).
  useEffect(() => {
    let current = true;
    engine.failureReasons(run.id).then(
      (found) => current && setReasons(found),
      () => current && setReasons(undefined),
    );
    return () => {
      current = false;
    };
  }, [run.id, failed]);
  if (!reasons?.length) return null;
  return (
    <div className="failures">
      <p className="muted">Why generations failed:</p>
      <ul aria-label="Failure reasons">
        {reasons.map((reason) => (
          <li key={reason.message}>
            {reason.count.toLocaleString()} × {reason.message}
            {reason.lasting && ' (a retry meets the same error: change the task or model first)'}
          </li>
        ))}
      </ul>
    </div>
  );
}
