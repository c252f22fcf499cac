import type { BatchCounts } from '../../db/schema';
import { normalizeBaseURL, type OpenAIEndpoint, requestJson, requestText } from '../../llm/openai';
import { responseError } from '../../llm/openaiErrors';

/**
 * OpenAI's Files and Batches endpoints, as far as a batch run needs them:
 * upload a JSONL of requests, create the batch, read it, cancel it, and read
 * its output and error files. Any OpenAI-compatible server with the same
 * endpoints works through its base URL.
 */

/** A batch as the provider describes it (GET /batches/{id}). */
export interface BatchInfo {
  id: string;
  status: string;
  requestCounts?: BatchCounts;
  outputFileId?: string;
  errorFileId?: string;
  /** Why the whole batch failed (its `errors`), in the provider's words. */
  error?: string;
}

/** The endpoint every line of a batch asks, as its `url` and the batch's `endpoint`. */
export const CHAT_ENDPOINT = '/v1/chat/completions';

/** Statuses after which a batch changes no more. */
const ENDED = new Set(['completed', 'failed', 'expired', 'cancelled']);

export const hasEnded = (status: string): boolean => ENDED.has(status);

export type BatchApi = ReturnType<typeof openAIBatches>;

export function openAIBatches(endpoint: OpenAIEndpoint) {
  const base = normalizeBaseURL(endpoint.baseURL);
  const json = (path: string, init: RequestInit, signal?: AbortSignal) =>
    requestJson(endpoint, `${base}${path}`, init, signal);
  const post = (path: string, body: unknown, signal?: AbortSignal) =>
    json(path, { method: 'POST', body: JSON.stringify(body) }, signal);

  return {
    /** POST /files with purpose "batch": the id of the uploaded file. */
    async upload(jsonl: string, name: string, signal?: AbortSignal): Promise<string> {
      const form = new FormData();
      form.append('purpose', 'batch');
      form.append('file', new Blob([jsonl], { type: 'application/jsonl' }), name);
      const file = await json('/files', { method: 'POST', body: form }, signal);
      return idOf(file, `${base}/files`);
    },
    async create(inputFileId: string, signal?: AbortSignal): Promise<BatchInfo> {
      const body = {
        input_file_id: inputFileId,
        endpoint: CHAT_ENDPOINT,
        completion_window: '24h',
      };
      return readBatch(await post('/batches', body, signal), `${base}/batches`);
    },
    async get(id: string, signal?: AbortSignal): Promise<BatchInfo> {
      const url = `/batches/${encodeURIComponent(id)}`;
      return readBatch(await json(url, { method: 'GET' }, signal), base + url);
    },
    async cancel(id: string, signal?: AbortSignal): Promise<BatchInfo> {
      const url = `/batches/${encodeURIComponent(id)}/cancel`;
      return readBatch(await post(url, {}, signal), base + url);
    },
    /** A file's content (GET /files/{id}/content): an output or error file's JSONL. */
    content(fileId: string, signal?: AbortSignal): Promise<string> {
      const url = `${base}/files/${encodeURIComponent(fileId)}/content`;
      return requestText(endpoint, url, { method: 'GET' }, signal);
    },
  };
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

function idOf(data: unknown, url: string): string {
  const id = (data as { id?: unknown } | null)?.id;
  if (typeof id !== 'string') throw responseError(url, 'answered without an id.');
  return id;
}
