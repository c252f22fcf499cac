import { useEffect, useRef, useState } from 'react';
import { ggufName } from '../engine/llm/types';
import type { Recipe, RecipeProvider, RecipeStep } from '../recipes/schema';
import { useForm } from '../state/form';
import { taskLabel } from '../tasks';
import { useDataset } from './queries';
import { runRecipe } from './runRecipe';
import { ErrorAlert } from './Section';

/** Where Run the steps is: the step going on, each step's outcome, and why it stopped. */
interface Progress {
  /** The dataset the first step ran on. */
  on: string;
  at: number;
  outcomes: (string | undefined)[];
  done: boolean;
  error?: unknown;
}

/** An opened recipe's steps, and Run the steps on the selected dataset, with progress. */
export function RecipeSteps({ recipe, from }: { recipe: Recipe; from: string }) {
  const datasetId = useForm((s) => s.data.datasetId);
  const dataset = useDataset(datasetId);
  const [progress, setProgress] = useState<Progress>();
  const running = progress !== undefined && !progress.done;
  // Waiting for runs stops when the panel goes; the runs themselves go on.
  const controller = useRef<AbortController>(null);
  useEffect(() => () => controller.current?.abort(), []);

  async function run() {
    if (!datasetId) return;
    controller.current = new AbortController();
    const on = dataset?.name ?? '';
    const outcomes: (string | undefined)[] = [];
    setProgress({ on, at: 0, outcomes, done: false });
    const onStep = (at: number, outcome?: string) => {
      outcomes[at] = outcome;
      setProgress({ on, at, outcomes: [...outcomes], done: false });
    };
    try {
      await runRecipe(recipe.steps, datasetId, onStep, controller.current.signal);
      setProgress((p) => p && { ...p, done: true });
    } catch (error) {
      setProgress((p) => p && { ...p, done: true, error });
    }
  }

  const start = progress
    ? `“${progress.on}”`
    : `the selected dataset${dataset ? ` (“${dataset.name}”)` : ''}`;
  return (
    <div>
      <p>
        {from} has {recipe.steps.length} steps. Run the steps runs them in order, starting on{' '}
        {start}: each run step is put in the form and run to its end, and the datasets the others
        make are selected as they are made.
      </p>
      <ol>
        {recipe.steps.map((step, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a recipe's steps are a fixed list
          <li key={index}>
            {describeStep(step)}
            {progress && <StepState progress={progress} index={index} />}
          </li>
        ))}
      </ol>
      <div className="actions">
        <button
          type="button"
          disabled={!datasetId || running}
          aria-describedby={datasetId ? undefined : 'steps-need-data'}
          onClick={run}
        >
          Run the steps
        </button>
      </div>
      {!datasetId && (
        <p id="steps-need-data" className="muted">
          Import or pick the dataset the first step runs on.
        </p>
      )}
      {progress && (
        <p className="muted" role="status" aria-label="Recipe steps">
          {summary(progress, recipe.steps)}
        </p>
      )}
      <ErrorAlert error={progress?.error} />
    </div>
  );
}

function StepState({ progress, index }: { progress: Progress; index: number }) {
  const outcome = progress.outcomes[index];
  if (outcome) return <span className="muted"> · {outcome}</span>;
  if (index !== progress.at) return null;
  if (progress.error) return <span className="muted"> · stopped</span>;
  return progress.done ? null : <span className="muted"> · going on…</span>;
}

function summary({ at, done, error }: Progress, steps: readonly RecipeStep[]): string {
  const step = `step ${at + 1} of ${steps.length} (${describeStep(steps[at])})`;
  if (error) return `Stopped at ${step}.`;
  if (!done) return `Running ${step}…`;
  return `Done: the ${steps.length} steps ran. The last run is shown under Results, ready to export.`;
}

/** "UltraFeedback with gpt-4o", "Combine the answers of steps 1 and 2 into generations" */
function describeStep(step: RecipeStep): string {
  switch (step.kind) {
    case 'run':
      return `${taskLabel(step.task.id)} with ${modelOf(step.provider) || 'no model'}`;
    case 'combine':
      return `Combine the answers of steps ${listed(step.runs)} into generations`;
    case 'results':
      return `The results of step ${step.run} as a new dataset`;
  }
}

function modelOf(provider: RecipeProvider): string {
  return provider.id === 'wllama' ? ggufName(provider.source) : provider.model;
}

function listed(numbers: readonly number[]): string {
  return numbers.length === 1
    ? String(numbers[0])
    : `${numbers.slice(0, -1).join(', ')} and ${numbers.at(-1)}`;
}
