import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ChatMessage, corsHeaders, countWords, defaultAnswer } from './openaiServer';

/**
 * A loopback fake of OpenAI's Files and Batches endpoints, written from their
 * documented shapes: POST /v1/files (multipart, purpose "batch"), POST
 * /v1/batches, GET /v1/batches/{id}, POST /v1/batches/{id}/cancel and GET
 * /v1/files/{id}/content. A batch ends when the test lets it (`hold`), after
 * `pollsToFinish` reads; its answers are `defaultAnswer`'s, and chosen lines
 * fail (HTTP 500 in the error file) or expire (`batch_expired`).
 */

export type LineFate = 'failed' | 'expired';

export interface BatchServerOptions {
  /** Batches stay in_progress while true. */
  hold?: boolean;
  /** The read of a batch that finds it ended: 1 (the default) ends it at its first read. */
  pollsToFinish?: number;
  /** Reads of a batch answered 503 before any is answered, as a provider's blip. */
  failReads?: number;
  /** What becomes of a line, by its custom_id and the batch's number (1 for the first). */
  fate?: (customId: string, batchNumber: number) => LineFate | null;
}

export interface FakeBatch {
  id: string;
  number: number;
  status: string;
  inputFileId: string;
  /** The custom_ids of its lines, in order. */
  customIds: string[];
  polls: number;
  cancelRequested: boolean;
}

export interface BatchServer {
  /** The base URL, ending in /v1. */
  url: string;
  batches: FakeBatch[];
  /** Every request's method and path, in arrival order. */
  requests: { method: string; path: string }[];
  setOptions(options: Partial<BatchServerOptions>): void;
  close(): Promise<void>;
}

interface InputLine {
  custom_id: string;
  method: string;
  url: string;
  body: { model: string; messages: ChatMessage[]; seed?: number };
}

interface StoredBatch extends FakeBatch {
  object: Record<string, unknown>;
  lines: InputLine[];
}

export async function startBatchServer(initial: BatchServerOptions = {}): Promise<BatchServer> {
  let options: BatchServerOptions = { ...initial };
  const files = new Map<string, string>();
  const batches: StoredBatch[] = [];
  const requests: { method: string; path: string }[] = [];
  let fileCount = 0;
  let failedReads = 0;

  const storeFile = (content: string) => {
    const id = `file-${++fileCount}`;
    files.set(id, content);
    return id;
  };

  async function upload(req: IncomingMessage, res: ServerResponse) {
    const form = await new Request('http://fake/v1/files', {
      method: 'POST',
      headers: { 'content-type': req.headers['content-type'] ?? '' },
      body: new Uint8Array(await readBody(req)),
    }).formData();
    const file = form.get('file');
    if (form.get('purpose') !== 'batch' || !(file instanceof Blob))
      return send(res, 400, { error: { message: 'purpose must be batch, with a file.' } });
    const content = await file.text();
    const id = storeFile(content);
    send(res, 200, {
      id,
      object: 'file',
      bytes: Buffer.byteLength(content),
      created_at: now(),
      filename: (file as File).name,
      purpose: 'batch',
    });
  }

  async function create(req: IncomingMessage, res: ServerResponse) {
    const body = JSON.parse((await readBody(req)).toString()) as Record<string, unknown>;
    const content = files.get(String(body.input_file_id));
    if (content === undefined) return send(res, 404, { error: { message: 'No such file.' } });
    if (body.endpoint !== '/v1/chat/completions' || body.completion_window !== '24h')
      return send(res, 400, { error: { message: 'Unsupported endpoint or window.' } });
    const lines = content.split('\n').map((line) => JSON.parse(line) as InputLine);
    const id = `batch_${batches.length + 1}`;
    const batch: StoredBatch = {
      id,
      number: batches.length + 1,
      status: 'validating',
      inputFileId: String(body.input_file_id),
      customIds: lines.map((line) => line.custom_id),
      polls: 0,
      cancelRequested: false,
      lines,
      object: {
        id,
        object: 'batch',
        endpoint: body.endpoint,
        errors: null,
        input_file_id: body.input_file_id,
        completion_window: '24h',
        output_file_id: null,
        error_file_id: null,
        created_at: now(),
        request_counts: { total: lines.length, completed: 0, failed: 0 },
        metadata: null,
      },
    };
    batches.push(batch);
    send(res, 200, view(batch));
  }

  function read(batch: StoredBatch, res: ServerResponse) {
    if (failedReads < (options.failReads ?? 0)) {
      failedReads += 1;
      return send(res, 503, { error: { message: 'The service is temporarily unavailable.' } });
    }
    batch.polls += 1;
    if (batch.status === 'cancelling') batch.status = 'cancelled';
    else if (!options.hold && batch.polls >= (options.pollsToFinish ?? 1)) finish(batch);
    else if (batch.status === 'validating') batch.status = 'in_progress';
    send(res, 200, view(batch));
  }

  /** Answers every line, or fails or expires it as the test chose, into an output and an error file. */
  function finish(batch: StoredBatch) {
    if (batch.status === 'completed') return;
    const output: string[] = [];
    const errors: string[] = [];
    for (const line of batch.lines) {
      const fate = options.fate?.(line.custom_id, batch.number) ?? null;
      if (fate === null) output.push(JSON.stringify(answered(line)));
      else errors.push(JSON.stringify(fate === 'failed' ? serverError(line) : expired(line)));
    }
    Object.assign(batch.object, {
      output_file_id: output.length > 0 ? storeFile(output.join('\n')) : null,
      error_file_id: errors.length > 0 ? storeFile(errors.join('\n')) : null,
      completed_at: now(),
      request_counts: {
        total: batch.lines.length,
        completed: output.length,
        failed: errors.length,
      },
    });
    batch.status = 'completed';
  }

  function cancel(batch: StoredBatch, res: ServerResponse) {
    batch.cancelRequested = true;
    if (batch.status !== 'completed') batch.status = 'cancelling';
    send(res, 200, view(batch));
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    // Browser tests call it cross-origin, as they call the chat server.
    for (const [name, value] of Object.entries(corsHeaders)) res.setHeader(name, value);
    if (req.method === 'OPTIONS') {
      if (req.headers['access-control-request-private-network'])
        res.setHeader('Access-Control-Allow-Private-Network', 'true');
      res.writeHead(204).end();
      return;
    }
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    requests.push({ method, path });
    const [, batchId, action] = path.match(/^\/v1\/batches\/([^/]+)(?:\/(cancel))?$/) ?? [];
    const [, fileId] = path.match(/^\/v1\/files\/([^/]+)\/content$/) ?? [];
    const batch = batches.find((b) => b.id === batchId);
    if (method === 'POST' && path === '/v1/files') return upload(req, res);
    if (method === 'POST' && path === '/v1/batches') return create(req, res);
    if (batch && method === 'GET' && !action) return read(batch, res);
    if (batch && method === 'POST' && action === 'cancel') return cancel(batch, res);
    if (fileId && files.has(fileId) && method === 'GET') {
      res.writeHead(200, { 'Content-Type': 'application/jsonl' }).end(files.get(fileId));
      return;
    }
    send(res, 404, { error: { message: `No route for ${method} ${path}.` } });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => send(res, 500, { error: { message: String(error) } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    batches,
    requests,
    setOptions: (patch) => {
      options = { ...options, ...patch };
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const view = (batch: StoredBatch) => ({ ...batch.object, status: batch.status });

const now = () => Math.floor(Date.now() / 1000);

/** An output line: the chat completion the endpoint would have answered. */
function answered(line: InputLine) {
  const { model, messages, seed } = line.body;
  const content = defaultAnswer({ model, messages, index: 0, seed });
  const promptTokens = messages.reduce((sum, m) => sum + countWords(m.content), 0);
  const completionTokens = countWords(content);
  return {
    id: `batch_req_${line.custom_id}`,
    custom_id: line.custom_id,
    response: {
      status_code: 200,
      request_id: `req_${line.custom_id}`,
      body: {
        id: `chatcmpl-${line.custom_id}`,
        object: 'chat.completion',
        created: now(),
        model,
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        usage: {
          prompt_tokens: promptTokens,
          completion_tokens: completionTokens,
          total_tokens: promptTokens + completionTokens,
        },
      },
    },
    error: null,
  };
}

function serverError(line: InputLine) {
  return {
    id: `batch_req_${line.custom_id}`,
    custom_id: line.custom_id,
    response: {
      status_code: 500,
      request_id: `req_${line.custom_id}`,
      body: {
        error: {
          message: 'The server had an error processing your request.',
          type: 'server_error',
        },
      },
    },
    error: null,
  };
}

function expired(line: InputLine) {
  return {
    id: `batch_req_${line.custom_id}`,
    custom_id: line.custom_id,
    response: null,
    error: {
      code: 'batch_expired',
      message: 'This request could not be executed before the completion window expired.',
    },
  };
}

export function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
