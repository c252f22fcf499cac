import { ggufName } from '../../engine/llm/types';
import type { RecipeProvider, RunStep } from '../../recipes/schema';
import type { PythonModule } from './module';
import { type Args, call, Expr, type PyValue } from './python';

/**
 * The LLM of a step: the distilabel 1.5 class that reaches the model the run
 * used (picked by provider and base URL), and Retort's sampling under that
 * class's own argument names, checked against each class's `generate()`.
 */

type Sampling = RunStep['sampling'];

/**
 * Where one of Retort's sampling settings goes: a generation kwarg (a dotted
 * path nests it, as Ollama's `options`), an argument of the class itself, or
 * nowhere (the class cannot take it, which the file says).
 */
type Target = string | { init: string } | null;

export interface LlmClass {
  name: string;
  /** The pip extra that installs its client: `distilabel[<extra>]`. */
  extra: string;
  sampling: Record<keyof Sampling, Target>;
  /**
   * How it enforces a JSON schema: `structured_output` holding a pydantic
   * model (through instructor) or the schema itself (through outlines, or
   * TGI's grammar), or only a JSON mode that takes no schema.
   */
  structured?: 'pydantic' | 'json-schema' | 'json-mode';
  /** The pip extra distilabel's structured output needs with this class. */
  structuredExtra?: string;
  /** Takes a Magpie pre-query template (distilabel's MagpieChatTemplateMixin). */
  magpie?: boolean;
  /** Which of Retort's request limits it has arguments for. */
  limits: readonly ('timeout' | 'max_retries')[];
  /** The new tokens its `generate()` allows when not told. */
  defaultMaxTokens?: number;
}

const OPENAI_SAMPLING = {
  temperature: 'temperature',
  topP: 'top_p',
  maxTokens: 'max_new_tokens',
  stop: 'stop',
  seed: null,
} as const;

const LOCAL_SAMPLING = { ...OPENAI_SAMPLING, seed: { init: 'seed' } } as const;

export const LLM_CLASSES = {
  OpenAILLM: {
    name: 'OpenAILLM',
    extra: 'openai',
    sampling: OPENAI_SAMPLING,
    structured: 'pydantic',
    structuredExtra: 'instructor',
    limits: ['timeout', 'max_retries'],
    defaultMaxTokens: 128,
  },
  // An OpenAI-compatible server's completions endpoint, with the chat template
  // applied here by the model's tokenizer: what Magpie needs from a server.
  ClientvLLM: {
    name: 'ClientvLLM',
    extra: 'openai',
    sampling: { ...OPENAI_SAMPLING, stop: null },
    magpie: true,
    limits: ['timeout', 'max_retries'],
    defaultMaxTokens: 128,
  },
  AnthropicLLM: {
    name: 'AnthropicLLM',
    extra: 'anthropic',
    sampling: { ...OPENAI_SAMPLING, maxTokens: 'max_tokens', stop: 'stop_sequences' },
    structured: 'pydantic',
    structuredExtra: 'instructor',
    limits: ['timeout', 'max_retries'],
    defaultMaxTokens: 128,
  },
  OllamaLLM: {
    name: 'OllamaLLM',
    extra: 'ollama',
    sampling: {
      temperature: 'options.temperature',
      topP: 'options.top_p',
      maxTokens: 'options.num_predict',
      stop: 'options.stop',
      seed: 'options.seed',
    },
    structured: 'json-mode',
    structuredExtra: 'instructor',
    limits: ['timeout'],
  },
  InferenceEndpointsLLM: {
    name: 'InferenceEndpointsLLM',
    extra: 'hf-inference-endpoints',
    sampling: { ...OPENAI_SAMPLING, stop: 'stop_sequences', seed: 'seed' },
    structured: 'json-schema',
    // distilabel checks for outlines before a task's own schema, though TGI enforces it.
    structuredExtra: 'outlines',
    magpie: true,
    limits: [],
    defaultMaxTokens: 128,
  },
  vLLM: {
    name: 'vLLM',
    extra: 'vllm',
    sampling: LOCAL_SAMPLING,
    structured: 'json-schema',
    structuredExtra: 'outlines',
    magpie: true,
    limits: [],
    defaultMaxTokens: 128,
  },
  LlamaCppLLM: {
    name: 'LlamaCppLLM',
    extra: 'llama-cpp',
    sampling: { ...LOCAL_SAMPLING, stop: 'extra_generation_kwargs.stop' },
    structured: 'json-schema',
    structuredExtra: 'outlines',
    limits: [],
    defaultMaxTokens: 128,
  },
  TransformersLLM: {
    name: 'TransformersLLM',
    extra: 'hf-transformers',
    sampling: { ...OPENAI_SAMPLING, stop: null },
    structured: 'json-schema',
    structuredExtra: 'outlines',
    magpie: true,
    limits: [],
    defaultMaxTokens: 128,
  },
} satisfies Record<string, LlmClass>;

/** A class, the arguments that say which model, and what the file should say about the choice. */
export interface LlmChoice {
  cls: LlmClass;
  args: Args;
  notes: string[];
}

/** Hosted OpenAI-compatible APIs and the variable their key is read from. */
const KEY_VARIABLES: Record<string, string> = {
  'api.openai.com': 'OPENAI_API_KEY',
  'openrouter.ai': 'OPENROUTER_API_KEY',
  'api.groq.com': 'GROQ_API_KEY',
  'api.together.xyz': 'TOGETHER_API_KEY',
  'api.together.ai': 'TOGETHER_API_KEY',
  'router.huggingface.co': 'HF_TOKEN',
  'api.mistral.ai': 'MISTRAL_API_KEY',
  'api.deepseek.com': 'DEEPSEEK_API_KEY',
  'api.fireworks.ai': 'FIREWORKS_API_KEY',
};

/** A server on this machine or this network: it takes any API key. */
function isLocal({ hostname }: URL): boolean {
  return (
    /^(localhost|0\.0\.0\.0|\[::1\]|127\.\d+\.\d+\.\d+|10\.\d+\.\d+\.\d+|192\.168\.\d+\.\d+)$/.test(
      hostname,
    ) ||
    /^172\.(1[6-9]|2\d|3[01])\./.test(hostname) ||
    hostname.endsWith('.local')
  );
}

/**
 * The servers Retort can tell by their address, in the order they are tried;
 * any other is an OpenAI-compatible server, reached with OpenAILLM.
 */
const SERVERS: readonly {
  matches(url: URL): boolean;
  choose(model: string, url: URL, file: PythonModule): LlmChoice;
}[] = [
  {
    matches: (url) => url.hostname === 'api.openai.com',
    choose: (model, _url, file) => ({
      cls: LLM_CLASSES.OpenAILLM,
      args: { model, api_key: file.env('OPENAI_API_KEY') },
      notes: [],
    }),
  },
  {
    matches: (url) => url.hostname === 'api.anthropic.com',
    choose: (model, _url, file) => ({
      cls: LLM_CLASSES.AnthropicLLM,
      args: { model, api_key: file.env('ANTHROPIC_API_KEY') },
      notes: [],
    }),
  },
  {
    // Hugging Face's serverless API and dedicated Inference Endpoints (TGI).
    matches: (url) =>
      url.hostname === 'api-inference.huggingface.co' ||
      url.hostname.endsWith('.endpoints.huggingface.cloud'),
    choose: (model, url, file) => ({
      cls: LLM_CLASSES.InferenceEndpointsLLM,
      args: url.hostname.endsWith('.endpoints.huggingface.cloud')
        ? { base_url: url.origin, api_key: file.env('HF_TOKEN') }
        : { model_id: model, api_key: file.env('HF_TOKEN') },
      notes: [],
    }),
  },
  {
    matches: (url) => url.port === '11434' || url.hostname.includes('ollama'),
    choose: (model, url) => ({
      cls: LLM_CLASSES.OllamaLLM,
      args: { model, host: url.origin },
      notes: [],
    }),
  },
  {
    matches: (url) => url.port === '8000' && isLocal(url),
    choose: (model, url) => ({
      cls: LLM_CLASSES.vLLM,
      args: { model },
      notes: [
        `Retort called a server at ${url.href} (port 8000: vLLM's). Here vLLM loads the model itself, on this machine's GPU or on each Ray worker's. To call that server instead: OpenAILLM(model=..., base_url="${url.href}").`,
      ],
    }),
  },
];

function openAICompatible(model: string, url: URL, file: PythonModule): LlmChoice {
  const variable = KEY_VARIABLES[url.hostname];
  const local = isLocal(url);
  return {
    cls: LLM_CLASSES.OpenAILLM,
    args: {
      model,
      base_url: url.href,
      api_key:
        variable || !local
          ? file.env(variable ?? 'OPENAI_API_KEY')
          : new Expr(`${file.module('os').code}.environ.get("OPENAI_API_KEY", "none")`),
    },
    notes: local ? ['A local server takes any API key; OpenAILLM needs one all the same.'] : [],
  };
}

/** The class and model arguments for a provider, or a Magpie-capable stand-in when Magpie needs one. */
export function chooseLlm(
  provider: RecipeProvider,
  file: PythonModule,
  needsMagpie: boolean,
): LlmChoice {
  switch (provider.id) {
    case 'openai': {
      const choice = remoteLlm(provider.model, provider.baseURL, file, needsMagpie);
      return provider.mode === 'batch' ? inBatches(choice) : choice;
    }
    case 'webllm':
      return webllmStandIn(provider.model);
    case 'wllama':
      return needsMagpie ? ggufMagpieStandIn(provider) : llamaCpp(provider, file);
  }
}

function remoteLlm(model: string, baseURL: string, file: PythonModule, needsMagpie: boolean) {
  const url = parseUrl(baseURL);
  if (!url) {
    return {
      cls: LLM_CLASSES.OpenAILLM,
      args: { model, base_url: baseURL, api_key: file.env('OPENAI_API_KEY') },
      notes: [`PLACEHOLDER: "${baseURL}" is not a URL; put the server's address here.`],
    };
  }
  const choice = (SERVERS.find((s) => s.matches(url))?.choose ?? openAICompatible)(
    model,
    url,
    file,
  );
  if (!needsMagpie || choice.cls.magpie) return choice;
  // Magpie sends the raw chat template: a completions endpoint and a tokenizer to write it with.
  return {
    cls: LLM_CLASSES.ClientvLLM,
    args: { base_url: url.href, tokenizer: model },
    notes: [
      `${choice.cls.name} cannot send Magpie's pre-query; ClientvLLM writes the chat template with the model's tokenizer and calls the server's completions endpoint, as Retort did.`,
      'PLACEHOLDER: tokenizer must be the Hugging Face id of the model the server runs.',
    ],
  };
}

/**
 * A run made through a Batch API: OpenAILLM sends its requests the same way
 * (offline batch generation, the pipeline re-run until they are back); any
 * other class sends them live, and the file says so.
 */
function inBatches(choice: LlmChoice): LlmChoice {
  if (choice.cls === LLM_CLASSES.OpenAILLM)
    return { ...choice, args: { ...choice.args, use_offline_batch_generation: true } };
  return {
    ...choice,
    notes: [
      ...choice.notes,
      `Retort sent this run through a Batch API; distilabel's ${choice.cls.name} has no offline batch generation, so these requests go live, at live prices.`,
    ],
  };
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/** web-llm's model ids end in their MLC quantisation: "Llama-3.2-1B-Instruct-q4f32_1-MLC". */
function unquantisedName(id: string): string {
  return id.replace(/-q\d+f\d+(_\d+)?(-MLC)?$/i, '');
}

function webllmStandIn(model: string): LlmChoice {
  return {
    cls: LLM_CLASSES.TransformersLLM,
    args: { model: unquantisedName(model) },
    notes: [
      `Retort ran ${model} in the browser (web-llm, WebGPU); distilabel has no web-llm, and TransformersLLM runs the same model with transformers.`,
      'PLACEHOLDER: model must be its Hugging Face id, owner/name.',
    ],
  };
}

function ggufMagpieStandIn(provider: Extract<RecipeProvider, { id: 'wllama' }>): LlmChoice {
  const repo = provider.source.kind === 'hf' ? provider.source.repo.replace(/-GGUF$/i, '') : '';
  return {
    cls: LLM_CLASSES.TransformersLLM,
    args: { model: repo || 'PLACEHOLDER/model' },
    notes: [
      'Retort ran a GGUF with llama.cpp in the browser. For Magpie, distilabel needs a class that writes the chat template itself: TransformersLLM, with the original (not GGUF) model.',
      'PLACEHOLDER: check that model is its Hugging Face id.',
    ],
  };
}

function llamaCpp(
  provider: Extract<RecipeProvider, { id: 'wllama' }>,
  file: PythonModule,
): LlmChoice {
  const { source, contextSize } = provider;
  const llm = (model_path: PyValue, notes: string[]) => ({
    cls: LLM_CLASSES.LlamaCppLLM,
    args: { model_path, n_ctx: contextSize },
    notes,
  });
  switch (source.kind) {
    case 'hf': {
      const download = file.from('huggingface_hub', 'hf_hub_download').code;
      return llm(new Expr(call(download, { repo_id: source.repo, filename: source.file })), []);
    }
    case 'url':
      return llm(ggufName(source), [`PLACEHOLDER: download ${source.url} and put its path here.`]);
    case 'file':
      return llm(source.name, [
        `PLACEHOLDER: the path of ${source.name}, the GGUF Retort loaded from your disk.`,
      ]);
  }
}

/** generation_kwargs and class arguments from Retort's sampling, and what the class cannot take. */
export function samplingArgs(
  cls: LlmClass,
  sampling: Sampling,
): { kwargs: Record<string, PyValue>; init: Args; notes: string[] } {
  const kwargs: Record<string, PyValue> = {};
  const init: Args = {};
  const notes: string[] = [];
  for (const [setting, value] of Object.entries(sampling) as [keyof Sampling, PyValue][]) {
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    const target = cls.sampling[setting];
    if (target === null) notes.push(`${cls.name} takes no ${SETTING_NAMES[setting]}: ${value}.`);
    else if (typeof target === 'string') setPath(kwargs, target.split('.'), value);
    else init[target.init] = value;
  }
  if (sampling.maxTokens === undefined && cls.defaultMaxTokens)
    notes.push(
      `Retort left Max new tokens to the server; ${cls.name} stops at ${cls.defaultMaxTokens} unless told.`,
    );
  return { kwargs, init, notes };
}

const SETTING_NAMES: Record<keyof Sampling, string> = {
  temperature: 'temperature',
  topP: 'top_p',
  maxTokens: 'limit of new tokens',
  seed: 'seed',
  stop: 'stop sequences',
};

function setPath(into: Record<string, PyValue>, [head, ...rest]: string[], value: PyValue): void {
  if (rest.length === 0) {
    into[head] = value;
    return;
  }
  const inner = (into[head] ?? {}) as Record<string, PyValue>;
  setPath(inner, rest, value);
  into[head] = inner;
}
