import type { BatchCounts } from '../../db/schema';
import { toErrorData } from '../../errors';
import {
  chatBody,
  normalizeBaseURL,
  type OpenAIEndpoint,
  readCompletion,
  requestJson,
  requestText,
} from '../../llm/openai';
import { httpError, responseError } from '../../llm/openaiErrors';
import {
  type BatchInfo,
  type BatchProvider,
  idOf,
  type LineOutcome,
  SOURCE,
  unanswered,
} from './batchProvider';

/**
 * OpenAI's Files and Batches endpoints, as far as a batch run needs them:
 * upload a JSONL of requests, create the batch, read it, cancel it, and read
 * its output and error files. Any OpenAI-compatible server with the same
 * endpoints works through its base URL. A line's custom_id names its run, row
 * and generation ("run/row/generation").
 */

/** The endpoint every line of a batch asks, as its `url` and the batch's `endpoint`. */
export const CHAT_ENDPOINT = '/v1/chat/completions';

export function openAIBatches(endpoint: OpenAIEndpoint): BatchProvider {
  const base = normalizeBaseURL(endpoint.baseURL);
  const json = (path: string, init: RequestInit, signal?: AbortSignal) =>
    requestJson(endpoint, `${base}${path}`, init, signal);
  const post = (path: string, body: unknown, signal?: AbortSignal) =>
    json(path, { method: 'POST', body: JSON.stringify(body) }, signal);
  /** A file's content (GET /files/{id}/content): an output or error file's JSONL. */
  const content = (fileId: string, signal?: AbortSignal) => {
    const url = `${base}/files/${encodeURIComponent(fileId)}/content`;
    return requestText(endpoint, url, { method: 'GET' }, signal);
  };

  return {
    limits: { requests: 50_000, bytes: 200 * 1024 * 1024 },
    requestLine: ({ runId, rowIndex, generation, model, request, seed }) =>
      JSON.stringify({
        custom_id: `${runId}/${rowIndex}/${generation}`,
        method: 'POST',
        url: CHAT_ENDPOINT,
        body: chatBody(model, request, 1, seed),
      }),
    /** Uploads the lines (POST /files, purpose "batch"), then creates the batch over them. */
    async submit(lines, name, signal) {
      const form = new FormData();
      form.append('purpose', 'batch');
      form.append('file', new Blob([lines.join('\n')], { type: 'application/jsonl' }), name);
      const inputFileId = idOf(
        await json('/files', { method: 'POST', body: form }, signal),
        `${base}/files`,
      );
      const body = {
        input_file_id: inputFileId,
        endpoint: CHAT_ENDPOINT,
        completion_window: '24h',
      };
      return {
        inputFileId,
        batch: readBatch(await post('/batches', body, signal), `${base}/batches`),
      };
    },
    async get(id, signal) {
      const url = `/batches/${encodeURIComponent(id)}`;
      return readBatch(await json(url, { method: 'GET' }, signal), base + url);
    },
    async cancel(id, signal) {
      const url = `/batches/${encodeURIComponent(id)}/cancel`;
      return readBatch(await post(url, {}, signal), base + url);
    },
    async results({ outputFileId, errorFileId }, signal) {
      const files = [outputFileId, errorFileId].filter((id) => id !== undefined);
      return Promise.all(files.map((id) => content(id, signal)));
    },
    readResult(line, runId) {
      const { custom_id, ...rest } = (line ?? {}) as OutputLine;
      const [lineRun, row, generation] = String(custom_id ?? '').split('/');
      if (lineRun !== runId) return undefined;
      return { rowIndex: Number(row), generation: Number(generation), outcome: outcomeOf(rest) };
    },
    readAnswer: (body, messages) => readCompletion(body, messages, SOURCE).choices[0],
  };
}

interface OutputLine {
  custom_id?: unknown;
  response?: { status_code?: unknown; body?: unknown } | null;
  error?: { code?: unknown; message?: unknown } | null;
}

/** A line the provider answered with an error status reads as a live call's HTTP error would. */
function outcomeOf({ response, error }: OutputLine): LineOutcome {
  const status = typeof response?.status_code === 'number' ? response.status_code : undefined;
  if (status === 200) return { body: response?.body };
  if (status !== undefined) {
    const said = JSON.stringify(response?.body ?? '');
    return { error: toErrorData(httpError(new Response(null, { status }), said, SOURCE)) };
  }
  // No response at all: expired or cancelled before it ran, or timed out.
  const code = typeof error?.code === 'string' ? ` (${error.code})` : '';
  const message = typeof error?.message === 'string' ? error.message : 'No answer came back.';
  return unanswered(`${message}${code}`);
}

interface BatchObject {
  id?: unknown;
  status?: unknown;
  output_file_id?: unknown;
  error_file_id?: unknown;
  request_counts?: Partial<BatchCounts> | null;
  errors?: { data?: { message?: unknown }[] } | null;
}

function readBatch(data: unknown, url: string): BatchInfo {
  const batch = (data ?? {}) as BatchObject;
  const id = idOf(batch, url);
  if (typeof batch.status !== 'string')
    throw responseError(url, 'answered without a batch status.');
  const counts = batch.request_counts;
  const error = batch.errors?.data
    ?.map((e) => e?.message)
    .filter((m) => typeof m === 'string')
    .join(' ');
  return {
    id,
    status: batch.status,
    ...(counts && {
      requestCounts: {
        total: counts.total ?? 0,
        completed: counts.completed ?? 0,
        failed: counts.failed ?? 0,
      },
    }),
    ...(typeof batch.output_file_id === 'string' && { outputFileId: batch.output_file_id }),
    ...(typeof batch.error_file_id === 'string' && { errorFileId: batch.error_file_id }),
    ...(error && { error }),
  };
}
