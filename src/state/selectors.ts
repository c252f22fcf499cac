import type { BoundTask, TaskSpec } from '../engine/bound';
import type { RunSpec } from '../engine/db/runs';
import type { Pricing, Run } from '../engine/db/schema';
import type { Secrets } from '../engine/llm/createModel';
import {
  batchApiOf,
  ggufName,
  type LocalProviderConfig,
  type ModelSource,
  type ProviderConfig,
} from '../engine/llm/types';
import { bindSpec, taskById } from '../tasks';
import { type FormState, type GgufForm, generationsOf } from './form';

/**
 * What a run needs, read from the form. The selectors never throw: what is
 * missing comes back as a problem, in words the form can show.
 */
export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const problem = <T>(text: string): Checked<T> => ({ ok: false, problem: text });

/** llama.cpp's parallel slots follow the run's concurrency, up to this: 16 gave little over 8. */
const MAX_PARALLEL = 8;

/** The provider settings the form describes, or what to fill in. */
export function selectProvider(form: FormState): Checked<ProviderConfig> {
  const { selected, openai, webllm, wllama } = form.provider;
  switch (selected) {
    case 'openai':
      if (!openai.model) return problem('Enter a model id under Model (or use List models).');
      return ok({
        provider: 'openai',
        baseURL: openai.baseURL,
        model: openai.model,
        // A live run's settings stay as they were before batch mode existed.
        ...(openai.mode === 'batch' && {
          mode: 'batch' as const,
          ...(batchApiOf(openai.baseURL, openai.batchApi) === 'anthropic' && {
            batchApi: 'anthropic' as const,
          }),
        }),
      });
    case 'webllm':
      if (!webllm.model) return problem('Pick a model under Model.');
      return ok({ provider: 'webllm', model: webllm.model });
    case 'wllama': {
      const source = ggufSource(wllama.gguf);
      if (!source.ok) return source;
      return ok({
        provider: 'wllama',
        model: ggufName(source.value),
        source: source.value,
        contextSize: wllama.contextSize,
        threads: wllama.threads,
        parallel: Math.min(form.limits.concurrency, MAX_PARALLEL),
      });
    }
  }
}

/** The model that runs in this browser, for Load model and the download line. */
export function selectLocalProvider(form: FormState): Checked<LocalProviderConfig> {
  const config = selectProvider(form);
  if (!config.ok || config.value.provider !== 'openai')
    return config as Checked<LocalProviderConfig>;
  return problem('The OpenAI-compatible provider runs no model in this browser.');
}

function ggufSource(gguf: GgufForm): Checked<ModelSource> {
  switch (gguf.kind) {
    case 'file':
      if (!gguf.fileName)
        return problem('Choose a .gguf file on this device (or drop one on the form).');
      return ok({ kind: 'file', name: gguf.fileName });
    case 'hf':
      if (!gguf.repo.includes('/') || !gguf.file.endsWith('.gguf'))
        return problem(
          'Give a Hugging Face repository (owner/name) and the name of a .gguf file in it.',
        );
      return ok({ kind: 'hf', repo: gguf.repo, file: gguf.file });
    case 'url':
      if (!URL.canParse(gguf.url) || !new URL(gguf.url).pathname.endsWith('.gguf'))
        return problem('Give the full address of a .gguf file under Model URL.');
      return ok({ kind: 'url', url: gguf.url });
  }
}

/** The task the form describes, with the engine's settings around it. */
export function selectTaskSpec({ task }: FormState): TaskSpec {
  const { on, count, fromRunId = '' } = task.fewShot;
  return {
    taskId: task.taskId,
    taskParams: task.params[task.taskId] ?? {},
    settings: {
      numGenerations: generationsOf(task).count,
      groupGenerations: generationsOf(task).group,
      addRawInput: true,
      addRawOutput: true,
      inputMapping: Object.fromEntries(
        Object.entries(task.inputMapping).filter(([, column]) => column),
      ),
      structuredOutput:
        task.structured[task.taskId] ?? taskById(task.taskId)?.structuredByDefault ?? false,
      fewShot: on && taskById(task.taskId)?.fewShot ? { fromRunId, count } : undefined,
    },
  };
}

/**
 * The form's task bound to its settings, with the few-shot examples the
 * worker read for them (examplesFor), or why its settings are invalid.
 */
export function selectBoundTask(
  form: FormState,
  examples?: TaskSpec['examples'],
): Checked<BoundTask> {
  try {
    return ok(bindSpec({ ...selectTaskSpec(form), examples }));
  } catch (error) {
    return problem((error as Error).message);
  }
}

/** The run the form describes: everything it keeps, never a key. */
export function selectRunSpec(form: FormState): Checked<RunSpec> {
  const { datasetId } = form.data;
  if (!datasetId) return problem('Import or pick a dataset first.');
  const provider = selectProvider(form);
  if (!provider.ok) return provider;
  const { concurrency, pricing, ...limits } = form.limits;
  return ok({
    datasetId,
    ...selectTaskSpec(form),
    provider: provider.value,
    sampling: form.sampling,
    concurrency,
    limits,
    pricing: pricingOf(pricing),
  });
}

/** What a run needs but never stores: read at the moment of the command, sent only to the worker. */
export function selectSecrets(form: FormState): Secrets {
  return { apiKey: form.provider.openai.apiKey || undefined };
}

/**
 * Prices apply once any is entered; a live price left empty then counts as
 * free, and a batch price left empty as half the live one (pricesOf).
 */
function pricingOf(pricing: Partial<Pricing>): Pricing | undefined {
  if (Object.values(pricing).every((price) => price === undefined)) return undefined;
  const { inputPerMillion, outputPerMillion, batchInputPerMillion, batchOutputPerMillion } =
    pricing;
  return {
    inputPerMillion: inputPerMillion ?? 0,
    outputPerMillion: outputPerMillion ?? 0,
    ...(batchInputPerMillion !== undefined && { batchInputPerMillion }),
    ...(batchOutputPerMillion !== undefined && { batchOutputPerMillion }),
  };
}

/**
 * The model settings the form now gives, when they differ from the run's:
 * a failed run is resumed with them (a mended Base URL, model id or file).
 */
export function changedProvider(form: FormState, run: Run): ProviderConfig | undefined {
  const selected = selectProvider(form);
  if (!selected.ok) return undefined;
  // A run keeps its mode and Batch API: a batch run's open batches are collected, never left behind.
  const provider =
    selected.value.provider === 'openai' && run.provider.provider === 'openai'
      ? { ...selected.value, mode: run.provider.mode, batchApi: run.provider.batchApi }
      : selected.value;
  return sameValue(provider, run.provider) ? undefined : provider;
}

/**
 * The form's run spec, when its task or model differ from the run's: a
 * failure that lasts (HTTP 400, a row the template cannot read) may then pass.
 */
export function changedSpec(form: FormState, run: Run): RunSpec | undefined {
  const spec = selectRunSpec(form);
  if (!spec.ok) return undefined;
  const fields = (r: Pick<Run, 'taskId' | 'taskParams' | 'settings' | 'provider' | 'sampling'>) => [
    r.taskId,
    r.taskParams,
    r.settings,
    r.provider,
    r.sampling,
  ];
  return sameValue(fields(spec.value), fields(run)) ? undefined : spec.value;
}

/** Deep equality of plain data, whatever the order of object keys. */
function sameValue(a: unknown, b: unknown): boolean {
  const canonical = (value: unknown) =>
    JSON.stringify(value, (_, v) =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : 1)))
        : v,
    );
  return canonical(a) === canonical(b);
}
