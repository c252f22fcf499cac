import { type RefObject, useEffect, useRef, useState } from 'react';
import type { RunSpec } from '../engine/db/runs';
import type { Pricing, Run } from '../engine/db/schema';
import type { ProviderConfig } from '../engine/llm/types';
import { costOf, type RunEstimate } from '../engine/run/estimate';
import { engine } from '../engineClient';
import { type FormState, providerFromForm, useForm } from '../state/form';
import { findTask } from '../tasks';
import { useLatestRun } from './queries';
import { ErrorAlert, Section } from './Section';

export function RunSection() {
  const datasetId = useForm((s) => s.datasetId);
  const run = useLatestRun(datasetId);
  const [error, setError] = useState<unknown>(null);
  const [estimate, setEstimate] = useState<RunEstimate | null>(null);
  // Starting waits for a local model to load; a second click must not start a second run.
  const [starting, setStarting] = useState(false);

  // A reload or a crash leaves runs marked running: take them up again.
  useEffect(() => {
    engine.resumeInterrupted(currentSecrets()).catch(setError);
  }, []);

  const act = (command: () => Promise<unknown>) => () => {
    setError(null);
    Promise.resolve().then(command).catch(setError);
  };

  const active = run?.status === 'running';
  const status = run?.status;
  const resumable = status === 'paused' || status === 'failed';
  const actions = useRef<HTMLDivElement>(null);
  useFocusKept(actions, `${status}:${starting}`);
  return (
    <Section step={4} title="Run">
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
              await engine.startRun(specFromForm(useForm.getState()), currentSecrets());
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
            onClick={act(() => engine.resumeRun(run.id, currentSecrets()))}
          >
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
          onClick={act(async () =>
            setEstimate(await engine.estimateRun(specFromForm(useForm.getState()))),
          )}
        >
          Estimate tokens and cost
        </button>
        {run && status === 'completed' && run.counters.failed > 0 && (
          <button type="button" onClick={act(() => engine.retryFailed(run.id, currentSecrets()))}>
            Retry {run.counters.failed} failed
          </button>
        )}
      </div>
      {!datasetId && (
        <p id="run-needs-data" className="muted">
          Import a dataset under Data (step 1) to run.
        </p>
      )}
      <ErrorAlert error={error} />
      {estimate && <EstimateLine estimate={estimate} />}
      {run && <RunProgress run={run} />}
    </Section>
  );
}

/**
 * A button that goes away or is disabled (Pause once pressed, Run while a run
 * goes) takes the keyboard focus with it. When that happens inside `container`,
 * the focus moves to the button marked `data-next` (the next step: Pause,
 * Resume or Run), so a keyboard or screen-reader user keeps their place.
 */
function useFocusKept(container: RefObject<HTMLElement | null>, state: string) {
  const hadFocus = useRef(false);
  useEffect(() => {
    const track = (e: FocusEvent) => {
      hadFocus.current = container.current?.contains(e.target as Node) ?? false;
    };
    // A click elsewhere (on the page's text, which takes no focus) moves the
    // person's attention: the focus is not ours to bring back then.
    const click = (e: PointerEvent) => {
      if (!container.current?.contains(e.target as Node)) hadFocus.current = false;
    };
    document.addEventListener('focusin', track);
    document.addEventListener('pointerdown', click);
    return () => {
      document.removeEventListener('focusin', track);
      document.removeEventListener('pointerdown', click);
    };
  }, [container]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the state the buttons show changes.
  useEffect(() => {
    // A removed button leaves the focus on the body; a disabled one loses it a moment later.
    const focused = document.activeElement;
    const lost = focused === null || focused === document.body || focused.matches(':disabled');
    if (!hadFocus.current || !lost) return;
    const next =
      container.current?.querySelector<HTMLElement>('[data-next]:not(:disabled)') ??
      container.current?.querySelector<HTMLElement>('button:not(:disabled)');
    next?.focus({ preventScroll: true });
  }, [state, container]);
}

function RunProgress({ run }: { run: Run }) {
  const { total, done, failed, formatFailed } = run.counters;
  const finished = done + failed;
  const percent = total > 0 ? Math.round((finished / total) * 100) : 0;
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
      <p role="status" aria-label="Run status" className={`status ${run.status}`}>
        {statusText(run)}
      </p>
      {run.status === 'failed' && (
        <ErrorAlert error="The run stopped. Mend what the status above says, then press Resume: only the generations without a result are sent again." />
      )}
      <p className="muted">
        {finished.toLocaleString()} of {total.toLocaleString()} generations ·{' '}
        {done.toLocaleString()} done · {failed.toLocaleString()} failed ·{' '}
        {formatFailed.toLocaleString()} unreadable answers
        {run.activity &&
          ` · ${run.activity.inFlight} in flight (window ${run.activity.concurrency})`}
        {run.activity?.waiting ? ` · ${run.activity.waiting} waiting to retry` : ''}
      </p>
      {run.status === 'running' && run.activity?.lastRetry && (
        <p className="muted">
          Retrying after {Math.ceil(run.activity.lastRetry.delayMs / 1000)} s:{' '}
          {run.activity.lastRetry.message}
        </p>
      )}
      <p className="muted">{throughputLine(run)}</p>
      <p className="muted">
        {findTask(run.taskId).label} with {describeProvider(run.provider)} ·{' '}
        {run.settings.numGenerations} per row · started {new Date(run.created).toLocaleString()}
      </p>
    </div>
  );
}

/** Tokens, rate, ETA and cost, from the counters and the current stretch of running. */
function throughputLine(run: Run): string {
  const { total, done, failed, inputTokens, outputTokens } = run.counters;
  const parts = [
    `${inputTokens.toLocaleString()} input and ${outputTokens.toLocaleString()} output tokens`,
  ];
  const activity = run.activity;
  if (activity && run.status === 'running') {
    const seconds = (run.updated - activity.since) / 1000;
    const rate = seconds > 0 ? (done + failed - activity.finishedSince) / seconds : 0;
    if (rate > 0) {
      const rowsPerSecond = rate / run.settings.numGenerations;
      const tokensPerSecond = (outputTokens - activity.outputTokensSince) / seconds;
      parts.push(
        `${rowsPerSecond.toFixed(1)} rows/s (${rate.toFixed(1)} generations/s)`,
        `${tokensPerSecond.toFixed(0)} output tokens/s`,
      );
      parts.push(`about ${formatDuration((total - done - failed) / rate)} left`);
    }
  }
  if (run.pricing) {
    const spent = costOf(run.pricing, inputTokens, outputTokens);
    const finished = done + failed;
    parts.push(`cost so far ${money(spent)}`);
    if (finished > 0 && finished < total)
      parts.push(`projected ${money((spent * total) / finished)}`);
  }
  return parts.join(' · ');
}

function EstimateLine({ estimate }: { estimate: RunEstimate }) {
  const cost =
    estimate.promptCost !== undefined
      ? ` · prompts cost ${money(estimate.promptCost)}, at most ${money(estimate.maxCost ?? 0)} with full-length answers`
      : '';
  return (
    <p className="muted">
      {estimate.generations.toLocaleString()} generations · about{' '}
      {estimate.promptTokens.toLocaleString()} prompt tokens · at most{' '}
      {estimate.maxOutputTokens.toLocaleString()} output tokens{cost}
    </p>
  );
}

const money = (value: number) => `$${value < 1 ? value.toFixed(4) : value.toFixed(2)}`;

function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.ceil(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function statusText(run: Run): string {
  switch (run.status) {
    case 'failed':
      return `Failed: ${run.error?.message ?? 'the run stopped on an error.'}`;
    case 'completed':
      return 'Completed';
    default:
      return run.status[0].toUpperCase() + run.status.slice(1);
  }
}

function describeProvider(provider: ProviderConfig): string {
  return provider.provider === 'openai'
    ? `${provider.model} at ${provider.baseURL}`
    : provider.model;
}

/** The key is read at the moment of the command and travels only to the worker. */
function currentSecrets() {
  return { apiKey: useForm.getState().apiKey || undefined };
}

/** The run as the form describes it; the API key stays out of it. */
function specFromForm(form: FormState): RunSpec {
  if (!form.datasetId) throw new Error('Import or pick a dataset first.');
  return {
    datasetId: form.datasetId,
    taskId: form.taskId,
    taskParams: form.taskParams[form.taskId] ?? {},
    settings: {
      numGenerations: form.numGenerations,
      groupGenerations: form.groupGenerations,
      addRawInput: true,
      addRawOutput: true,
      inputMapping: Object.fromEntries(
        Object.entries(form.inputMapping).filter(([, column]) => column),
      ),
    },
    provider: providerFromForm(form),
    sampling: form.sampling,
    concurrency: form.concurrency,
    limits: form.limits,
    pricing: pricingOf(form),
  };
}

/** Prices apply once either is entered; the other then counts as free. */
function pricingOf(form: FormState): Pricing | undefined {
  const { inputPerMillion, outputPerMillion } = form.pricing;
  if (inputPerMillion === undefined && outputPerMillion === undefined) return undefined;
  return { inputPerMillion: inputPerMillion ?? 0, outputPerMillion: outputPerMillion ?? 0 };
}
