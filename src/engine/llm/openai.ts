import { finishReasonOf } from './finishReason';
import {
  abortedError,
  httpError,
  networkError,
  responseError,
  serverMessage,
} from './openaiErrors';
import { responseFormatFor } from './openaiSchema';
import {
  type ChatMessage,
  type CompletionRequest,
  estimateTokens,
  type GenerateRequest,
  type GenerateResult,
  type LanguageModel,
  openAISampling,
  type Usage,
} from './types';

/**
 * The adapter for OpenAI-compatible chat APIs (OpenAI, Ollama, vLLM, llama.cpp
 * server, LM Studio, OpenRouter, Groq...). It makes one request per generate();
 * retries, timeouts and rate limits are the scheduler's.
 */

export interface OpenAIEndpoint {
  /** e.g. http://localhost:11434/v1; a trailing slash is ignored. */
  baseURL: string;
  apiKey?: string;
  /** The headers that carry the key and the API's version: `Authorization: Bearer` unless given. */
  authHeaders?: (apiKey: string | undefined) => Record<string, string>;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
}

export interface OpenAIModelOptions extends OpenAIEndpoint {
  model: string;
}

/** A remote server queues what it cannot serve at once: the run's own concurrency setting governs. */
const maxConcurrency = 256;

export function normalizeBaseURL(baseURL: string): string {
  return baseURL.trim().replace(/\/+$/, '');
}

export function createOpenAIModel(options: OpenAIModelOptions): LanguageModel {
  const endpoint = { ...options, baseURL: normalizeBaseURL(options.baseURL) };
  return {
    modelName: options.model,
    maxConcurrency,
    async generate(request, signal) {
      const { seed } = request.sampling;
      const first = await chat(endpoint, request, request.n, seed, signal);
      // Some servers ignore n and answer once: the other generations are asked for
      // one by one, each with its own seed so that they differ yet stay reproducible.
      const missing = Array.from(
        { length: Math.max(0, request.n - first.choices.length) },
        (_, i) => {
          const generation = first.choices.length + i;
          return chat(
            endpoint,
            request,
            1,
            seed === undefined ? undefined : seed + generation,
            signal,
          );
        },
      );
      const rest = await Promise.all(missing);
      return {
        choices: [...first.choices, ...rest.map((r) => r.choices[0])].slice(0, request.n),
      };
    },
    complete: (request, signal) => rawCompletion(endpoint, request, signal),
  };
}

/** The ids of the models the endpoint serves (GET /models). */
export async function listModels(
  endpoint: OpenAIEndpoint,
  signal?: AbortSignal,
): Promise<string[]> {
  const url = `${normalizeBaseURL(endpoint.baseURL)}/models`;
  const data = await requestJson(endpoint, url, { method: 'GET' }, signal);
  const list = (data as { data?: unknown } | null)?.data;
  if (!Array.isArray(list)) throw responseError(url, 'did not answer with a list of models.');
  return list.map((m) => (m as { id?: unknown } | null)?.id).filter((id) => typeof id === 'string');
}

async function chat(
  endpoint: OpenAIModelOptions,
  request: GenerateRequest,
  n: number,
  seed: number | undefined,
  signal: AbortSignal,
): Promise<GenerateResult> {
  const url = `${endpoint.baseURL}/chat/completions`;
  const body = chatBody(endpoint.model, request, n, seed);
  const data = await requestJson(
    endpoint,
    url,
    { method: 'POST', body: JSON.stringify(body) },
    signal,
  );
  return readCompletion(data, request.messages, url);
}

/**
 * The body of POST /chat/completions; a Batch API line carries the same one.
 * JSON.stringify leaves out undefined fields, so options left unset are not sent.
 */
export function chatBody(
  model: string,
  request: Omit<GenerateRequest, 'n'>,
  n: number,
  seed: number | undefined,
) {
  return {
    model,
    messages: request.messages,
    n,
    ...openAISampling(request.sampling, seed),
    response_format: request.jsonSchema && responseFormatFor(request.jsonSchema),
  };
}

/** POST /completions: the prompt as is, for servers that still offer raw completion (most local ones do). */
async function rawCompletion(
  endpoint: OpenAIModelOptions,
  request: CompletionRequest,
  signal: AbortSignal,
): Promise<GenerateResult> {
  const url = `${endpoint.baseURL}/completions`;
  const body = {
    model: endpoint.model,
    prompt: request.prompt,
    n: request.n,
    ...openAISampling(request.sampling, request.sampling.seed),
  };
  const data = await requestJson(
    endpoint,
    url,
    { method: 'POST', body: JSON.stringify(body) },
    signal,
  );
  return readCompletion(data, [{ role: 'user', content: request.prompt }], url);
}

interface Completion {
  choices?: {
    index?: number;
    message?: { content?: unknown };
    text?: unknown;
    finish_reason?: unknown;
  }[];
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown };
  error?: unknown;
}

/** A chat completion's body (a live answer, or a Batch API output line's) as choices. */
export function readCompletion(
  data: unknown,
  messages: ChatMessage[],
  url: string,
): GenerateResult {
  const completion = (data ?? {}) as Completion;
  if (!Array.isArray(completion.choices) || completion.choices.length === 0) {
    // Some servers answer 200 with an error body.
    const said = completion.error
      ? ` The server said: ${serverMessage(JSON.stringify(completion))}`
      : '';
    throw responseError(url, `answered without any choices.${said}`);
  }
  const ordered = [...completion.choices].sort((a, b) => (a?.index ?? 0) - (b?.index ?? 0));
  const texts = ordered.map((choice) => {
    // Chat choices carry a message; raw completions carry text.
    const content = choice?.message?.content ?? choice?.text;
    return typeof content === 'string' && content !== '' ? content : null;
  });
  const usage = readUsage(completion.usage, messages, texts);
  return {
    choices: ordered.map((choice, i) => ({
      text: texts[i],
      usage: usage[i],
      finishReason: finishReasonOf(choice?.finish_reason),
    })),
  };
}

/**
 * Per generation: the prompt's tokens, and its share of the completion tokens,
 * which servers report as one total for all n choices (split in proportion to
 * each text's length). Counts the server leaves out are estimated.
 */
function readUsage(
  usage: Completion['usage'],
  messages: ChatMessage[],
  texts: (string | null)[],
): Usage[] {
  const prompt = typeof usage?.prompt_tokens === 'number' ? usage.prompt_tokens : undefined;
  const completion =
    typeof usage?.completion_tokens === 'number' ? usage.completion_tokens : undefined;
  const inputTokens = prompt ?? messages.reduce((sum, m) => sum + estimateTokens(m.content), 0);
  const estimates = texts.map((text) => estimateTokens(text ?? ''));
  const outputs = completion === undefined ? estimates : apportion(completion, estimates);
  const reported = prompt !== undefined && completion !== undefined;
  return outputs.map((outputTokens, i) => ({
    inputTokens,
    outputTokens,
    reported,
    promptShared: i > 0,
  }));
}

/** Whole-number shares of `total` in proportion to `weights` (equal when all are 0) that add up to it. */
function apportion(total: number, weights: number[]): number[] {
  const shares = weights.some((w) => w > 0) ? weights : weights.map(() => 1);
  const sum = shares.reduce((a, b) => a + b, 0);
  let cumulative = 0;
  let given = 0;
  return shares.map((share) => {
    cumulative += share;
    const upToHere = Math.round((total * cumulative) / sum);
    const part = upToHere - given;
    given = upToHere;
    return part;
  });
}

/** A request whose answer is JSON; a string body is sent as JSON. */
export async function requestJson(
  endpoint: OpenAIEndpoint,
  url: string,
  init: RequestInit,
  signal: AbortSignal | undefined,
): Promise<unknown> {
  const text = await requestText(endpoint, url, init, signal);
  try {
    return JSON.parse(text);
  } catch {
    throw responseError(url, 'answered with something that is not JSON.');
  }
}

/** A request's answer as text, with the endpoint's errors read as live calls read them. */
export async function requestText(
  endpoint: OpenAIEndpoint,
  url: string,
  init: RequestInit,
  signal: AbortSignal | undefined,
): Promise<string> {
  const headers = (endpoint.authHeaders ?? bearer)(endpoint.apiKey);
  // A form (a file upload) sets its own multipart Content-Type.
  if (typeof init.body === 'string') headers['Content-Type'] = 'application/json';
  // Called unbound: a browser's fetch throws "Illegal invocation" as a method of another object.
  const fetchFn = endpoint.fetch ?? globalThis.fetch;
  let response: Response;
  try {
    response = await fetchFn(url, { ...init, headers, signal });
  } catch {
    throw signal?.aborted ? abortedError() : networkError(url);
  }
  // Some servers echo the key, in an error status or in a 200 error body. It is cut
  // out of what they say as soon as that is read, so no message (nor result, nor
  // export) can carry it, and no shortened message can keep a piece of it.
  const text = withoutKey(await readText(response, url, signal), endpoint.apiKey);
  if (!response.ok) throw httpError(response, text, url);
  return text;
}

const bearer = (apiKey: string | undefined): Record<string, string> =>
  apiKey ? { Authorization: `Bearer ${apiKey}` } : {};

/** The body's text. An error status's body cut short reads as empty: the status says enough. */
async function readText(
  response: Response,
  url: string,
  signal: AbortSignal | undefined,
): Promise<string> {
  try {
    return await response.text();
  } catch {
    if (signal?.aborted) throw abortedError();
    if (!response.ok) return '';
    throw responseError(url, 'closed the connection before the whole answer arrived.');
  }
}

function withoutKey(text: string, apiKey: string | undefined): string {
  return apiKey ? text.replaceAll(apiKey, '***') : text;
}
