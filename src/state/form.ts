import { create } from 'zustand';
import { persist } from 'zustand/middleware';
import type { Pricing, RunLimits } from '../engine/db/schema';
import type { SamplingOptions } from '../engine/llm/types';

/**
 * UI state only: what the person has chosen in the form. Stored data (datasets,
 * runs, results) lives in IndexedDB and is read with live queries.
 * The form is kept in localStorage so a reload shows the same choices; the API
 * key only when the person asks for it to be remembered.
 */
export type ProviderId = 'openai' | 'webllm' | 'wllama';

export interface FormState {
  datasetId?: string;
  taskId: string;
  /** Each task's parameters, so switching tasks does not lose an edit. */
  taskParams: Record<string, Record<string, unknown>>;
  inputMapping: Record<string, string>;
  numGenerations: number;
  groupGenerations: boolean;
  provider: ProviderId;
  baseURL: string;
  model: string;
  apiKey: string;
  rememberKey: boolean;
  sampling: SamplingOptions;
  concurrency: number;
  limits: RunLimits;
  /** Empty until the person enters prices. */
  pricing: Partial<Pricing>;
}

export const useForm = create<FormState>()(
  persist(
    (): FormState => ({
      taskId: 'text_generation',
      taskParams: {},
      inputMapping: {},
      numGenerations: 1,
      groupGenerations: false,
      provider: 'openai',
      baseURL: 'http://localhost:11434/v1',
      model: '',
      apiKey: '',
      rememberKey: false,
      sampling: { temperature: 0.7, maxTokens: 1024 },
      concurrency: 4,
      limits: { timeoutSeconds: 120, maxRetries: 4 },
      pricing: {},
    }),
    {
      name: 'retort-form',
      version: 1,
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
