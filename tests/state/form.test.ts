import { describe, expect, it } from 'vitest';
import type { Run } from '../../src/engine/db/schema';
import {
  type FormState,
  generationsOf,
  initialForm,
  migrateForm,
  setGenerations,
  setTask,
  useForm,
} from '../../src/state/form';
import {
  changedProvider,
  selectBoundTask,
  selectProvider,
  selectRunSpec,
  selectSecrets,
  selectTaskSpec,
} from '../../src/state/selectors';

/** The form with some slices changed. */
function form(patch: {
  data?: Partial<FormState['data']>;
  task?: Partial<FormState['task']>;
  provider?: Partial<FormState['provider']>;
  limits?: Partial<FormState['limits']>;
}): FormState {
  return {
    ...initialForm,
    data: { ...initialForm.data, ...patch.data },
    task: { ...initialForm.task, ...patch.task },
    provider: { ...initialForm.provider, ...patch.provider },
    limits: { ...initialForm.limits, ...patch.limits },
  };
}

const openai = (model: string, apiKey = '') => ({
  selected: 'openai' as const,
  openai: { baseURL: 'http://127.0.0.1:8080/v1', model, apiKey, rememberKey: false },
});

describe('the form’s selectors', () => {
  it('say what to fill in instead of throwing', () => {
    expect(selectProvider(form({ provider: openai('') }))).toEqual({
      ok: false,
      problem: 'Enter a model id under Model (or use List models).',
    });
    const noFile = form({
      provider: {
        selected: 'wllama',
        wllama: {
          ...initialForm.provider.wllama,
          gguf: { ...initialForm.provider.wllama.gguf, kind: 'file' },
        },
      },
    });
    expect(selectProvider(noFile)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/\.gguf file/),
    });
    expect(selectRunSpec(form({ provider: openai('m') }))).toEqual({
      ok: false,
      problem: 'Import or pick a dataset first.',
    });
    expect(
      selectBoundTask(
        form({
          task: { taskId: 'text_generation', params: { text_generation: { template: '' } } },
        }),
      ),
    ).toEqual({
      ok: false,
      problem: 'Check the Text generation settings. Prompt template: it is empty.',
    });
  });

  it('give the run spec the form describes, with llama.cpp slots following the concurrency', () => {
    const ready = form({
      data: { datasetId: 'd1' },
      provider: openai('llama3', 'sk-secret'),
      limits: { concurrency: 12 },
    });
    const spec = selectRunSpec(ready);
    expect(spec).toMatchObject({
      ok: true,
      value: {
        datasetId: 'd1',
        taskId: 'text_generation',
        provider: { provider: 'openai', baseURL: 'http://127.0.0.1:8080/v1', model: 'llama3' },
        concurrency: 12,
        limits: { timeoutSeconds: 120, maxRetries: 4 },
        pricing: undefined,
      },
    });
    // The key is a secret of the command, never part of the run.
    expect(JSON.stringify(spec)).not.toContain('sk-secret');
    expect(selectSecrets(ready)).toEqual({ apiKey: 'sk-secret' });
    expect(selectProvider(form({ limits: { concurrency: 12 } }))).toMatchObject({
      ok: true,
      value: { provider: 'wllama', parallel: 8, source: { kind: 'hf' } },
    });
  });

  it('take structured output from the person’s switch, else the task’s default', () => {
    const structured = (task: Partial<FormState['task']>) =>
      selectTaskSpec(form({ task })).settings.structuredOutput;
    expect(structured({ taskId: 'ultrafeedback_overall_rating' })).toBe(false);
    expect(structured({ taskId: 'structured_generation' })).toBe(true);
    expect(
      structured({ taskId: 'structured_generation', structured: { structured_generation: false } }),
    ).toBe(false);
    expect(
      structured({
        taskId: 'ultrafeedback_overall_rating',
        structured: { ultrafeedback_overall_rating: true },
      }),
    ).toBe(true);
  });
});

describe('a form kept by an earlier version', () => {
  const version2 = {
    datasetId: 'd1',
    taskId: 'ultrafeedback_overall_rating',
    taskParams: {
      ultrafeedback_overall_rating: { structuredOutput: true },
      text_generation: { template: '{{ q }}' },
    },
    inputMapping: { instruction: 'q' },
    numGenerations: 3,
    groupGenerations: true,
    provider: 'openai',
    providerChosen: true,
    baseURL: 'http://127.0.0.1:11434/v1',
    model: 'llama3.2',
    apiKey: 'sk-kept',
    rememberKey: true,
    webllmModel: 'SmolLM2-360M-Instruct-q4f32_1-MLC',
    gguf: { kind: 'url', repo: '', file: '', url: 'https://example.org/m.gguf', fileName: '' },
    contextSize: 2048,
    threads: 2,
    sampling: { temperature: 0.2, maxTokens: 64, seed: 7 },
    concurrency: 16,
    limits: { timeoutSeconds: 30, maxRetries: 1, requestsPerMinute: 60 },
    pricing: { inputPerMillion: 0.5 },
  };

  it('keeps every choice, in today’s slices', () => {
    expect(migrateForm(version2, 2)).toEqual({
      data: { datasetId: 'd1' },
      task: {
        taskId: 'ultrafeedback_overall_rating',
        params: { ultrafeedback_overall_rating: {}, text_generation: { template: '{{ q }}' } },
        structured: { ultrafeedback_overall_rating: true },
        inputMapping: { instruction: 'q' },
        // Version 2 had one setting for every task: it stays with the task chosen then.
        generations: { ultrafeedback_overall_rating: { count: 3, group: true } },
        fewShot: { on: false, count: 3 },
      },
      provider: {
        selected: 'openai',
        chosen: true,
        openai: {
          baseURL: 'http://127.0.0.1:11434/v1',
          model: 'llama3.2',
          apiKey: 'sk-kept',
          rememberKey: true,
        },
        webllm: { model: 'SmolLM2-360M-Instruct-q4f32_1-MLC' },
        wllama: { gguf: version2.gguf, contextSize: 2048, threads: 2 },
      },
      sampling: { temperature: 0.2, maxTokens: 64, seed: 7 },
      limits: {
        timeoutSeconds: 30,
        maxRetries: 1,
        requestsPerMinute: 60,
        concurrency: 16,
        pricing: { inputPerMillion: 0.5 },
      },
    });
  });

  it('counts a provider as chosen for someone who used version 1', () => {
    const { providerChosen: _, ...version1 } = version2;
    expect(migrateForm(version1, 1).provider.chosen).toBe(true);
    expect(migrateForm({ ...version1, providerChosen: false }, 2).provider.chosen).toBe(false);
  });

  it('gives version 3’s generations per row to the task chosen then, and no other', () => {
    const { generations: _, ...task } = initialForm.task;
    const version3 = {
      ...initialForm,
      task: { ...task, taskId: 'text_generation', numGenerations: 2, groupGenerations: false },
    };
    const migrated = migrateForm(version3, 3);
    expect(selectTaskSpec(migrated).settings.numGenerations).toBe(2);
    const judge = {
      ...migrated,
      task: { ...migrated.task, taskId: 'ultrafeedback_overall_rating' },
    };
    expect(selectTaskSpec(judge).settings.numGenerations).toBe(1);
    const untouched = { ...version3, task: { ...version3.task, numGenerations: 1 } };
    expect(migrateForm(untouched, 3).task.generations).toEqual({});
  });
});

describe('generations per row', () => {
  it('belong to the task they were set for: another task starts at one, ungrouped', () => {
    useForm.setState(initialForm);
    setTask({ taskId: 'text_generation' });
    setGenerations({ count: 2, group: true });
    setTask({ taskId: 'ultrafeedback_overall_rating' });
    expect(generationsOf(useForm.getState().task)).toEqual({ count: 1, group: false });
    setGenerations({ count: 3 });
    setTask({ taskId: 'text_generation' });
    expect(generationsOf(useForm.getState().task)).toEqual({ count: 2, group: true });
  });
});

describe('resuming a failed run with the form’s model settings', () => {
  const run = {
    provider: { provider: 'openai', baseURL: 'http://wrong:1/v1', model: 'm', mode: 'batch' },
  } as Run;
  const mended = (mode?: 'batch') =>
    form({
      provider: {
        ...initialForm.provider,
        selected: 'openai',
        openai: { baseURL: 'http://right:2/v1', model: 'm', apiKey: '', rememberKey: false, mode },
      },
    });

  it('takes a mended Base URL, keeping the run’s mode (its open batches are collected)', () => {
    expect(changedProvider(mended(), run)).toEqual({
      provider: 'openai',
      baseURL: 'http://right:2/v1',
      model: 'm',
      mode: 'batch',
    });
  });

  it('changes nothing when only the mode differs', () => {
    const same = { ...run, provider: { ...run.provider, baseURL: 'http://right:2/v1' } } as Run;
    expect(changedProvider(mended(), same)).toBeUndefined();
  });
});
