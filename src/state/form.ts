import { create } from 'zustand';
import { persist } from 'zustand/middleware';
import type { Pricing, RunLimits } from '../engine/db/schema';
import type { BatchApiId, ModelSource, RunMode, SamplingOptions } from '../engine/llm/types';
import { cell } from '../engine/task';

/**
 * UI state only: what the person has chosen in the form, in slices (data,
 * task, provider, sampling, limits). Stored data (datasets, runs, results)
 * lives in IndexedDB and is read with live queries; what a run needs is read
 * from this state by the selectors in selectors.ts. The form is kept in
 * localStorage so a reload shows the same choices; the API key only when the
 * person asks for it to be remembered.
 */
export type ProviderId = 'openai' | 'webllm' | 'wllama';

export interface Generations {
  count: number;
  group: boolean;
}

const DEFAULT_GENERATIONS: Generations = { count: 1, group: false };

export interface DataSlice {
  datasetId?: string;
  /**
   * A selected dataset the page failed to show: it stays selected (so the
   * person can read what failed and delete it) but is not remembered, so a
   * reload never opens on it again.
   */
  failedId?: string;
}

export interface TaskSlice {
  taskId: string;
  /** Each task's parameters, so switching tasks does not lose an edit. */
  params: Record<string, Record<string, unknown>>;
  /** Each task's structured output switch, where the person set it (else the task's default). */
  structured: Record<string, boolean>;
  /** task input name -> dataset column ('' for the column of the input's name) */
  inputMapping: Record<string, string>;
  /**
   * Each task's generations per row and grouping, where the person set them:
   * a judge must not inherit the 2 generations set for text generation.
   */
  generations: Record<string, Partial<Generations>>;
  /** Use rated rows as examples, for the tasks that take them: how many, and from which run. */
  fewShot: { on: boolean; count: number; fromRunId?: string };
}

/** Where the llama.cpp provider takes its GGUF from; every source's fields are kept. */
export interface GgufForm {
  kind: ModelSource['kind'];
  repo: string;
  file: string;
  url: string;
  /** The picked file's name; the file itself lives in the engine worker. */
  fileName: string;
}

export interface ProviderSlice {
  selected: ProviderId;
  /** False until a provider is chosen, by the person or by the first visit's default. */
  chosen: boolean;
  openai: {
    baseURL: string;
    model: string;
    apiKey: string;
    rememberKey: boolean;
    /** Live requests (unset), or the provider's Batch API. */
    mode?: RunMode;
    /** Marked 'anthropic' for an address that speaks Anthropic's API but is not its own. */
    batchApi?: BatchApiId;
  };
  webllm: { model: string };
  wllama: { gguf: GgufForm; contextSize: number; threads: number };
}

/** How a run sends its requests: how many at once, rate limits, retries, and prices. */
export interface LimitsSlice extends RunLimits {
  concurrency: number;
  /** Empty until the person enters prices. */
  pricing: Partial<Pricing>;
}

export interface FormState {
  data: DataSlice;
  task: TaskSlice;
  provider: ProviderSlice;
  sampling: SamplingOptions;
  limits: LimitsSlice;
}

/**
 * Half the cores (bench/wllama.bench.ts): on 2 cores a second llama.cpp thread gave
 * 1.1-1.8x when the machine was quiet and 0.1x when it was busy, as its threads spin.
 */
const DEFAULT_THREADS = Math.max(
  1,
  Math.floor((globalThis.navigator?.hardwareConcurrency ?? 2) / 2),
);

export const initialForm: FormState = {
  data: {},
  task: {
    taskId: 'text_generation',
    params: {},
    structured: {},
    inputMapping: {},
    generations: {},
    fewShot: { on: false, count: 3 },
  },
  provider: {
    selected: 'wllama',
    chosen: false,
    openai: { baseURL: 'http://localhost:11434/v1', model: '', apiKey: '', rememberKey: false },
    webllm: { model: '' },
    wllama: {
      // A small instruct model that runs on any CPU: the newcomer's default without WebGPU.
      gguf: {
        kind: 'hf',
        repo: 'Qwen/Qwen2.5-0.5B-Instruct-GGUF',
        file: 'qwen2.5-0.5b-instruct-q4_k_m.gguf',
        url: '',
        fileName: '',
      },
      contextSize: 4096,
      threads: DEFAULT_THREADS,
    },
  },
  sampling: { temperature: 0.7, maxTokens: 1024 },
  limits: { concurrency: 4, timeoutSeconds: 120, maxRetries: 4, pricing: {} },
};

const FORM_VERSION = 4;

export const useForm = create<FormState>()(
  persist(() => initialForm, {
    name: 'retort-form',
    version: FORM_VERSION,
    migrate: (state, version) => migrateForm(state, version),
    // Slices missing from an older or damaged record take their defaults.
    merge: (persisted, current) => mergeSlices(persisted, current),
    partialize: (state) => ({
      ...state,
      data: state.data.datasetId === state.data.failedId ? {} : { datasetId: state.data.datasetId },
      provider: state.provider.openai.rememberKey
        ? state.provider
        : { ...state.provider, openai: { ...state.provider.openai, apiKey: '' } },
    }),
  }),
);

function mergeSlices(persisted: unknown, current: FormState): FormState {
  const saved = (persisted ?? {}) as Partial<FormState>;
  return {
    data: { ...current.data, ...saved.data },
    task: { ...current.task, ...saved.task },
    provider: {
      ...current.provider,
      ...saved.provider,
      openai: { ...current.provider.openai, ...saved.provider?.openai },
      webllm: { ...current.provider.webllm, ...saved.provider?.webllm },
      wllama: { ...current.provider.wllama, ...saved.provider?.wllama },
    },
    sampling: { ...current.sampling, ...saved.sampling },
    limits: { ...current.limits, ...saved.limits },
  };
}

/** The fields of the form as versions 1 and 2 kept them, all in one flat record. */
interface FlatForm {
  datasetId?: string;
  taskId: string;
  taskParams: Record<string, Record<string, unknown>>;
  inputMapping: Record<string, string>;
  numGenerations: number;
  groupGenerations: boolean;
  provider: ProviderId;
  providerChosen?: boolean;
  baseURL: string;
  model: string;
  apiKey: string;
  rememberKey: boolean;
  webllmModel: string;
  gguf: GgufForm;
  contextSize: number;
  threads: number;
  sampling: SamplingOptions;
  concurrency: number;
  limits: RunLimits;
  pricing: Partial<Pricing>;
}

/** The task slice as version 3 kept it: one number of generations for every task. */
type TaskSliceVersion3 = Omit<TaskSlice, 'generations'> & {
  numGenerations?: number;
  groupGenerations?: boolean;
};

/**
 * A form kept by an older version, in today's slices. Version 1 had no
 * providerChosen (who used it has chosen); before version 3 the fields were
 * flat, and structured output was a parameter of some tasks; before version 4
 * generations per row were one setting for all tasks (now they belong to the task then chosen).
 */
export function migrateForm(state: unknown, version: number): FormState {
  if (version >= FORM_VERSION) return state as FormState;
  const sliced = (version < 3 ? fromFlat(state, version) : state) as FormState & {
    task: TaskSliceVersion3;
  };
  const { numGenerations, groupGenerations, ...task } = sliced.task;
  const kept = { count: numGenerations ?? 1, group: groupGenerations ?? false };
  const set = kept.count !== DEFAULT_GENERATIONS.count || kept.group !== DEFAULT_GENERATIONS.group;
  return { ...sliced, task: { ...task, generations: set ? { [task.taskId]: kept } : {} } };
}

function fromFlat(state: unknown, version: number) {
  const flat = (state ?? {}) as Partial<FlatForm>;
  const params: TaskSlice['params'] = {};
  const structured: TaskSlice['structured'] = {};
  for (const [taskId, values] of Object.entries(flat.taskParams ?? {})) {
    const { structuredOutput, ...rest } = values;
    params[taskId] = rest;
    if (typeof structuredOutput === 'boolean') structured[taskId] = structuredOutput;
  }
  const base = initialForm;
  return {
    data: { datasetId: flat.datasetId },
    task: {
      taskId: flat.taskId ?? base.task.taskId,
      params,
      structured,
      inputMapping: flat.inputMapping ?? {},
      numGenerations: flat.numGenerations ?? 1,
      groupGenerations: flat.groupGenerations ?? false,
      fewShot: base.task.fewShot,
    },
    provider: {
      selected: flat.provider ?? base.provider.selected,
      chosen: version < 2 ? true : (flat.providerChosen ?? false),
      openai: {
        baseURL: flat.baseURL ?? base.provider.openai.baseURL,
        model: flat.model ?? '',
        apiKey: flat.apiKey ?? '',
        rememberKey: flat.rememberKey ?? false,
      },
      webllm: { model: flat.webllmModel ?? '' },
      wllama: {
        gguf: flat.gguf ?? base.provider.wllama.gguf,
        contextSize: flat.contextSize ?? base.provider.wllama.contextSize,
        threads: flat.threads ?? base.provider.wllama.threads,
      },
    },
    sampling: flat.sampling ?? base.sampling,
    limits: {
      ...base.limits,
      ...flat.limits,
      concurrency: flat.concurrency ?? base.limits.concurrency,
      pricing: flat.pricing ?? {},
    },
  };
}

/** Form updates are plain functions, one family per slice, so non-React code can call them too. */
export function setData(patch: Partial<DataSlice>): void {
  useForm.setState((s) => ({ data: { ...s.data, ...patch } }));
}

/** The selected dataset could not be shown: keep it selected for now, forget it on reload. */
export function forgetFailedDataset(): void {
  useForm.setState((s) => ({ data: { ...s.data, failedId: s.data.datasetId } }));
}

export function setTask(patch: Partial<TaskSlice>): void {
  useForm.setState((s) => ({ task: { ...s.task, ...patch } }));
}

export function setTaskParam(taskId: string, name: string, value: unknown): void {
  useForm.setState(({ task }) => ({
    task: {
      ...task,
      params: { ...task.params, [taskId]: { ...task.params[taskId], [name]: value } },
    },
  }));
}

export function setStructured(taskId: string, on: boolean): void {
  useForm.setState(({ task }) => ({
    task: { ...task, structured: { ...task.structured, [taskId]: on } },
  }));
}

/** The chosen task's generations per row and grouping: what the person set for it, else one, ungrouped. */
export function generationsOf(task: TaskSlice): Generations {
  return { ...DEFAULT_GENERATIONS, ...cell(task.generations, task.taskId) };
}

/** Sets generations per row or grouping for the chosen task only. */
export function setGenerations(patch: Partial<Generations>): void {
  useForm.setState(({ task }) => ({
    task: {
      ...task,
      generations: { ...task.generations, [task.taskId]: { ...generationsOf(task), ...patch } },
    },
  }));
}

export function setFewShot(patch: Partial<TaskSlice['fewShot']>): void {
  useForm.setState(({ task }) => ({ task: { ...task, fewShot: { ...task.fewShot, ...patch } } }));
}

export function setMapping(input: string, column: string): void {
  useForm.setState(({ task }) => ({
    task: { ...task, inputMapping: { ...task.inputMapping, [input]: column } },
  }));
}

/** Forgets the columns these inputs were mapped to: they read the column of their own name again. */
export function dropMappings(inputs: readonly string[]): void {
  useForm.setState(({ task }) => ({
    task: {
      ...task,
      inputMapping: Object.fromEntries(
        Object.entries(task.inputMapping).filter(([input]) => !inputs.includes(input)),
      ),
    },
  }));
}

/** Chooses where the model runs; `chosen` tells the first visit's default not to overrule it. */
export function chooseProvider(selected: ProviderId): void {
  useForm.setState((s) => ({ provider: { ...s.provider, selected, chosen: true } }));
}

export function setOpenAI(patch: Partial<ProviderSlice['openai']>): void {
  useForm.setState(({ provider }) => ({
    provider: { ...provider, openai: { ...provider.openai, ...patch } },
  }));
}

export function setWebLLM(patch: Partial<ProviderSlice['webllm']>): void {
  useForm.setState(({ provider }) => ({
    provider: { ...provider, webllm: { ...provider.webllm, ...patch } },
  }));
}

export function setWllama(patch: Partial<ProviderSlice['wllama']>): void {
  useForm.setState(({ provider }) => ({
    provider: { ...provider, wllama: { ...provider.wllama, ...patch } },
  }));
}

export function setGguf(patch: Partial<GgufForm>): void {
  setWllama({ gguf: { ...useForm.getState().provider.wllama.gguf, ...patch } });
}

export function setSampling(patch: Partial<SamplingOptions>): void {
  useForm.setState((s) => ({ sampling: { ...s.sampling, ...patch } }));
}

export function setLimits(patch: Partial<Omit<LimitsSlice, 'pricing'>>): void {
  useForm.setState((s) => ({ limits: { ...s.limits, ...patch } }));
}

export function setPricing(patch: Partial<Pricing>): void {
  useForm.setState(({ limits }) => ({
    limits: { ...limits, pricing: { ...limits.pricing, ...patch } },
  }));
}
