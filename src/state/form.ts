import { create } from 'zustand';
import { persist } from 'zustand/middleware';
import type { Pricing, RunLimits } from '../engine/db/schema';
import {
  ggufName,
  type ModelSource,
  type ProviderConfig,
  type SamplingOptions,
} from '../engine/llm/types';

/**
 * UI state only: what the person has chosen in the form. Stored data (datasets,
 * runs, results) lives in IndexedDB and is read with live queries.
 * The form is kept in localStorage so a reload shows the same choices; the API
 * key only when the person asks for it to be remembered.
 */
export type ProviderId = 'openai' | 'webllm' | 'wllama';

/** Where the llama.cpp provider takes its GGUF from; every source's fields are kept. */
export interface GgufForm {
  kind: ModelSource['kind'];
  repo: string;
  file: string;
  url: string;
  /** The picked file's name; the file itself lives in the engine worker. */
  fileName: string;
}

export interface FormState {
  datasetId?: string;
  taskId: string;
  /** Each task's parameters, so switching tasks does not lose an edit. */
  taskParams: Record<string, Record<string, unknown>>;
  inputMapping: Record<string, string>;
  numGenerations: number;
  groupGenerations: boolean;
  provider: ProviderId;
  /** False until a provider is chosen, by the person or by the first visit's default. */
  providerChosen: boolean;
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
  /** Empty until the person enters prices. */
  pricing: Partial<Pricing>;
}

/**
 * Half the cores (bench/wllama.bench.ts): on 2 cores a second llama.cpp thread gave
 * 1.1-1.8x when the machine was quiet and 0.1x when it was busy, as its threads spin.
 */
const DEFAULT_THREADS = Math.max(
  1,
  Math.floor((globalThis.navigator?.hardwareConcurrency ?? 2) / 2),
);
/** llama.cpp's parallel slots follow the run's concurrency, up to this: 16 gave little over 8. */
const MAX_PARALLEL = 8;

export const useForm = create<FormState>()(
  persist(
    (): FormState => ({
      taskId: 'text_generation',
      taskParams: {},
      inputMapping: {},
      numGenerations: 1,
      groupGenerations: false,
      provider: 'wllama',
      providerChosen: false,
      baseURL: 'http://localhost:11434/v1',
      model: '',
      apiKey: '',
      rememberKey: false,
      webllmModel: '',
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
      sampling: { temperature: 0.7, maxTokens: 1024 },
      concurrency: 4,
      limits: { timeoutSeconds: 120, maxRetries: 4 },
      pricing: {},
    }),
    {
      name: 'retort-form',
      version: 2,
      // Who used version 1 has chosen a provider already: no default replaces it.
      migrate: (state, version) =>
        (version < 2 ? { ...(state as FormState), providerChosen: true } : state) as FormState,
      partialize: (state) => (state.rememberKey ? state : { ...state, apiKey: '' }),
    },
  ),
);

/** Form updates are plain functions, so non-React code can call them too. */
export function setForm(patch: Partial<FormState>): void {
  useForm.setState(patch);
}

export function setTaskParam(taskId: string, name: string, value: unknown): void {
  useForm.setState((s) => ({
    taskParams: { ...s.taskParams, [taskId]: { ...s.taskParams[taskId], [name]: value } },
  }));
}

export function setMapping(input: string, column: string): void {
  useForm.setState((s) => ({ inputMapping: { ...s.inputMapping, [input]: column } }));
}

export function setSampling(patch: Partial<SamplingOptions>): void {
  useForm.setState((s) => ({ sampling: { ...s.sampling, ...patch } }));
}

export function setLimits(patch: Partial<RunLimits>): void {
  useForm.setState((s) => ({ limits: { ...s.limits, ...patch } }));
}

export function setPricing(patch: Partial<Pricing>): void {
  useForm.setState((s) => ({ pricing: { ...s.pricing, ...patch } }));
}

/** The provider settings the form describes, or an error saying what to fill in. */
export function providerFromForm(form: FormState): ProviderConfig {
  switch (form.provider) {
    case 'openai':
      if (!form.model) throw new Error('Enter a model id under Model (or use List models).');
      return { provider: 'openai', baseURL: form.baseURL, model: form.model };
    case 'webllm':
      if (!form.webllmModel) throw new Error('Pick a model under Model.');
      return { provider: 'webllm', model: form.webllmModel };
    case 'wllama': {
      const source = ggufSource(form.gguf);
      return {
        provider: 'wllama',
        model: ggufName(source),
        source,
        contextSize: form.contextSize,
        threads: form.threads,
        parallel: Math.min(form.concurrency, MAX_PARALLEL),
      };
    }
  }
}

function ggufSource(gguf: GgufForm): ModelSource {
  switch (gguf.kind) {
    case 'file':
      if (!gguf.fileName)
        throw new Error('Choose a .gguf file on this device (or drop one on the form).');
      return { kind: 'file', name: gguf.fileName };
    case 'hf':
      if (!gguf.repo.includes('/') || !gguf.file.endsWith('.gguf'))
        throw new Error(
          'Give a Hugging Face repository (owner/name) and the name of a .gguf file in it.',
        );
      return { kind: 'hf', repo: gguf.repo, file: gguf.file };
    case 'url':
      if (!URL.canParse(gguf.url) || !new URL(gguf.url).pathname.endsWith('.gguf'))
        throw new Error('Give the full address of a .gguf file under Model URL.');
      return { kind: 'url', url: gguf.url };
  }
}
