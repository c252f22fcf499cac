import { z } from 'zod';

/**
 * The recipe file, `retort-recipe.json`: everything a run, or a chain of runs,
 * needs except the data and the secrets. It has no field for an API key or a
 * token, and objects are strict, so a file that carries one is refused rather
 * than read. The published JSON Schema (schema/retort-recipe.schema.json) is
 * generated from this one; what JSON Schema cannot say (which steps a combine
 * may name) is checked by `chainProblems`.
 */
export const RECIPE_VERSION = 1;

const count = z.int().min(1);

const taskSchema = z
  .strictObject({
    id: z
      .string()
      .min(1)
      .meta({ description: 'The task, e.g. "text_generation", "ultrafeedback".' }),
    params: z.record(z.string(), z.unknown()).meta({
      description:
        "The task's own parameters (prompt template, system prompt, ...), checked against the task. Those left out take the task's defaults.",
    }),
    structuredOutput: z.boolean().meta({ description: 'Ask for a JSON answer.' }),
    inputMapping: z
      .record(z.string(), z.string())
      .meta({ description: 'Task input -> the dataset column that feeds it.' }),
    generations: z.strictObject({
      count: count.max(64).meta({ description: 'Generations per row.' }),
      group: z.boolean().meta({ description: 'One row whose outputs are lists.' }),
    }),
    fewShot: z.strictObject({ count }).optional().meta({
      description:
        'Put up to `count` generations rated good into the prompt as examples; the run they come from is picked where the recipe runs.',
    }),
  })
  .meta({ description: 'The task and the settings the engine applies around it.' });

const ggufSource = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('hf'), repo: z.string(), file: z.string() }),
  z.strictObject({ kind: z.literal('url'), url: z.string() }),
  z
    .strictObject({ kind: z.literal('file'), name: z.string() })
    .meta({ description: 'A file on the device: picked again where the recipe runs.' }),
]);

const providerSchema = z
  .discriminatedUnion('id', [
    z.strictObject({
      id: z.literal('openai'),
      baseURL: z.string(),
      model: z.string(),
      mode: z
        .literal('batch')
        .optional()
        .meta({ description: "Through the provider's Batch API; live requests when absent." }),
      batchApi: z.literal('anthropic').optional().meta({
        description: "Anthropic's Message Batches; OpenAI's Files + Batches when absent.",
      }),
    }),
    z.strictObject({ id: z.literal('webllm'), model: z.string() }),
    z.strictObject({ id: z.literal('wllama'), source: ggufSource, contextSize: count }),
  ])
  .meta({ description: 'Where the model runs, and which model. Never a key.' });

const samplingSchema = z.strictObject({
  temperature: z.number().min(0).max(2).optional(),
  topP: z.number().min(0).max(1).optional(),
  maxTokens: count.optional(),
  seed: z.int().optional(),
  stop: z.array(z.string()).optional(),
});

const limitsSchema = z.strictObject({
  concurrency: count.max(256).meta({ description: 'Requests in flight.' }),
  timeoutSeconds: z.number().positive(),
  maxRetries: z.int().min(0).max(20),
  requestsPerMinute: z.number().positive().optional(),
  tokensPerMinute: z.number().positive().optional(),
});

const pricingSchema = z
  .strictObject({
    inputPerMillion: z.number().min(0).optional(),
    outputPerMillion: z.number().min(0).optional(),
    batchInputPerMillion: z.number().min(0).optional(),
    batchOutputPerMillion: z.number().min(0).optional(),
  })
  .meta({
    description:
      'Prices per million tokens, for the cost shown beside the run; the batch ones for a run in batch mode (empty: half the live price).',
  });

const runStep = z
  .strictObject({
    kind: z.literal('run'),
    task: taskSchema,
    provider: providerSchema,
    sampling: samplingSchema,
    limits: limitsSchema,
    pricing: pricingSchema.optional(),
  })
  .meta({ description: 'A run on the current dataset.' });

/** Steps are named by their number in `steps`, counting from 1, as the page lists them. */
const stepNumber = z.int().min(1);

const combineStep = z
  .strictObject({ kind: z.literal('combine'), runs: z.array(stepNumber).min(2) })
  .meta({
    description:
      'The answers of these run steps, in this order, as one `generations` list per row (with `generation_models`): the new dataset becomes the current one.',
  });

const resultsStep = z
  .strictObject({ kind: z.literal('results'), run: stepNumber })
  .meta({ description: "A run step's results as a new dataset, which becomes the current one." });

const stepSchema = z.discriminatedUnion('kind', [runStep, combineStep, resultsStep]);

export const recipeSchema = z
  .strictObject({
    $schema: z.string().optional(),
    retort: z.literal('recipe'),
    version: z.literal(RECIPE_VERSION),
    steps: z.array(stepSchema).min(1).meta({
      description:
        'In order. The first runs on the dataset the recipe is run on; combine and results steps make the dataset later steps run on. The last step is a run: it fills the form.',
    }),
    export: z
      .strictObject({ as: z.enum(['rows', 'dpo', 'sft']) })
      .optional()
      .meta({ description: 'The shape the last run is exported in.' }),
  })
  .meta({ title: 'Retort recipe', description: 'retort-recipe.json: a run or a chain of runs.' });

export type Recipe = z.infer<typeof recipeSchema>;
export type RecipeStep = Recipe['steps'][number];
export type RunStep = z.infer<typeof runStep>;
export type RecipeTask = RunStep['task'];
export type RecipeProvider = RunStep['provider'];

/**
 * What makes a valid list of steps an impossible chain: a combine or results
 * step must name earlier run steps on the current dataset (after the last
 * step that made one), and the last step must be a run.
 */
export function chainProblems(steps: readonly RecipeStep[]): string[] {
  const problems: string[] = [];
  let first = 1; // the first step on the current dataset
  steps.forEach((step, index) => {
    const number = index + 1;
    if (step.kind === 'run') return;
    const named = step.kind === 'combine' ? step.runs : [step.run];
    const wrong = named.filter((n) => n < first || n >= number || steps[n - 1].kind !== 'run');
    if (wrong.length > 0)
      problems.push(
        `Step ${number} names step ${wrong.join(' and ')}: it can name only earlier run steps on the dataset it works on (${span(first, number - 1)}).`,
      );
    if (new Set(named).size < named.length)
      problems.push(`Step ${number} names the same step twice.`);
    first = number + 1;
  });
  if (steps.at(-1)?.kind !== 'run')
    problems.push('The last step must be a run: it is the one the form shows.');
  return problems;
}

/** "steps 1 to 3", "step 1", or "there are none" */
function span(first: number, last: number): string {
  if (first > last) return 'there are none';
  return first === last ? `step ${first}` : `steps ${first} to ${last}`;
}
