import { beforeEach, describe, expect, it } from 'vitest';
import { createRun } from '../../src/engine/db/runs';
import { type Dataset, db, type Run } from '../../src/engine/db/schema';
import { combineRuns } from '../../src/engine/run/derive';
import { defaultRunSettings } from '../../src/engine/task';
import { pipelineOfRun } from '../../src/export/distilabel/ofRun';
import { distilabelPipeline } from '../../src/export/distilabel/pipeline';
import type { RecipeProvider } from '../../src/recipes/schema';
import { tasks } from '../../src/tasks';
import {
  boundRun,
  clearDatabase,
  prompts,
  storeDataset,
  textGenerationRun,
} from '../engine/fixtures';
import { pyCompile, pythonNames, runStep } from './helpers';

/**
 * Stored runs exported as distilabel pipelines: Python that compiles (syntax
 * only, distilabel is not installed here) and says what the runs did: the
 * classes, their arguments, and the steps in order.
 */

beforeEach(clearDatabase);

const OLLAMA = 'http://localhost:11434/v1';
const HUB_SOURCE = 'https://huggingface.co/datasets/me/prompts/viewer/default/train';

async function dataset(id: string): Promise<Dataset> {
  return (await db.datasets.get(id))!;
}

/** A Hub import of prompts, as importFromHub records its source. */
async function hubPrompts(): Promise<Dataset> {
  const id = await storeDataset(prompts(3), 'me/prompts/default/train');
  await db.datasets.update(id, { source: HUB_SOURCE });
  return dataset(id);
}

function judgeRun(datasetId: string, baseURL: string): Promise<Run> {
  return createRun(
    {
      datasetId,
      taskId: 'ultrafeedback_overall_rating',
      taskParams: {},
      settings: { ...defaultRunSettings, structuredOutput: true },
      provider: { provider: 'openai', baseURL, model: 'judge' },
      sampling: { temperature: 0, maxTokens: 2048 },
      concurrency: 16,
    },
    3,
  );
}

/** The `>>` chain, on one line however it was laid out. */
function chainOf(text: string): string {
  const oneLine = /^ {4}(load_dataset >> .*)$/m.exec(text)?.[1];
  const wrapped = /^ {4}\(\n((?: {8}.*\n)+) {4}\)$/m.exec(text)?.[1];
  return (oneLine ?? wrapped ?? '').replace(/\s+/g, ' ').trim();
}

describe('a run as a distilabel pipeline', () => {
  it('Text generation: the loader, TextGeneration with its template and LLM, run and Ray', async () => {
    const source = await hubPrompts();
    const run = await textGenerationRun(source.id, {
      baseURL: OLLAMA,
      model: 'llama3.2',
      numGenerations: 2,
      sampling: { temperature: 0.2, maxTokens: 256, seed: 11 },
    });
    await db.runs.update(run.id, {
      name: 'Short answers',
      taskParams: { template: 'Answer in one line:\n{{ question }}', systemPrompt: 'Be brief.' },
      settings: {
        ...run.settings,
        inputMapping: { question: 'instruction' },
        groupGenerations: true,
      },
    });
    const stored = (await db.runs.get(run.id))!;

    const { fileName, text } = pipelineOfRun(stored, { made: [], start: source }, 'rows');
    pyCompile({ [fileName]: text });

    expect(fileName).toBe('short-answers-pipeline.py');
    expect(text).toContain('from distilabel.steps import LoadDataFromHub');
    expect(text).toContain('from distilabel.steps.tasks import TextGeneration');
    expect(text).toContain('from distilabel.models import OllamaLLM');
    expect(text).toContain('with Pipeline(name="short-answers") as pipeline:');
    expect(text).toMatch(
      /LoadDataFromHub\(\s+name="load_dataset",\s+repo_id="me\/prompts",\s+config="default",\s+split="train",\s+\)/,
    );
    expect(text).toContain('TEMPLATE_1 = "Answer in one line:\\n{{ question }}"');
    expect(text).toMatch(/text_generation_1 = TextGeneration\(\s+name="text_generation_1",/);
    expect(text).toMatch(
      /llm=OllamaLLM\(\s+model="llama3\.2",\s+host="http:\/\/localhost:11434",\s+timeout=120,\s+generation_kwargs=\{"options": \{"temperature": 0\.2, "num_predict": 256, "seed": 11\}\},\s+\)/,
    );
    for (const arg of [
      'system_prompt="Be brief."',
      'template=TEMPLATE_1',
      'columns=["question"]',
      'num_generations=2',
      'group_generations=True',
      'input_mappings={"question": "instruction"}',
      'input_batch_size=8',
    ])
      expect(text).toContain(`        ${arg},\n`);
    expect(chainOf(text)).toBe('load_dataset >> text_generation_1');
    expect(text).toContain('    distiset = pipeline.run(use_cache=False)');
    expect(text).toContain('# distiset = pipeline.ray().run(use_cache=False)');
    expect(text).toContain('pip install "distilabel[ollama]"');
    expect(text).not.toContain('PLACEHOLDER');
  });

  it('UltraFeedback: its aspect and own JSON schema, the key read from the environment', async () => {
    const source = await storeDataset(
      [{ instruction: 'hi', generations: ['a', 'b'] }],
      'rated prompts',
    );
    const run = await judgeRun(source, 'https://api.openai.com/v1');

    const { fileName, text } = pipelineOfRun(
      run,
      { made: [], start: await dataset(source) },
      'dpo',
    );
    pyCompile({ [fileName]: text });

    expect(fileName).toBe('rated-prompts-ultrafeedback-overall-rating-pipeline.py');
    expect(text).toContain('from distilabel.steps.tasks import UltraFeedback');
    expect(text).toMatch(
      /ultrafeedback_overall_rating_1 = UltraFeedback\(\s+name="ultrafeedback_overall_rating_1",\s+llm=OpenAILLM\(\s+model="judge",\s+api_key=os\.environ\["OPENAI_API_KEY"\],\s+timeout=120,\s+max_retries=4,\s+generation_kwargs=\{"temperature": 0, "max_new_tokens": 2048\},\s+\),\s+aspect="overall-rating",\s+use_default_structured_output=True,\s+input_batch_size=16,\s+\)/,
    );
    // The rows come from a file Retort was given: its path is for the person to fill in.
    expect(text).toMatch(/# The rows: PLACEHOLDER: the path of test,/);
    expect(text).toContain('LoadDataFromFileSystem(name="load_dataset", data_files="test")');
    expect(chainOf(text)).toBe('load_dataset >> ultrafeedback_overall_rating_1 >> format_dpo');
    expect(text).toContain('format_dpo = FormatTextGenerationDPO(name="format_dpo")');
    expect(text).toContain('pip install "distilabel[instructor,openai]"');
    expect(text).toContain('#     export OPENAI_API_KEY=...');
  });

  it('the preference chain: two models side by side, GroupColumns, UltraFeedback, DPO pairs', async () => {
    const source = await hubPrompts();
    const a = await textGenerationRun(source.id, { baseURL: OLLAMA, model: 'llama3.2' });
    const b = await textGenerationRun(source.id, {
      baseURL: 'https://router.huggingface.co/v1',
      model: 'Qwen/Qwen2.5-7B-Instruct',
    });
    const combined = await combineRuns([await boundRun(a.id), await boundRun(b.id)]);
    const judge = await judgeRun(combined.id, 'http://localhost:8000/v1');
    const made = [{ from: combined.derivedFrom!, runs: [a, b] }];

    const { fileName, text } = pipelineOfRun(judge, { made, start: source }, 'dpo');
    pyCompile({ [fileName]: text });

    expect(chainOf(text)).toBe(
      'load_dataset >> [text_generation_1, text_generation_2] >> group_columns_3 >> ultrafeedback_overall_rating_4 >> format_dpo',
    );
    expect(text).toContain('from distilabel.models import OllamaLLM, OpenAILLM, vLLM');
    expect(text).toContain(
      'from distilabel.steps import FormatTextGenerationDPO, GroupColumns, LoadDataFromHub',
    );
    expect(text).toContain('from distilabel.steps.tasks import TextGeneration, UltraFeedback');
    // Each generation step names its model's column as GroupColumns gathers them.
    expect(text.match(/output_mappings=\{"model_name": "generation_model"\}/g)).toHaveLength(2);
    expect(text).toMatch(
      /group_columns_3 = GroupColumns\(\s+name="group_columns_3",\s+columns=\["generation", "generation_model"\],\s+output_columns=\["generations", "generation_models"\],\s+\)/,
    );
    expect(text).toMatch(
      /llm=OpenAILLM\(\s+model="Qwen\/Qwen2\.5-7B-Instruct",\s+base_url="https:\/\/router\.huggingface\.co\/v1",\s+api_key=os\.environ\["HF_TOKEN"\],/,
    );
    // The judge served by vLLM on port 8000 runs in vLLM itself, the server's address said.
    expect(text).toMatch(
      /llm=vLLM\(\s+model="judge",\s+generation_kwargs=\{"temperature": 0, "max_new_tokens": 2048\},\s+\)/,
    );
    expect(text).toContain('# Retort called a server at http://localhost:8000/v1');
    expect(text).toContain('pip install "distilabel[ollama,openai,outlines,vllm]"');
    expect(text).toContain('#     export HF_TOKEN=...');
    // Steps are written in the order they run.
    const order = [
      'text_generation_1 =',
      'text_generation_2 =',
      'group_columns_3 =',
      'ultrafeedback_overall_rating_4 =',
      'format_dpo =',
    ];
    const at = order.map((line) => text.indexOf(line));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((x, y) => x - y)).toEqual(at);
  });
});

describe('the steps of a recipe, connected', () => {
  it("continues from a run's results, and hangs a run no later step reads off its dataset", () => {
    const text = distilabelPipeline({
      recipe: {
        retort: 'recipe',
        version: 1,
        steps: [
          runStep('text_generation'),
          runStep('self_instruct'),
          { kind: 'results', run: 1 },
          runStep('evol_instruct', {}, { task: { generations: { count: 3, group: true } } }),
        ],
        export: { as: 'sft' },
      },
      source: { kind: 'url', url: 'https://example.com/rows.jsonl' },
      name: 'chain',
    });
    pyCompile({ 'chain.py': text });
    expect(chainOf(text)).toBe(
      'load_dataset >> text_generation_1 >> evol_instruct_4 >> format_sft',
    );
    expect(text).toContain('\n    load_dataset >> self_instruct_2\n');
    expect(text).toContain(
      'LoadDataFromFileSystem(\n        name="load_dataset",\n        data_files="https://example.com/rows.jsonl",',
    );
    expect(text).toMatch(/num_generations=3,\s+group_generations=True,/);
  });
});

describe('every task as a pipeline', () => {
  const providers: RecipeProvider[] = [
    { id: 'openai', baseURL: 'https://api.openai.com/v1', model: 'gpt-4o-mini' },
    { id: 'openai', baseURL: 'http://localhost:8080/v1', model: 'local' },
    { id: 'webllm', model: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC' },
    {
      id: 'wllama',
      source: { kind: 'url', url: 'https://example.com/models/tiny.gguf' },
      contextSize: 2048,
    },
  ];

  it('compiles for each task and each kind of provider, JSON answers asked for or not', () => {
    const files: Record<string, string> = {};
    for (const task of tasks)
      for (const [p, provider] of providers.entries())
        for (const structuredOutput of [false, true]) {
          const recipe = {
            retort: 'recipe' as const,
            version: 1 as const,
            steps: [
              runStep(
                task.id,
                {},
                { provider, task: { structuredOutput }, sampling: { seed: 3, stop: ['END'] } },
              ),
            ],
          };
          files[`${task.id}_${p}_${structuredOutput}.py`] = distilabelPipeline({
            recipe,
            source: { kind: 'url', url: 'https://example.com/rows.csv' },
            name: task.label,
          });
        }
    pyCompile(files);
    const arena = files['arena_hard_0_false.py'];
    expect(arena).toContain('# PLACEHOLDER: NO DISTILABEL COUNTERPART.');
    expect(arena).toMatch(/arena_hard_1 = missing_step\(\s+name="arena_hard_1",\s+llm=OpenAILLM\(/);
    expect(arena).toContain('def missing_step(name, **settings):');
    const json = files['custom_json_0_true.py'];
    expect(json).toContain('structured_output={"schema": json_schema_to_model(SCHEMA_1)}');
    expect(files['custom_json_2_true.py']).toMatch(
      /structured_output=\{"format": "json", "schema": SCHEMA_1\}/,
    );
    expect(files['magpie_1_false.py']).toMatch(
      /llm=ClientvLLM\([\s\S]*use_magpie_template=True,\s+magpie_pre_query_template="llama3",/,
    );
  });

  it('keeps text from elsewhere inside its strings and comments', () => {
    const hostile = 'x"\r__import__("os").system("rm -rf /")\n# \u2028 \\ """ }}';
    const recipe = {
      retort: 'recipe' as const,
      version: 1 as const,
      steps: [
        runStep(
          'text_generation',
          { template: `${hostile} {{ instruction }}`, systemPrompt: hostile },
          { provider: { id: 'openai', baseURL: 'http://localhost:11434/v1', model: hostile } },
        ),
      ],
    };
    const text = distilabelPipeline({
      recipe,
      source: { kind: 'file', name: hostile },
      name: hostile,
    });
    pyCompile({ 'hostile.py': text });
    // The injected call is nowhere in the code Python reads: only in strings and comments.
    expect(pythonNames(text)).toContain('TextGeneration');
    expect(pythonNames(text)).not.toContain('__import__');
    expect(text).toContain('"x\\"\\r__import__');
  });
});
