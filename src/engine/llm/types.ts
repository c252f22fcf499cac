/**
 * The one contract every backend implements: a chat request in, n texts and
 * token usage out. Concurrency, rate limits, retries and timeouts belong to the
 * scheduler (engine/run), so adapters stay thin.
 */
export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

export interface SamplingOptions {
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  seed?: number;
  stop?: string[];
}

/** Sampling settings under the names of OpenAI's API, which llama-server and web-llm share. */
export interface OpenAISampling {
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  seed?: number;
  stop?: string[];
}

/** The settings of one request on the wire, with its own seed; unset ones stay undefined. */
export function openAISampling(
  { temperature, topP, maxTokens, stop }: SamplingOptions,
  seed: number | undefined,
): OpenAISampling {
  return {
    temperature,
    top_p: topP,
    max_tokens: maxTokens,
    seed,
    stop: stop?.length ? stop : undefined,
  };
}

export interface GenerateRequest {
  messages: ChatMessage[];
  /** How many independent generations to return. */
  n: number;
  sampling: SamplingOptions;
  /** A JSON schema the answer must follow, when the task has one and the backend supports it. */
  jsonSchema?: Record<string, unknown>;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** False when the backend gave no counts and these are estimates. */
  reported: boolean;
  /**
   * True for the 2nd to nth generations of one request that served all n: the
   * prompt was sent, and billed, once, with the first.
   */
  promptShared?: boolean;
}

/**
 * Why the model stopped, in one vocabulary for every backend, with the
 * backend's own word kept beside it (after the Vercel AI SDK's finish reason).
 * `length` is an answer cut at Max new tokens: not the model's whole answer.
 */
export interface FinishReason {
  unified: 'stop' | 'length' | 'content_filter' | 'error' | 'other';
  /** What the backend said, when it said anything. */
  raw?: string;
}

/** One generation of a request. */
export interface Choice {
  /** Null where the model returned nothing. */
  text: string | null;
  usage: Usage;
  finishReason: FinishReason;
}

export interface GenerateResult {
  /** One per generation asked for, in order. */
  choices: Choice[];
}

/** Raw text for the model to continue, with no chat template applied. */
export interface CompletionRequest {
  prompt: string;
  n: number;
  sampling: SamplingOptions;
}

export interface LanguageModel {
  /** The model's name as recorded in every output row (`model_name`). */
  readonly modelName: string;
  /** How many requests the backend can truly serve at once (web-llm: 1). */
  readonly maxConcurrency: number;
  generate(request: GenerateRequest, signal: AbortSignal): Promise<GenerateResult>;
  /**
   * Raw completion, for methods that write the chat template themselves
   * (Magpie). Absent where the backend has none.
   */
  complete?(request: CompletionRequest, signal: AbortSignal): Promise<GenerateResult>;
}

/** Settings of a provider as kept with a run. Never holds an API key. */
export type ProviderConfig =
  | {
      provider: 'openai';
      baseURL: string;
      model: string;
      /** 'batch': through the provider's Batch API (run/batch), at its prices; live requests otherwise. */
      mode?: RunMode;
      /** Whose Batch API a batch run speaks: OpenAI's Files + Batches unless 'anthropic'. */
      batchApi?: BatchApiId;
    }
  | { provider: 'webllm'; model: string }
  | {
      provider: 'wllama';
      model: string;
      source: ModelSource;
      contextSize: number;
      threads: number;
      /** Requests llama.cpp serves at once: the run's concurrency. */
      parallel: number;
    };

/** How an OpenAI-compatible run sends its requests: one by one, or as Batch API jobs. */
export type RunMode = 'live' | 'batch';

export function isBatchMode(provider: ProviderConfig | undefined): boolean {
  return provider?.provider === 'openai' && provider.mode === 'batch';
}

export type BatchApiId = 'openai' | 'anthropic';

/** Anthropic requires Max new tokens: this is sent when the run sets none. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

/**
 * Batch mode speaks Anthropic's Message Batches for Anthropic's own address
 * (api.anthropic.com), or for any other the person marks as Anthropic's.
 */
export function batchApiOf(baseURL: string, marked: BatchApiId | undefined): BatchApiId {
  return marked === 'anthropic' || hostOf(baseURL) === 'api.anthropic.com' ? 'anthropic' : 'openai';
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

/** A provider whose model runs in this browser. */
export type LocalProviderConfig = Exclude<ProviderConfig, { provider: 'openai' }>;

/** Settings that give the same loaded model share a key, so a loaded model is reused. */
export function localModelKey(config: LocalProviderConfig): string {
  if (config.provider === 'webllm') return `webllm:${config.model}`;
  const { source, contextSize, threads, parallel } = config;
  return `wllama:${JSON.stringify([source, contextSize, threads, parallel])}`;
}

/** Where a GGUF comes from. */
export type ModelSource =
  | { kind: 'hf'; repo: string; file: string }
  | { kind: 'url'; url: string }
  | { kind: 'file'; name: string };

/** The name a GGUF is shown and recorded (`model_name`) under. */
export function ggufName(source: ModelSource): string {
  if (source.kind === 'hf') return `${source.repo}/${source.file}`;
  if (source.kind === 'file') return source.name;
  return new URL(source.url, globalThis.location?.href).pathname.split('/').pop() || source.url;
}

/** A rough token count for servers that report none: about 4 characters a token. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
