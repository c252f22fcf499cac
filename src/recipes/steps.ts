import type { TaskSpec } from '../engine/bound';
import type { DerivedFrom, Pricing, Run, RunLimits } from '../engine/db/schema';
import type { ExportShape } from '../engine/io/exportRun';
import type { ModelSource, ProviderConfig, SamplingOptions } from '../engine/llm/types';
import { type FormState, type GgufForm, initialForm, type ProviderSlice } from '../state/form';
import { selectTaskSpec } from '../state/selectors';
import {
  RECIPE_VERSION,
  type Recipe,
  type RecipeProvider,
  type RecipeStep,
  type RunStep,
} from './schema';

/**
 * Recipes to and from what the page has: the form, and the stored runs that
 * made the selected dataset. The form gives the last step; those runs, with
 * how their dataset was made from them, the steps before it.
 */

/** One link of the chain that made a dataset: how it was made, and from which runs. */
export interface Derivation {
  from: DerivedFrom;
  /** The runs it names, in its order. */
  runs: Run[];
}

/**
 * The recipe of the form as it is, after the steps that made the selected
 * dataset (`made`, oldest first; none for an imported dataset).
 */
export function recipeOf(
  form: FormState,
  made: readonly Derivation[],
  exportAs: ExportShape,
): Recipe {
  const steps: RecipeStep[] = [];
  for (const { from, runs } of made) {
    // push gives the new length: the step's number, counting from 1.
    const numbers = runs.map((run) => steps.push(stepOfRun(run)));
    steps.push(
      from.kind === 'combine'
        ? { kind: 'combine', runs: numbers }
        : { kind: 'results', run: numbers[0] },
    );
  }
  steps.push(stepOfForm(form));
  return { retort: 'recipe', version: RECIPE_VERSION, steps, export: { as: exportAs } };
}

/**
 * The recipe of a stored run: the steps that made its dataset, then the run
 * itself (as pushed beside its dataset, or exported as a distilabel pipeline).
 */
export function recipeOfRun(run: Run, made: readonly Derivation[], exportAs: ExportShape): Recipe {
  const { steps, ...recipe } = recipeOf(initialForm, made, exportAs);
  // recipeOf ends with the form's step: the run's own replaces it.
  return { ...recipe, steps: [...steps.slice(0, -1), stepOfRun(run)] };
}

/** The run the form describes, whether or not it is complete (a model id may be missing). */
export function stepOfForm(form: FormState): RunStep {
  const { concurrency, pricing, ...limits } = form.limits;
  return runStep(selectTaskSpec(form), {
    provider: providerOfForm(form.provider),
    sampling: form.sampling,
    concurrency,
    limits,
    pricing,
  });
}

/** A stored run as a step: the settings it was made with (runs never hold a key). */
export function stepOfRun(run: Run): RunStep {
  const { timeoutSeconds, maxRetries } = initialForm.limits;
  return runStep(run, {
    provider: providerOfRun(run.provider),
    sampling: run.sampling,
    concurrency: run.concurrency,
    // Runs stored before limits were kept ran with the defaults.
    limits: run.limits ?? { timeoutSeconds, maxRetries },
    pricing: run.pricing,
  });
}

function runStep(
  { taskId, taskParams, settings }: TaskSpec,
  around: {
    provider: RecipeProvider;
    sampling: SamplingOptions;
    concurrency: number;
    limits: RunLimits;
    pricing: Partial<Pricing> | undefined;
  },
): RunStep {
  const { provider, sampling, concurrency, limits, pricing } = around;
  return {
    kind: 'run',
    task: {
      id: taskId,
      params: (taskParams ?? {}) as Record<string, unknown>,
      structuredOutput: settings.structuredOutput,
      inputMapping: settings.inputMapping,
      generations: { count: settings.numGenerations, group: settings.groupGenerations },
      ...(settings.fewShot && { fewShot: { count: settings.fewShot.count } }),
    },
    provider,
    sampling: defined(sampling),
    limits: defined({ concurrency, ...limits }),
    ...(pricing && Object.values(pricing).some((price) => price !== undefined)
      ? { pricing: defined(pricing) }
      : {}),
  };
}

function providerOfForm({ selected, openai, webllm, wllama }: ProviderSlice): RecipeProvider {
  switch (selected) {
    case 'openai':
      return openaiProvider(openai);
    case 'webllm':
      return { id: 'webllm', model: webllm.model };
    case 'wllama':
      return { id: 'wllama', source: sourceOfForm(wllama.gguf), contextSize: wllama.contextSize };
  }
}

/** An OpenAI-compatible provider as a recipe keeps it: live requests and OpenAI's Batch API unsaid. */
function openaiProvider({
  baseURL,
  model,
  mode,
  batchApi,
}: Pick<ProviderSlice['openai'], 'baseURL' | 'model' | 'mode' | 'batchApi'>): RecipeProvider {
  return {
    id: 'openai',
    baseURL,
    model,
    ...(mode === 'batch' && { mode }),
    ...(batchApi === 'anthropic' && { batchApi }),
  };
}

function sourceOfForm({ kind, repo, file, url, fileName }: GgufForm): ModelSource {
  if (kind === 'hf') return { kind, repo, file };
  if (kind === 'url') return { kind, url };
  return { kind, name: fileName };
}

function providerOfRun(config: ProviderConfig): RecipeProvider {
  switch (config.provider) {
    case 'openai':
      return openaiProvider(config);
    case 'webllm':
      return { id: 'webllm', model: config.model };
    case 'wllama':
      return { id: 'wllama', source: config.source, contextSize: config.contextSize };
  }
}

/**
 * The form with a step's settings in every slice but the data: the task's
 * parameters, switch and generations replace what the form had for that task
 * (other tasks keep theirs). What a recipe never holds stays as it was: the
 * API key and whether to remember it, llama.cpp's threads (this machine's),
 * the run few-shot examples come from (this browser's).
 */
export function formWithStep(
  form: FormState,
  { task, provider, sampling, limits, pricing }: RunStep,
): FormState {
  return {
    ...form,
    task: {
      ...form.task,
      taskId: task.id,
      params: { ...form.task.params, [task.id]: task.params },
      structured: { ...form.task.structured, [task.id]: task.structuredOutput },
      inputMapping: task.inputMapping,
      generations: { ...form.task.generations, [task.id]: task.generations },
      fewShot: {
        ...form.task.fewShot,
        on: task.fewShot !== undefined,
        count: task.fewShot?.count ?? form.task.fewShot.count,
      },
    },
    provider: providerForm(form.provider, provider),
    sampling,
    limits: { ...limits, pricing: pricing ?? {} },
  };
}

function providerForm(slice: ProviderSlice, provider: RecipeProvider): ProviderSlice {
  const chosen = { ...slice, chosen: true };
  switch (provider.id) {
    case 'openai':
      return {
        ...chosen,
        selected: 'openai',
        openai: {
          ...slice.openai,
          baseURL: provider.baseURL,
          model: provider.model,
          mode: provider.mode ?? 'live',
          batchApi: provider.batchApi,
        },
      };
    case 'webllm':
      return { ...chosen, selected: 'webllm', webllm: { model: provider.model } };
    case 'wllama':
      return {
        ...chosen,
        selected: 'wllama',
        wllama: {
          ...slice.wllama,
          gguf: ggufForm(slice.wllama.gguf, provider.source),
          contextSize: provider.contextSize,
        },
      };
  }
}

function ggufForm(gguf: GgufForm, source: ModelSource): GgufForm {
  if (source.kind === 'hf') return { ...gguf, kind: 'hf', repo: source.repo, file: source.file };
  if (source.kind === 'url') return { ...gguf, kind: 'url', url: source.url };
  return { ...gguf, kind: 'file', fileName: source.name };
}

/** Without the keys whose value is undefined: the recipe as it reads back from JSON. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
