import { inputError } from '../engine/errors';
import { engine } from '../engineClient';
import type { RecipeStep, RunStep } from '../recipes/schema';
import { setData, useForm } from '../state/form';
import { putInForm } from '../state/recipe';
import { pickRun } from '../state/review';
import { selectRunSpec, selectSecrets } from '../state/selectors';
import { runEnd } from './queries';

/**
 * Runs a recipe's steps in order on a dataset, as the person would by hand:
 * each run step is put in the form, started with the form's API key, and
 * waited for to its end; a combine or results step makes the dataset the
 * steps after it run on, and selects it. `onStep` hears each step start (with
 * no outcome) and end (with one). A run that fails, is cancelled or deleted
 * stops the steps with an input error saying so; a run completed with some
 * failed generations does not (a combine leaves them out).
 */
export async function runRecipe(
  steps: readonly RecipeStep[],
  datasetId: string,
  onStep: (index: number, outcome?: string) => void,
  signal: AbortSignal,
): Promise<void> {
  const runIds: string[] = [];
  let current = datasetId;
  for (const [index, step] of steps.entries()) {
    signal.throwIfAborted();
    onStep(index);
    if (step.kind === 'run') {
      const { id, failed } = await runStep(step, current, signal);
      runIds[index] = id;
      onStep(index, failed ? `done, ${failed.toLocaleString()} failed` : 'done');
      continue;
    }
    // Step numbers count from 1; chainProblems made sure they name earlier runs.
    const dataset =
      step.kind === 'combine'
        ? await engine.combineRuns(
            step.runs.map((n) => runIds[n - 1]),
            signal,
          )
        : await engine.datasetFromRun(runIds[step.run - 1], signal);
    current = dataset.id;
    setData({ datasetId: current });
    onStep(index, `made “${dataset.name}”`);
  }
}

async function runStep(
  step: RunStep,
  datasetId: string,
  signal: AbortSignal,
): Promise<{ id: string; failed: number }> {
  putInForm(step, datasetId);
  const form = useForm.getState();
  const spec = selectRunSpec(form);
  if (!spec.ok) throw inputError(spec.problem);
  const id = await engine.startRun(spec.value, selectSecrets(form));
  // Results follow the new run, as after Run.
  pickRun(datasetId, undefined);
  const run = await runEnd(id, signal);
  if (!run) throw inputError('Its run was deleted.');
  if (run.status === 'cancelled') throw inputError('Its run was cancelled.');
  if (run.status === 'failed') throw inputError(`Its run failed: ${run.error?.message}`);
  return { id, failed: run.counters.failed };
}
