import { describe, expect, it } from 'vitest';
import { chooseLlm, LLM_CLASSES, samplingArgs } from '../../src/export/distilabel/llms';
import { PythonModule } from '../../src/export/distilabel/module';
import { Expr } from '../../src/export/distilabel/python';
import { stepTask } from '../../src/export/distilabel/runStep';
import { distilabelTask } from '../../src/export/distilabel/tasks';
import type { RecipeProvider } from '../../src/recipes/schema';
import { tasks } from '../../src/tasks';
import { runStep } from './helpers';

/**
 * Every task of the catalog, with the distilabel 1.5 class it becomes and the
 * arguments written for the parameters given (names from each class's
 * pydantic fields in distilabel's source), or null where distilabel has no
 * class for it. The run step has a seed, so tasks that draw at random get it.
 */
const TABLE: Record<string, [Record<string, unknown>, string | null, string[]]> = {
  text_generation: [
    { template: 'Q: {{ question }}', systemPrompt: 'Be brief.' },
    'TextGeneration',
    ['system_prompt', 'template', 'columns'],
  ],
  chat_generation: [{}, 'ChatGeneration', []],
  structured_generation: [
    { systemPrompt: 'JSON only.' },
    'TextGeneration',
    ['system_prompt', 'template'],
  ],
  self_instruct: [
    { numInstructions: 3 },
    'SelfInstruct',
    ['num_instructions', 'application_description', 'criteria_for_query_generation'],
  ],
  genstruct: [{}, 'Genstruct', []],
  urial: [{ fewShot: false }, 'URIAL', []],
  magpie: [{ nTurns: 2 }, 'Magpie', ['n_turns']],
  evol_instruct: [
    { numEvolutions: 2, generateAnswers: true },
    'EvolInstruct',
    ['num_evolutions', 'generate_answers', 'seed'],
  ],
  evol_complexity: [
    { storeEvolutions: true, includeOriginalInstruction: true },
    'EvolComplexity',
    ['num_evolutions', 'store_evolutions', 'include_original_instruction', 'seed'],
  ],
  evol_quality: [
    { includeOriginalResponse: true, storeEvolutions: true },
    'EvolQuality',
    ['num_evolutions', 'store_evolutions', 'include_original_response', 'seed'],
  ],
  ultrafeedback_overall_rating: [{}, 'UltraFeedback', ['aspect']],
  ultrafeedback_helpfulness: [{}, 'UltraFeedback', ['aspect']],
  ultrafeedback_honesty: [{}, 'UltraFeedback', ['aspect']],
  ultrafeedback_instruction_following: [{}, 'UltraFeedback', ['aspect']],
  ultrafeedback_truthfulness: [{}, 'UltraFeedback', ['aspect']],
  quality_scorer: [{}, 'QualityScorer', []],
  complexity_scorer: [{}, 'ComplexityScorer', []],
  prometheus_absolute: [{ rubric: 'honesty' }, 'PrometheusEval', ['mode', 'rubric']],
  prometheus_relative: [
    {
      rubric: 'custom',
      withReference: true,
      customRubric: '[Is it kind?]\nScore 1: a\nScore 2: b\nScore 3: c\nScore 4: d\nScore 5: e',
    },
    'PrometheusEval',
    ['mode', 'rubric', 'rubrics', 'reference'],
  ],
  arena_hard: [{}, null, []],
  instruction_backtranslation: [{}, 'InstructionBacktranslation', []],
  clair: [{}, 'CLAIR', []],
  text_classification: [
    { labels: ['positive: a happy text', 'negative'], numLabels: 2, examples: ['I love it'] },
    'TextClassification',
    [
      'available_labels',
      'n',
      'default_label',
      'context',
      'examples',
      'query_title',
      'use_default_structured_output',
    ],
  ],
  generate_sentence_pair: [
    { action: 'query', triplet: true, hardNegative: true, context: 'Support tickets' },
    'GenerateSentencePair',
    ['action', 'triplet', 'hard_negative', 'context'],
  ],
  generate_text_retrieval_data: [
    { queryType: 'common', numWords: '100' },
    'GenerateTextRetrievalData',
    ['query_type', 'num_words', 'language', 'seed'],
  ],
  custom_text: [{ template: 'Summarise {{ text }}' }, 'TextGeneration', ['template', 'columns']],
  custom_json: [{}, 'TextGeneration', ['template']],
  custom_regex: [{}, 'TextGeneration', ['template', 'columns']],
};

const step = (taskId: string, params: Record<string, unknown> = {}) =>
  runStep(taskId, params, { sampling: { seed: 7 } });

/** The arguments a task's mapping writes for these parameters, by name, undefined ones left out. */
function argsOf(taskId: string, params: Record<string, unknown>) {
  const mapping = distilabelTask(taskId);
  if (mapping.kind !== 'class') return undefined;
  const s = step(taskId, params);
  const written = mapping.args?.(stepTask(s)?.params, s) ?? {};
  return Object.fromEntries(Object.entries(written).filter(([, value]) => value !== undefined));
}

describe("each task's distilabel class", () => {
  it('covers the whole catalog, and no task the catalog lacks', () => {
    expect(Object.keys(TABLE).sort()).toEqual(tasks.map((t) => t.id).sort());
  });

  it.each(Object.entries(TABLE))('%s', (taskId, [params, className, argNames]) => {
    const mapping = distilabelTask(taskId);
    if (className === null) {
      expect(mapping.kind).toBe('missing');
      return;
    }
    expect(mapping).toMatchObject({ kind: 'class', className });
    expect(Object.keys(argsOf(taskId, params) ?? {})).toEqual(argNames);
  });

  it('lists the tasks distilabel has no class for, and says why', () => {
    const missing = tasks.filter((t) => distilabelTask(t.id).kind === 'missing').map((t) => t.id);
    expect(missing).toEqual(['arena_hard']);
    expect(distilabelTask('arena_hard')).toMatchObject({ reason: /examples\/arena_hard\.py/ });
    expect(distilabelTask('no_such_task')).toMatchObject({ kind: 'missing' });
  });

  it('writes the values distilabel expects', () => {
    expect(argsOf('ultrafeedback_instruction_following', {})).toEqual({
      aspect: 'instruction-following',
    });
    expect(argsOf('ultrafeedback_overall_rating', {})?.aspect).toBe('overall-rating');
    expect(
      argsOf('text_classification', { labels: ['positive: a happy text', 'negative'] }),
    ).toMatchObject({
      available_labels: { positive: 'a happy text', negative: '' },
      use_default_structured_output: false,
    });
    expect(argsOf('text_classification', { labels: ['yes', 'no'] })?.available_labels).toEqual([
      'yes',
      'no',
    ]);
    expect(argsOf('prometheus_relative', TABLE.prometheus_relative[0])).toMatchObject({
      mode: 'relative',
      rubric: 'custom',
      rubrics: { custom: expect.stringMatching(/^\[Is it kind\?\]\nScore 1: a/) },
      reference: true,
    });
    expect(argsOf('generate_text_retrieval_data', { numWords: '300' })).toMatchObject({
      num_words: 300,
      seed: 7,
    });
    expect(argsOf('text_generation', {})).toEqual({});
    // The schema is shown in the prompt as Retort shows it, and Jinja leaves its braces alone.
    expect(argsOf('structured_generation', {})?.template).toMatch(
      /^\{\{ instruction \}\}\n\nAnswer with a JSON object[^\n]*:\n\{% raw %\}\{[\s\S]*\}\{% endraw %\}$/,
    );
  });

  it("asks for the class's own JSON schema when the run asked for a JSON answer", () => {
    const structured = (taskId: string) => {
      const s = runStep(taskId, {}, { task: { structuredOutput: true } });
      const mapping = distilabelTask(taskId);
      return mapping.kind === 'class' ? mapping.args?.(stepTask(s)?.params, s) : undefined;
    };
    expect(structured('ultrafeedback_honesty')?.use_default_structured_output).toBe(true);
    expect(structured('quality_scorer')?.use_default_structured_output).toBe(true);
    expect(structured('generate_sentence_pair')?.use_default_structured_output).toBe(true);
    // distilabel's TextClassification asks for it already.
    expect(structured('text_classification')?.use_default_structured_output).toBeUndefined();
  });
});

describe("each provider's LLM class", () => {
  const openai = (baseURL: string, model = 'm'): RecipeProvider => ({
    id: 'openai',
    baseURL,
    model,
  });
  const choose = (provider: RecipeProvider, magpie = false) => {
    const { cls, args } = chooseLlm(provider, new PythonModule(), magpie);
    const code = (v: unknown) => (v instanceof Expr ? v.code : v);
    return {
      cls: cls.name,
      args: Object.fromEntries(Object.entries(args).map(([k, v]) => [k, code(v)])),
    };
  };

  it.each([
    [
      'https://api.openai.com/v1',
      'OpenAILLM',
      { model: 'm', api_key: 'os.environ["OPENAI_API_KEY"]' },
    ],
    [
      'https://api.anthropic.com/v1',
      'AnthropicLLM',
      { model: 'm', api_key: 'os.environ["ANTHROPIC_API_KEY"]' },
    ],
    ['http://localhost:11434/v1', 'OllamaLLM', { model: 'm', host: 'http://localhost:11434' }],
    ['http://127.0.0.1:8000/v1', 'vLLM', { model: 'm' }],
    [
      'http://localhost:8080/v1',
      'OpenAILLM',
      {
        model: 'm',
        base_url: 'http://localhost:8080/v1',
        api_key: 'os.environ.get("OPENAI_API_KEY", "none")',
      },
    ],
    [
      'https://router.huggingface.co/v1',
      'OpenAILLM',
      {
        model: 'm',
        base_url: 'https://router.huggingface.co/v1',
        api_key: 'os.environ["HF_TOKEN"]',
      },
    ],
    [
      'https://api-inference.huggingface.co/v1',
      'InferenceEndpointsLLM',
      { model_id: 'm', api_key: 'os.environ["HF_TOKEN"]' },
    ],
    [
      'https://openrouter.ai/api/v1',
      'OpenAILLM',
      {
        model: 'm',
        base_url: 'https://openrouter.ai/api/v1',
        api_key: 'os.environ["OPENROUTER_API_KEY"]',
      },
    ],
  ])('%s: %s', (baseURL, cls, args) => {
    expect(choose(openai(baseURL))).toEqual({ cls, args });
  });

  it('runs browser models with the nearest class, the model named for you to check', () => {
    expect(choose({ id: 'webllm', model: 'Llama-3.2-1B-Instruct-q4f32_1-MLC' })).toEqual({
      cls: 'TransformersLLM',
      args: { model: 'Llama-3.2-1B-Instruct' },
    });
    const gguf: RecipeProvider = {
      id: 'wllama',
      source: { kind: 'hf', repo: 'Qwen/Qwen2.5-0.5B-Instruct-GGUF', file: 'q.gguf' },
      contextSize: 4096,
    };
    expect(choose(gguf)).toEqual({
      cls: 'LlamaCppLLM',
      args: {
        model_path: expect.stringMatching(
          /^hf_hub_download\(\s*repo_id="Qwen\/Qwen2\.5-0\.5B-Instruct-GGUF",\s*filename="q\.gguf",?\s*\)$/,
        ),
        n_ctx: 4096,
      },
    });
    expect(choose(gguf, true)).toEqual({
      cls: 'TransformersLLM',
      args: { model: 'Qwen/Qwen2.5-0.5B-Instruct' },
    });
  });

  it('sends Magpie through a class that writes the chat template itself', () => {
    expect(
      choose(openai('http://localhost:8080/v1', 'meta-llama/Llama-3.2-1B-Instruct'), true),
    ).toEqual({
      cls: 'ClientvLLM',
      args: { base_url: 'http://localhost:8080/v1', tokenizer: 'meta-llama/Llama-3.2-1B-Instruct' },
    });
    expect(choose(openai('http://localhost:8000/v1'), true).cls).toBe('vLLM');
  });

  it('sends a batch run through offline batch generation where the class has it, and says so where not', () => {
    const batch = (baseURL: string): RecipeProvider => ({
      id: 'openai',
      baseURL,
      model: 'm',
      mode: 'batch',
    });
    expect(choose(batch('https://api.openai.com/v1')).args).toMatchObject({
      use_offline_batch_generation: true,
    });
    const anthropic = chooseLlm(batch('https://api.anthropic.com/v1'), new PythonModule(), false);
    expect(anthropic.cls.name).toBe('AnthropicLLM');
    expect(anthropic.args).not.toHaveProperty('use_offline_batch_generation');
    expect(anthropic.notes.join(' ')).toMatch(/no offline batch generation/);
  });
});

describe("sampling under each class's own names", () => {
  const sampling = { temperature: 0.5, topP: 0.9, maxTokens: 100, seed: 3, stop: ['\n\n'] };

  it.each<[keyof typeof LLM_CLASSES, object, object, string[]]>([
    [
      'OpenAILLM',
      { temperature: 0.5, top_p: 0.9, max_new_tokens: 100, stop: ['\n\n'] },
      {},
      ['seed'],
    ],
    [
      'AnthropicLLM',
      { temperature: 0.5, top_p: 0.9, max_tokens: 100, stop_sequences: ['\n\n'] },
      {},
      ['seed'],
    ],
    [
      'OllamaLLM',
      { options: { temperature: 0.5, top_p: 0.9, num_predict: 100, seed: 3, stop: ['\n\n'] } },
      {},
      [],
    ],
    [
      'InferenceEndpointsLLM',
      { temperature: 0.5, top_p: 0.9, max_new_tokens: 100, seed: 3, stop_sequences: ['\n\n'] },
      {},
      [],
    ],
    [
      'vLLM',
      { temperature: 0.5, top_p: 0.9, max_new_tokens: 100, stop: ['\n\n'] },
      { seed: 3 },
      [],
    ],
    [
      'LlamaCppLLM',
      {
        temperature: 0.5,
        top_p: 0.9,
        max_new_tokens: 100,
        extra_generation_kwargs: { stop: ['\n\n'] },
      },
      { seed: 3 },
      [],
    ],
    [
      'TransformersLLM',
      { temperature: 0.5, top_p: 0.9, max_new_tokens: 100 },
      {},
      ['seed', 'stop sequences'],
    ],
    [
      'ClientvLLM',
      { temperature: 0.5, top_p: 0.9, max_new_tokens: 100 },
      {},
      ['seed', 'stop sequences'],
    ],
  ])('%s', (name, kwargs, init, unsupported) => {
    const written = samplingArgs(LLM_CLASSES[name], sampling);
    expect(written.kwargs).toEqual(kwargs);
    expect(written.init).toEqual(init);
    expect(written.notes.map((note) => /takes no (.+):/.exec(note)?.[1])).toEqual(unsupported);
  });

  it("says when the class's own limit of new tokens applies", () => {
    expect(samplingArgs(LLM_CLASSES.OpenAILLM, {}).notes).toEqual([
      expect.stringMatching(/OpenAILLM stops at 128 unless told/),
    ]);
    expect(samplingArgs(LLM_CLASSES.OllamaLLM, {}).notes).toEqual([]);
  });
});
