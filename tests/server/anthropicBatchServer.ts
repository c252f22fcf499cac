import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type BatchServer,
  type BatchServerOptions,
  type FakeBatch,
  readBody,
  send,
} from './batchServer';
import { type ChatMessage, corsHeaders, countWords, defaultAnswer } from './openaiServer';

/**
 * A loopback fake of Anthropic's Message Batches, written from their
 * documented shapes: POST /v1/messages/batches ({ requests: [{ custom_id,
 * params }] }), GET /v1/messages/batches/{id}, POST .../{id}/cancel, and the
 * JSONL at the batch's results_url. Every request must carry x-api-key,
 * anthropic-version 2023-06-01 and anthropic-dangerous-direct-browser-access.
 * Batches end as batchServer's do (hold, pollsToFinish, failReads, fate).
 */

export interface AnthropicBatch extends FakeBatch {
  /** Each request's params, in order. */
  params: MessageParams[];
}

export interface AnthropicBatchServer extends Omit<BatchServer, 'batches'> {
  batches: AnthropicBatch[];
}

interface MessageParams {
  model: string;
  max_tokens: number;
  messages: ChatMessage[];
  system?: string;
}

interface StoredBatch extends AnthropicBatch {
  object: Record<string, unknown>;
}

const CUSTOM_ID = /^[a-zA-Z0-9_-]{1,64}$/;

export async function startAnthropicBatchServer(
  initial: BatchServerOptions = {},
): Promise<AnthropicBatchServer> {
  let options: BatchServerOptions = { ...initial };
  const batches: StoredBatch[] = [];
  const results = new Map<string, string>();
  const requests: { method: string; path: string }[] = [];
  let failedReads = 0;
  let url = '';

  async function create(req: IncomingMessage, res: ServerResponse) {
    const body = JSON.parse((await readBody(req)).toString()) as {
      requests?: { custom_id: string; params: MessageParams }[];
    };
    const problem = invalid(body.requests);
    if (problem) return refuse(res, 400, 'invalid_request_error', problem);
    const lines = body.requests ?? [];
    const id = `msgbatch_${batches.length + 1}`;
    const batch: StoredBatch = {
      id,
      number: batches.length + 1,
      status: 'in_progress',
      inputFileId: '',
      customIds: lines.map((line) => line.custom_id),
      params: lines.map((line) => line.params),
      polls: 0,
      cancelRequested: false,
      object: {
        id,
        type: 'message_batch',
        request_counts: { ...noCounts, processing: lines.length },
        ended_at: null,
        created_at: new Date().toISOString(),
        cancel_initiated_at: null,
        results_url: null,
      },
    };
    batches.push(batch);
    send(res, 200, view(batch));
  }

  function read(batch: StoredBatch, res: ServerResponse) {
    if (failedReads < (options.failReads ?? 0)) {
      failedReads += 1;
      return refuse(res, 529, 'overloaded_error', 'Overloaded');
    }
    batch.polls += 1;
    if (batch.status === 'canceling') finish(batch, () => 'canceled');
    else if (!options.hold && batch.polls >= (options.pollsToFinish ?? 1))
      finish(batch, (customId) => fateOf(options.fate?.(customId, batch.number) ?? null));
    send(res, 200, view(batch));
  }

  /** Ends a batch: each line answered, errored, expired or cancelled, into its results. */
  function finish(batch: StoredBatch, fate: (customId: string) => ResultType) {
    if (batch.status === 'ended') return;
    const counts = { ...noCounts };
    const lines = batch.params.map((params, i) => {
      const customId = batch.customIds[i];
      const type = fate(customId);
      counts[type] += 1;
      return JSON.stringify({ custom_id: customId, result: resultOf(type, params, customId) });
    });
    results.set(batch.id, lines.join('\n'));
    Object.assign(batch.object, {
      request_counts: counts,
      ended_at: new Date().toISOString(),
      results_url: `${url}/messages/batches/${batch.id}/results`,
    });
    batch.status = 'ended';
  }

  function cancel(batch: StoredBatch, res: ServerResponse) {
    batch.cancelRequested = true;
    if (batch.status !== 'ended') {
      batch.status = 'canceling';
      batch.object.cancel_initiated_at = new Date().toISOString();
    }
    send(res, 200, view(batch));
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    for (const [name, value] of Object.entries(corsHeaders)) res.setHeader(name, value);
    res.setHeader('Access-Control-Allow-Headers', ANTHROPIC_HEADERS.join(', '));
    if (req.method === 'OPTIONS') {
      if (req.headers['access-control-request-private-network'])
        res.setHeader('Access-Control-Allow-Private-Network', 'true');
      res.writeHead(204).end();
      return;
    }
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    requests.push({ method, path });
    const refused = unauthorized(req);
    if (refused) return refuse(res, 401, 'authentication_error', refused);
    const [, batchId, action] =
      path.match(/^\/v1\/messages\/batches\/([^/]+)(?:\/(cancel|results))?$/) ?? [];
    const batch = batches.find((b) => b.id === batchId);
    if (method === 'POST' && path === '/v1/messages/batches') return create(req, res);
    if (batch && method === 'GET' && !action) return read(batch, res);
    if (batch && method === 'POST' && action === 'cancel') return cancel(batch, res);
    if (batch && method === 'GET' && action === 'results' && results.has(batch.id)) {
      res.writeHead(200, { 'Content-Type': 'application/binary' }).end(results.get(batch.id));
      return;
    }
    refuse(res, 404, 'not_found_error', `No route for ${method} ${path}.`);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => refuse(res, 500, 'api_error', String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return {
    url,
    batches,
    requests,
    setOptions: (patch) => {
      options = { ...options, ...patch };
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const ANTHROPIC_HEADERS = [
  'x-api-key',
  'anthropic-version',
  'anthropic-dangerous-direct-browser-access',
  'content-type',
];

/** Why a request's headers would be refused: Anthropic's three, from a browser. */
function unauthorized(req: IncomingMessage): string | undefined {
  if (!req.headers['x-api-key']) return 'x-api-key header is required';
  if (req.headers['anthropic-version'] !== '2023-06-01')
    return 'anthropic-version must be 2023-06-01';
  if (req.headers['anthropic-dangerous-direct-browser-access'] !== 'true')
    return 'CORS requests must set the anthropic-dangerous-direct-browser-access header';
  return undefined;
}

/** Why a batch's requests would be refused, as Anthropic checks them. */
function invalid(requests: { custom_id: string; params: MessageParams }[] | undefined) {
  if (!Array.isArray(requests) || requests.length === 0) return 'requests: at least one';
  for (const { custom_id, params } of requests) {
    if (!CUSTOM_ID.test(custom_id)) return `custom_id: ${custom_id} does not match`;
    if (typeof params?.max_tokens !== 'number') return 'params.max_tokens: Field required';
    if (params.messages.some((m) => m.role === 'system'))
      return 'messages: Unexpected role "system". Use the top-level system parameter.';
  }
  if (new Set(requests.map((r) => r.custom_id)).size < requests.length)
    return 'custom_id must be unique within a batch';
  return undefined;
}

type ResultType = 'succeeded' | 'errored' | 'canceled' | 'expired';

const noCounts: Record<ResultType | 'processing', number> = {
  processing: 0,
  succeeded: 0,
  errored: 0,
  canceled: 0,
  expired: 0,
};

const fateOf = (fate: 'failed' | 'expired' | null): ResultType =>
  fate === null ? 'succeeded' : fate === 'failed' ? 'errored' : 'expired';

function resultOf(type: ResultType, params: MessageParams, customId: string) {
  if (type === 'errored')
    return {
      type,
      error: { type: 'error', error: { type: 'api_error', message: 'Internal server error' } },
    };
  if (type !== 'succeeded') return { type };
  const { model, messages, system } = params;
  const text = defaultAnswer({ model, messages, index: 0 });
  const prompt = [system ?? '', ...messages.map((m) => m.content)];
  return {
    type,
    message: {
      id: `msg_${customId}`,
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: prompt.reduce((sum, t) => sum + countWords(t), 0),
        output_tokens: countWords(text),
      },
    },
  };
}

const view = (batch: StoredBatch) => ({ ...batch.object, processing_status: batch.status });

function refuse(res: ServerResponse, status: number, type: string, message: string) {
  send(res, status, { type: 'error', error: { type, message } });
}
