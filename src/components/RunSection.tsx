import { useEffect } from 'react';
import type { RunEstimate } from '../engine/run/estimate';
import { engine } from '../engineClient';
import { useForm } from '../state/form';
import { selectRunSpec, selectSecrets } from '../state/selectors';
import { money } from './format';
import { useLatestRun } from './queries';
import { RecipePanel } from './RecipePanel';
import { RunControls } from './RunControls';
import { RunProgress } from './RunProgress';
import { RunStorageWarning } from './RunStorageWarning';
import { ErrorAlert, Note, Section } from './Section';
import { useScoped } from './useScoped';

export function RunSection() {
  const datasetId = useForm((s) => s.data.datasetId);
  const run = useLatestRun(datasetId);
  // An estimate or an error belongs to the form it was made for (dataset, task,
  // model, limits): a change to any of them takes it away.
  const spec = useForm((s) => JSON.stringify(selectRunSpec(s)));
  const [estimate, setEstimate] = useScoped<RunEstimate>(spec);
  const [error, setError] = useScoped<unknown>(`${spec}|${run?.id}`);
  const [note, setNote] = useScoped<string>(run?.id ?? '');

  // A reload or a crash leaves runs marked running: take them up again.
  // biome-ignore lint/correctness/useExhaustiveDependencies: once per page load, not again when the form changes.
  useEffect(() => {
    engine.resumeInterrupted(selectSecrets(useForm.getState())).catch(setError);
  }, []);

  return (
    <Section step={4} title="Run">
      <RunControls
        run={run ?? undefined}
        datasetId={datasetId}
        onError={setError}
        onEstimate={setEstimate}
        onNote={setNote}
      />
      <Note>{note}</Note>
      {!datasetId && (
        <p id="run-needs-data" className="muted">
          Import a dataset under Data (step 1) to run.
        </p>
      )}
      <RunStorageWarning datasetId={datasetId} />
      <ErrorAlert error={error} />
      {estimate && <EstimateLine estimate={estimate} />}
      {run && <RunProgress run={run} />}
      <RecipePanel />
    </Section>
  );
}

/** A batch-mode estimate says its prices are the batch ones, and what live requests would cost. */
function batchPrices({ batch }: RunEstimate): string {
  if (!batch) return '';
  const live =
    batch.liveMaxCost === undefined ? '' : ` (live requests: at most ${money(batch.liveMaxCost)})`;
  return ` at batch prices${live}`;
}

function EstimateLine({ estimate }: { estimate: RunEstimate }) {
  const cost =
    estimate.promptCost !== undefined
      ? ` · prompts cost ${money(estimate.promptCost)}, at most ${money(estimate.maxCost ?? 0)} with full-length answers${batchPrices(estimate)}`
      : '';
  const requests =
    estimate.requests !== estimate.generations
      ? ` in ${estimate.requests.toLocaleString()} requests`
      : '';
  return (
    <p className="muted">
      {estimate.generations.toLocaleString()} generations{requests} · about{' '}
      {estimate.promptTokens.toLocaleString()} prompt tokens · at most{' '}
      {estimate.maxOutputTokens.toLocaleString()} output tokens{cost}
    </p>
  );
}
