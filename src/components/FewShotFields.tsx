import { useEffect, useState } from 'react';
import type { TaskSpec } from '../engine/bound';
import { engine } from '../engineClient';
import { type FormState, setFewShot } from '../state/form';
import { selectTaskSpec } from '../state/selectors';
import { NumberField } from './NumberField';
import { useRuns } from './queries';
import { runLabel } from './runLabel';

/**
 * Use rated rows as examples: up to k generations rated good in a run of this
 * dataset go into the prompt, as earlier turns or where the template puts
 * `examples`. The run defaults to the one shown under Results.
 */
export function FewShotFields({ form, shownRunId }: { form: FormState; shownRunId?: string }) {
  const runs = useRuns(form.data.datasetId) ?? [];
  const { on, count, fromRunId } = form.task.fewShot;
  const picked = runs.find((run) => run.id === fromRunId);
  return (
    <fieldset className="few-shot">
      <legend>Examples</legend>
      <label className="check">
        <input
          type="checkbox"
          checked={on}
          disabled={runs.length === 0}
          onChange={(e) =>
            setFewShot({ on: e.target.checked, fromRunId: picked?.id ?? shownRunId ?? runs[0]?.id })
          }
        />
        <span>Use rated rows as examples</span>
      </label>
      {on && (
        <div className="field-row">
          <label className="field">
            <span>Examples from run</span>
            <select
              value={picked?.id ?? ''}
              onChange={(e) => setFewShot({ fromRunId: e.target.value })}
            >
              {!picked && <option value="">Pick a run</option>}
              {runs.map((run) => (
                <option key={run.id} value={run.id}>
                  {runLabel(run)} · {run.counters.good.toLocaleString()} rated good
                </option>
              ))}
            </select>
          </label>
          <NumberField
            label="How many examples"
            min={1}
            max={20}
            value={count}
            onChange={(v) => setFewShot({ count: Math.min(20, Math.max(1, Math.round(v ?? 3))) })}
          />
        </div>
      )}
      <p className="muted">
        {runs.length === 0
          ? 'After a run, rate some of its rows Good under Results: they can then show the model what you want.'
          : 'The first generations rated Good (and not deleted) go before each prompt as earlier turns of the conversation, with your edits; a template that uses {{ examples }} (a list of rows with the inputs and outputs by name) places them itself.'}
      </p>
    </fieldset>
  );
}

/**
 * The few-shot examples the form's settings name, read by the worker as a run
 * would read them, again whenever the run they come from changes (a new
 * rating, an edit). Undefined while there are none to read.
 */
export function useFewShotExamples(form: FormState): {
  examples?: TaskSpec['examples'];
  error: unknown;
} {
  const spec = selectTaskSpec(form);
  const { datasetId } = form.data;
  const fewShot = spec.settings.fewShot;
  const sourceRun = useRuns(datasetId)?.find((run) => run.id === fewShot?.fromRunId);
  const [read, setRead] = useState<{
    key: string;
    examples?: TaskSpec['examples'];
    error: unknown;
  }>();
  const key = JSON.stringify([datasetId, spec, sourceRun?.updated]);
  const wanted = Boolean(fewShot && datasetId);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for the spec and the run read.
  useEffect(() => {
    if (!wanted || !datasetId) return;
    let current = true;
    engine.examplesFor({ ...spec, datasetId }).then(
      (examples) => current && setRead({ key, examples, error: null }),
      (error: unknown) => current && setRead({ key, error }),
    );
    return () => {
      current = false;
    };
  }, [key, wanted]);

  if (!wanted || read?.key !== key) return { error: null };
  return { examples: read.examples, error: read.error };
}
