import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Run } from '../../src/engine/db/schema';
import { openRecipe } from '../../src/recipes/open';
import { readRecipe } from '../../src/recipes/read';
import { type Recipe, type RunStep, recipeSchema } from '../../src/recipes/schema';
import { formWithStep, recipeOf, stepOfForm, stepOfRun } from '../../src/recipes/steps';
import { type FormState, initialForm, useForm } from '../../src/state/form';
import { useRecipe } from '../../src/state/recipe';
import { useReview } from '../../src/state/review';
import { selectBoundTask, selectRunSpec } from '../../src/state/selectors';
import { tasks } from '../../src/tasks';

const SECRET = 'sk-recipe-test-secret-0123456789';

/** A form far from the defaults in every slice, with a key to keep out of recipes. */
const edited: FormState = {
  data: { datasetId: 'seed' },
  task: {
    taskId: 'text_generation',
    params: {
      text_generation: { template: 'Answer briefly: {{ prompt }}', systemPrompt: 'Be terse.' },
      ultrafeedback_overall_rating: {},
    },
    structured: { text_generation: true },
    inputMapping: { prompt: 'question', system_prompt: '' },
    generations: { text_generation: { count: 3, group: true } },
    fewShot: { on: true, count: 2, fromRunId: 'run-here' },
  },
  provider: {
    ...initialForm.provider,
    selected: 'openai',
    chosen: true,
    openai: {
      baseURL: 'https://api.example.com/v1',
      model: 'gpt-x',
      apiKey: SECRET,
      rememberKey: true,
    },
  },
  sampling: { temperature: 0.2, maxTokens: 300, seed: 7, topP: 0.9, stop: ['###'] },
  limits: {
    concurrency: 12,
    timeoutSeconds: 30,
    maxRetries: 2,
    requestsPerMinute: 600,
    tokensPerMinute: 90_000,
    pricing: { inputPerMillion: 0.5, outputPerMillion: 1.5 },
  },
};

/** What a recipe reads back as, through the file. */
const throughFile = (recipe: Recipe) => readRecipe(JSON.stringify(recipe), '“retort-recipe.json”');

const run = (id: string, model: string, patch: Partial<Run> = {}): Run => ({
  id,
  datasetId: 'seed',
  taskId: 'text_generation',
  taskParams: {},
  settings: {
    numGenerations: 1,
    groupGenerations: false,
    addRawInput: true,
    addRawOutput: true,
    inputMapping: {},
    structuredOutput: false,
  },
  provider: { provider: 'openai', baseURL: 'http://127.0.0.1:9/v1', model },
  sampling: { temperature: 0.7, maxTokens: 1024 },
  concurrency: 4,
  limits: { timeoutSeconds: 120, maxRetries: 4 },
  status: 'completed',
  counters: {} as Run['counters'],
  created: 1,
  updated: 1,
  ...patch,
});

describe('a recipe of the form', () => {
  it('gives the same form back, but for what a recipe never holds', () => {
    const recipe = throughFile(recipeOf(edited, [], 'dpo'));
    const elsewhere: FormState = {
      ...initialForm,
      data: { datasetId: 'seed' },
      task: { ...initialForm.task, fewShot: { on: false, count: 5, fromRunId: 'run-here' } },
    };
    const opened = formWithStep(elsewhere, recipe.steps[0] as RunStep);
    expect(stepOfForm(opened)).toEqual(stepOfForm(edited));
    expect(selectRunSpec(opened)).toEqual(selectRunSpec(edited));
    expect(opened.task.params).toEqual({ text_generation: edited.task.params.text_generation });
    // This browser's: the key, the run examples come from, llama.cpp's threads.
    expect(opened.provider.openai.apiKey).toBe('');
    expect(opened.provider.openai.rememberKey).toBe(false);
    expect(opened.task.fewShot).toEqual({ on: true, count: 2, fromRunId: 'run-here' });
    expect(opened.provider.wllama.threads).toBe(initialForm.provider.wllama.threads);
  });

  it('keeps batch mode and whose Batch API, and opens live where the recipe says nothing', () => {
    const batch: FormState = {
      ...edited,
      provider: {
        ...edited.provider,
        openai: { ...edited.provider.openai, mode: 'batch', batchApi: 'anthropic' },
      },
    };
    const recipe = throughFile(recipeOf(batch, [], 'rows'));
    expect(recipe.steps[0]).toMatchObject({ provider: { mode: 'batch', batchApi: 'anthropic' } });
    const opened = formWithStep(
      batch,
      throughFile(recipeOf(edited, [], 'rows')).steps[0] as RunStep,
    );
    expect(opened.provider.openai).toMatchObject({ mode: 'live', batchApi: undefined });
    expect(selectRunSpec(formWithStep(edited, recipe.steps[0] as RunStep))).toMatchObject({
      ok: true,
      value: { provider: { mode: 'batch', batchApi: 'anthropic' } },
    });
  });

  it('holds every provider’s model, and no key', () => {
    const providers: FormState['provider'][] = [
      {
        ...edited.provider,
        selected: 'webllm',
        webllm: { model: 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC' },
      },
      ...(['hf', 'url', 'file'] as const).map((kind) => ({
        ...edited.provider,
        selected: 'wllama' as const,
        wllama: {
          gguf: {
            kind,
            repo: 'o/r',
            file: 'm.gguf',
            url: 'https://x.test/m.gguf',
            fileName: 'mine.gguf',
          },
          contextSize: 2048,
          threads: 3,
        },
      })),
    ];
    for (const provider of providers) {
      const form = { ...edited, provider };
      const text = JSON.stringify(recipeOf(form, [], 'rows'));
      expect(text).not.toContain(SECRET);
      const step = readRecipe(text, 'test').steps[0] as RunStep;
      expect(stepOfForm(formWithStep(initialForm, step))).toEqual(stepOfForm(form));
    }
  });

  it('never carries a secret, and a file that does is refused', () => {
    const text = JSON.stringify(
      recipeOf(edited, [{ from: { kind: 'results', runId: 'a' }, runs: [run('a', 'm')] }], 'rows'),
    );
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('apiKey');
    const recipe = JSON.parse(text);
    recipe.steps[2].provider.apiKey = SECRET;
    expect(() => readRecipe(JSON.stringify(recipe), '“shared.json”')).toThrow(
      '“shared.json” is not a valid recipe: step 3, provider: Unrecognized key: "apiKey".',
    );
    delete recipe.steps[2].provider.apiKey;
    recipe.steps[2].task.params.apiKey = SECRET;
    expect(() => readRecipe(JSON.stringify(recipe), '“shared.json”')).toThrow(
      '“shared.json” cannot be used: Step 3 (Text generation): it has no parameter "apiKey".',
    );
  });
});

describe('a recipe of a chain', () => {
  it('writes the runs that made the dataset, how it was made from them, then the form', () => {
    const judge: FormState = {
      ...edited,
      data: { datasetId: 'combined' },
      task: { ...initialForm.task, taskId: 'ultrafeedback_overall_rating' },
    };
    const made = [
      {
        from: { kind: 'combine' as const, runIds: ['a', 'b'] },
        runs: [run('a', 'model-a'), run('b', 'model-b')],
      },
    ];
    const recipe = throughFile(recipeOf(judge, made, 'dpo'));
    expect(recipe.steps.map((step) => step.kind)).toEqual(['run', 'run', 'combine', 'run']);
    expect(recipe.steps[2]).toEqual({ kind: 'combine', runs: [1, 2] });
    expect(recipe.steps[1]).toEqual(stepOfRun(run('b', 'model-b')));
    expect(recipe.steps[1]).toMatchObject({
      task: { id: 'text_generation', generations: { count: 1, group: false } },
      provider: { id: 'openai', model: 'model-b' },
      limits: { concurrency: 4, timeoutSeconds: 120, maxRetries: 4 },
    });
    expect(recipe.steps[3]).toEqual(stepOfForm(judge));
    expect(recipe.export).toEqual({ as: 'dpo' });
  });

  it('refuses steps that name what they cannot', () => {
    const step = stepOfForm(edited);
    const chain = (steps: unknown[]) => JSON.stringify({ retort: 'recipe', version: 1, steps });
    expect(() =>
      readRecipe(chain([step, { kind: 'combine', runs: [1, 3] }, step, step]), '“r.json”'),
    ).toThrow(
      '“r.json” cannot be used: Step 2 names step 3: it can name only earlier run steps on the dataset it works on (step 1).',
    );
    expect(() =>
      readRecipe(
        chain([step, step, { kind: 'combine', runs: [1, 2] }, { kind: 'results', run: 1 }, step]),
        '“r.json”',
      ),
    ).toThrow(
      'Step 4 names step 1: it can name only earlier run steps on the dataset it works on (there are none).',
    );
    expect(() => readRecipe(chain([step, { kind: 'results', run: 1 }]), '“r.json”')).toThrow(
      'The last step must be a run: it is the one the form shows.',
    );
  });
});

describe('reading a recipe', () => {
  const valid = () => recipeOf(edited, [], 'rows') as Record<string, unknown> & Recipe;

  it('says a newer recipe is one, and changes nothing', () => {
    useForm.setState(edited);
    const before = useForm.getState();
    const newer = { ...valid(), version: 2, steps: [{ kind: 'something new' }] };
    return expect(openRecipe({ text: JSON.stringify(newer), name: 'new.json' }))
      .rejects.toThrow(
        'This recipe was written by a newer Retort (version 2); this one reads version 1. Update Retort (reload the page to get the newest), then open it again.',
      )
      .then(() => expect(useForm.getState()).toBe(before));
  });

  it('reads back the recipe of every task, with every parameter set', () => {
    for (const task of tasks) {
      const params = task.params.safeParse({});
      const form: FormState = {
        ...edited,
        task: {
          ...edited.task,
          taskId: task.id,
          params: { [task.id]: params.success ? params.data : {} },
          inputMapping: {},
        },
      };
      expect(selectBoundTask(form).ok, task.id).toBe(true);
      expect(() => throughFile(recipeOf(form, [], 'rows')), task.id).not.toThrow();
    }
  });

  it('says why a file is no recipe, naming the field', () => {
    const cases: [string, string][] = [
      ['{"retort": "recipe", ', '“r.json” is not a recipe: it is not JSON ('],
      [
        '[1, 2]',
        '“r.json” is not a Retort recipe: a recipe is a JSON object with "retort": "recipe".',
      ],
      [
        '{"retort": "recipe"}',
        '“r.json” has no recipe version this Retort reads ("version" must be 1).',
      ],
      [
        JSON.stringify({
          ...valid(),
          steps: [{ ...valid().steps[0], sampling: { temperature: 'hot' } }],
        }),
        '“r.json” is not a valid recipe: step 1, sampling.temperature: Invalid input: expected number, received string.',
      ],
      [
        JSON.stringify({
          ...valid(),
          steps: [
            {
              ...valid().steps[0],
              task: { ...stepOfForm(edited).task, id: 'summarize_everything' },
            },
          ],
        }),
        '“r.json” cannot be used: Step 1 (summarize_everything): There is no task "summarize_everything" in this version of Retort.',
      ],
      [
        JSON.stringify({
          ...valid(),
          steps: [
            { ...valid().steps[0], task: { ...stepOfForm(edited).task, params: { template: '' } } },
          ],
        }),
        '“r.json” cannot be used: Step 1 (Text generation): ',
      ],
    ];
    for (const [text, message] of cases)
      expect(() => readRecipe(text, '“r.json”'), message).toThrow(message);
  });

  it('fills every slice of the form at once, keeps the key, and sets the export shape', async () => {
    useForm.setState({
      ...initialForm,
      provider: {
        ...initialForm.provider,
        openai: { ...initialForm.provider.openai, apiKey: 'mine' },
      },
    });
    const recipe = await openRecipe({
      text: JSON.stringify(recipeOf(edited, [], 'sft')),
      name: 'r.json',
    });
    const form = useForm.getState();
    expect(stepOfForm(form)).toEqual(stepOfForm(edited));
    expect(form.provider.openai.apiKey).toBe('mine');
    expect(useReview.getState().exportAs).toBe('sft');
    expect(useRecipe.getState().opened).toMatchObject({ recipe, from: '“r.json”' });
  });
});

describe('a recipe from a URL', () => {
  let server: ReturnType<typeof createServer>;
  let base: string;
  beforeEach(async () => {
    server = createServer((request, response) => {
      if (request.url === '/retort-recipe.json')
        response.end(JSON.stringify(recipeOf(edited, [], 'dpo')));
      else response.writeHead(404, 'Not Found').end();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => new Promise<void>((done) => server.close(() => done())));

  it('opens, or says why it could not be fetched', async () => {
    useForm.setState(initialForm);
    await openRecipe({ url: `${base}/retort-recipe.json` });
    expect(stepOfForm(useForm.getState())).toEqual(stepOfForm(edited));
    await expect(openRecipe({ url: `${base}/gone.json` })).rejects.toThrow(
      `The recipe at ${base}/gone.json could not be fetched: the server answered HTTP 404 Not Found.`,
    );
    await expect(openRecipe({ url: 'http://127.0.0.1:1/r.json' })).rejects.toThrow(
      'The recipe at http://127.0.0.1:1/r.json could not be fetched: the address did not answer',
    );
    await expect(openRecipe({ url: 'ftp://x/r.json' })).rejects.toThrow(
      '“ftp://x/r.json” is not a web address',
    );
  });
});

it('publishes the JSON Schema made from the recipe schema (update with `vitest run -u`)', async () => {
  const schema = z.toJSONSchema(recipeSchema);
  await expect(`${JSON.stringify(schema, null, 2)}\n`).toMatchFileSnapshot(
    '../../schema/retort-recipe.schema.json',
  );
});
