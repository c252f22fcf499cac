import { useEffect, useState } from 'react';
import type { RunEstimate } from '../engine/run/estimate';
import { engine } from '../engineClient';
import { useForm } from '../state/form';
import { selectSecrets } from '../state/selectors';
import { money } from './format';
import { useLatestRun } from './queries';
import { RunControls } from './RunControls';
import { RunProgress } from './RunProgress';
import { ErrorAlert, Section } from './Section';

export function RunSection() {
  const datasetId = useForm((s) => s.data.datasetId);
  const run = useLatestRun(datasetId);
  const [error, setError] = useState<unknown>(null);
  // What the estimate was made for: shown only while the dataset is the same.
  const [estimate, setEstimate] = useState<{ datasetId: string; figures: RunEstimate }>();

  // A reload or a crash leaves runs marked running: take them up again.
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
      />
      {!datasetId && (
        <p id="run-needs-data" className="muted">
          Import a dataset under Data (step 1) to run.
        </p>
      )}
      <ErrorAlert error={error} />
      {estimate && estimate.datasetId === datasetId && <EstimateLine estimate={estimate.figures} />}
      {run && <RunProgress run={run} />}
    </Section>
  );
}

function EstimateLine({ estimate }: { estimate: RunEstimate }) {
  const cost =
    estimate.promptCost !== undefined
      ? ` · prompts cost ${money(estimate.promptCost)}, at most ${money(estimate.maxCost ?? 0)} with full-length answers`
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
