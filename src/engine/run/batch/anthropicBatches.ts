import { finishReasonOf } from '../../llm/finishReason';
import { normalizeBaseURL, type OpenAIEndpoint, requestJson, requestText } from '../../llm/openai';
import { responseError } from '../../llm/openaiErrors';
import {
  ANTHROPIC_DEFAULT_MAX_TOKENS,
  type ChatMessage,
  type Choice,
  estimateTokens,
  type GenerateRequest,
} from '../../llm/types';
import {
  type BatchInfo,
  type BatchProvider,
  idOf,
  type LineOutcome,
  SOURCE,
  unanswered,
} from './batchProvider';

/**
 * Anthropic's Message Batches (POST /messages/batches, GET and cancel by id,
 * results as JSONL at the batch's results_url). Requests travel in the
 * request body, in Anthropic's own message format. A custom_id may hold only
 * [a-zA-Z0-9_-]{1,64}, so it names the row and generation ("r12g0"): a batch
 * belongs to one run, which keeps its id.
 */

/** The key, the API version, and leave to call the API from a page. */
const anthropicHeaders = (apiKey: string | undefined): Record<string, string> => ({
  ...(apiKey && { 'x-api-key': apiKey }),
  'anthropic-version': '2023-06-01',
  'anthropic-dangerous-direct-browser-access': 'true',
});

export function anthropicBatches(options: OpenAIEndpoint): BatchProvider {
  const endpoint = { ...options, authHeaders: anthropicHeaders };
  const base = `${normalizeBaseURL(endpoint.baseURL)}/messages/batches`;
  const call = async (url: string, init: RequestInit, signal?: AbortSignal) =>
    readBatch(await requestJson(endpoint, url, init, signal), url);
  const byId = (id: string) => `${base}/${encodeURIComponent(id)}`;

  return {
    limits: { requests: 100_000, bytes: 256 * 1024 * 1024 },
    requestLine: ({ rowIndex, generation, model, request }) =>
      JSON.stringify({
        custom_id: `r${rowIndex}g${generation}`,
        params: messageParams(model, request),
      }),
    async submit(lines, _name, signal) {
      // The lines are JSON already: joined, not parsed and written again.
      const body = `{"requests":[${lines.join(',')}]}`;
      return { batch: await call(base, { method: 'POST', body }, signal) };
    },
    get: (id, signal) => call(byId(id), { method: 'GET' }, signal),
    cancel: (id, signal) => call(`${byId(id)}/cancel`, { method: 'POST', body: '{}' }, signal),
    async results({ resultsUrl }, signal) {
      if (!resultsUrl) return [];
      return [await requestText(endpoint, resultsUrl, { method: 'GET' }, signal)];
    },
    readResult(line) {
      const { custom_id, result } = (line ?? {}) as ResultLine;
      const [, row, generation] = /^r(\d+)g(\d+)$/.exec(String(custom_id)) ?? [];
      if (row === undefined) return undefined;
      return { rowIndex: Number(row), generation: Number(generation), outcome: outcomeOf(result) };
    },
    readAnswer: readMessage,
  };
}

/** A request in Anthropic's format: the system prompt is a field of its own, not a message. */
function messageParams(model: string, { messages, sampling }: Omit<GenerateRequest, 'n'>) {
  const system = messages.filter((m) => m.role === 'system').map((m) => m.content);
  return {
    model,
    max_tokens: sampling.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
    messages: messages.filter((m) => m.role !== 'system'),
    ...(system.length > 0 && { system: system.join('\n\n') }),
    temperature: sampling.temperature,
    top_p: sampling.topP,
    stop_sequences: sampling.stop,
  };
}

interface ResultLine {
  custom_id?: unknown;
  result?: {
    type?: unknown;
    message?: unknown;
    error?: { type?: unknown; message?: unknown; error?: { type?: unknown; message?: unknown } };
  };
}

/**
 * A result line's outcome. An errored line is the HTTP error its request met:
 * one Anthropic found invalid comes back the same way, so it lasts; any other
 * error, or a line cancelled or expired before it ran, may pass in another batch.
 */
function outcomeOf(result: ResultLine['result']): LineOutcome {
  if (result?.type === 'succeeded') return { body: result.message };
  if (result?.type !== 'errored')
    return unanswered(`The request was ${String(result?.type)} before it ran.`);
  // The error response's body: { type: "error", error: { type, message } }.
  const error = result.error?.error ?? result.error;
  const type = String(error?.type ?? 'error');
  const message = typeof error?.message === 'string' ? error.message : 'No answer came back.';
  return {
    error: {
      kind: 'http',
      message: `${message} (${type})`,
      retryable: type !== 'invalid_request_error',
    },
  };
}

interface Message {
  content?: { type?: unknown; text?: unknown }[];
  stop_reason?: unknown;
  usage?: { input_tokens?: unknown; output_tokens?: unknown };
}

/** A message's text blocks as one answer, its usage and stop reason as a live call's. */
function readMessage(data: unknown, messages: ChatMessage[]): Choice {
  const message = (data ?? {}) as Message;
  if (!Array.isArray(message.content)) throw responseError(SOURCE, 'answered without content.');
  const text = message.content
    .filter((block) => block?.type === 'text' && typeof block.text === 'string')
    .map((block) => block.text)
    .join('');
  const { input_tokens: input, output_tokens: output } = message.usage ?? {};
  return {
    text: text === '' ? null : text,
    usage: {
      inputTokens:
        typeof input === 'number'
          ? input
          : messages.reduce((sum, m) => sum + estimateTokens(m.content), 0),
      outputTokens: typeof output === 'number' ? output : estimateTokens(text),
      reported: typeof input === 'number' && typeof output === 'number',
    },
    finishReason: finishReasonOf(message.stop_reason),
  };
}

interface BatchObject {
  id?: unknown;
  processing_status?: unknown;
  results_url?: unknown;
  request_counts?: Partial<Record<AnthropicCount, number>> | null;
}

type AnthropicCount = 'processing' | 'succeeded' | 'errored' | 'canceled' | 'expired';

/** A batch in the shared terms: its own status word, counts as total, completed and failed. */
function readBatch(data: unknown, url: string): BatchInfo {
  const batch = (data ?? {}) as BatchObject;
  const id = idOf(batch, url);
  if (typeof batch.processing_status !== 'string')
    throw responseError(url, 'answered without a processing status.');
  const count = (name: AnthropicCount) => batch.request_counts?.[name] ?? 0;
  const failed = count('errored') + count('canceled') + count('expired');
  return {
    id,
    status: batch.processing_status,
    ...(batch.request_counts && {
      requestCounts: {
        total: count('processing') + count('succeeded') + failed,
        completed: count('succeeded'),
        failed,
      },
    }),
    ...(typeof batch.results_url === 'string' && { resultsUrl: batch.results_url }),
  };
}
