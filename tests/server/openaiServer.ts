import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';

/**
 * A loopback OpenAI-compatible server for unit tests, browser tests and
 * benchmarks: deterministic answers, scripted replies, latency and faults, no
 * dependencies. Browser pages call it cross-origin, so every answer carries
 * permissive CORS headers and preflights are answered.
 */

export interface ChatMessage {
  role: string;
  content: string;
}

/** What an answer is computed from: one generation of one request. */
export interface AnswerRequest {
  model: string;
  messages: ChatMessage[];
  /** The generation's index within its request (0 to n-1). */
  index: number;
  seed?: number;
  /** Set for POST /v1/completions; `messages` then holds it as one user message. */
  prompt?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** The parsed JSON body, the raw text when it is not JSON, undefined when empty. */
  body: unknown;
  headers: IncomingHttpHeaders;
}

export type Fault =
  /** An error status with an OpenAI-like `{error:{message,type,code}}` body (or plain text). */
  | {
      kind: 'status';
      status: number;
      /** Seconds, or a raw header value such as an HTTP date. */
      retryAfter?: number | string;
      message?: string;
      plainText?: boolean;
    }
  /** The socket is destroyed without an answer. */
  | { kind: 'reset' }
  /** No answer until the client gives up or the server closes. */
  | { kind: 'hang' }
  /** 200 with a body that is not JSON. */
  | { kind: 'malformed' }
  /** 200 whose Content-Length promises more than is sent before the socket closes. */
  | { kind: 'truncated' };

/**
 * A fault for some requests. Each rule counts the requests it has seen since
 * it was set: it applies to every `every`-th one (default: each), at most
 * `times` times (default: unlimited). The first rule that applies wins.
 * `{ kind: 'status', status: 429, times: 2 }` fails the first two requests.
 */
export type FaultRule = Fault & { every?: number; times?: number };

/** What the latency and fault functions see; `number` counts requests from 1. */
export interface RequestInfo {
  number: number;
  method: string;
  path: string;
  body: unknown;
}

export interface TestServerOptions {
  port?: number;
  /**
   * Serve HTTPS with HTTP/2 (and HTTP/1.1 for clients without it) under this
   * key and certificate, at https://localhost: a browser then sends every
   * request of a window at once, where over http:// it keeps 6 connections.
   */
  tls?: { key: string; cert: string };
  /** Listed by GET /v1/models. */
  models?: string[];
  /** Scripts the answers; defaults to `defaultAnswer`. */
  answer?: (request: AnswerRequest) => string;
  /** Return one choice whatever `n` asks, as some servers do. */
  ignoreN?: boolean;
  omitUsage?: boolean;
  /** Delay before a successful answer (faults answer at once). */
  latencyMs?: number | ((request: RequestInfo) => number);
  faults?: FaultRule[] | ((request: RequestInfo) => Fault | null);
  /** Answer 401 unless the request carries `Authorization: Bearer <requireKey>`. */
  requireKey?: string;
}

export interface TestServer {
  /** The base URL, ending in /v1. */
  url: string;
  port: number;
  /** Every request but CORS preflights, in arrival order. */
  requests: RecordedRequest[];
  /** Completion requests received and not yet answered, now and at most since the last setOptions. */
  inFlight(): { now: number; peak: number };
  setOptions(options: Partial<TestServerOptions>): void;
  /** Ends every connection, hanging ones included. */
  close(): Promise<void>;
}

/**
 * The default answer, a pure function of (model, messages, index, seed):
 * `[model] echo: <last user message>`, followed by ` (gen <index>, seed <seed>)`
 * naming whichever of a non-zero index and a seed is present, so the
 * generations of one request differ and tests can tell which is which.
 */
export function defaultAnswer({ model, messages, index, seed }: AnswerRequest): string {
  const lastUser = messages.findLast((m) => m.role === 'user')?.content ?? '';
  const tags = [index > 0 ? `gen ${index}` : '', seed !== undefined ? `seed ${seed}` : ''];
  const suffix = tags.filter(Boolean).join(', ');
  return `[${model}] echo: ${lastUser}${suffix ? ` (${suffix})` : ''}`;
}

/** Whitespace-separated words: a token count that tests can predict. */
export function countWords(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

export const corsHeaders = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Allow-Headers': 'authorization, content-type',
  // Retry-After is not a CORS-safelisted header: without this a page cannot read it.
  'Access-Control-Expose-Headers': 'retry-after',
  'Access-Control-Max-Age': '600',
  // The app is cross-origin isolated (COEP require-corp).
  'Cross-Origin-Resource-Policy': 'cross-origin',
};

export async function startTestServer(initial: TestServerOptions = {}): Promise<TestServer> {
  let options: TestServerOptions = { ...initial };
  let ruleState = new Map<FaultRule, { seen: number; hits: number }>();
  let requestCount = 0;
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();

  function pickFault(info: RequestInfo): Fault | null {
    const { faults } = options;
    if (typeof faults === 'function') return faults(info);
    for (const rule of faults ?? []) {
      const state = ruleState.get(rule) ?? { seen: 0, hits: 0 };
      ruleState.set(rule, state);
      state.seen++;
      if (state.seen % (rule.every ?? 1) === 0 && state.hits < (rule.times ?? Infinity)) {
        state.hits++;
        return rule;
      }
    }
    return null;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [name, value] of Object.entries(corsHeaders)) res.setHeader(name, value);
    if (req.method === 'OPTIONS') {
      // Chromium asks before a public page reaches a loopback address.
      if (req.headers['access-control-request-private-network']) {
        res.setHeader('Access-Control-Allow-Private-Network', 'true');
      }
      res.writeHead(204).end();
      return;
    }
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const body = parseBody(await readBody(req));
    requests.push({ method, path, body, headers: req.headers });
    const info: RequestInfo = { number: ++requestCount, method, path, body };

    if (
      options.requireKey !== undefined &&
      req.headers.authorization !== `Bearer ${options.requireKey}`
    ) {
      sendError(
        res,
        401,
        'Incorrect API key provided.',
        'invalid_request_error',
        'invalid_api_key',
      );
      return;
    }
    const fault = pickFault(info);
    if (fault) return applyFault(res, fault);

    const route = `${method} ${path}`;
    if (route === 'GET /v1/models') {
      const data = (options.models ?? ['test-model', 'test-model-b']).map((id) => ({
        id,
        object: 'model',
        created: 0,
        owned_by: 'retort-test',
      }));
      sendJson(res, 200, { object: 'list', data });
      return;
    }
    if (route !== 'POST /v1/chat/completions' && route !== 'POST /v1/completions') {
      sendError(res, 404, `Unknown request URL: ${route}.`, 'invalid_request_error', 'unknown_url');
      return;
    }
    const completion = complete(route === 'POST /v1/completions', body);
    if (typeof completion === 'string') {
      sendError(res, 400, completion, 'invalid_request_error', null);
      return;
    }
    const latency =
      typeof options.latencyMs === 'function' ? options.latencyMs(info) : (options.latencyMs ?? 0);
    if (latency <= 0) return sendJson(res, 200, completion);
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!res.destroyed) sendJson(res, 200, completion);
    }, latency);
    timers.add(timer);
    // A client that gives up during the delay needs no answer.
    res.on('close', () => {
      clearTimeout(timer);
      timers.delete(timer);
    });
  }

  /** The response body for a completion request, or the reason the request is invalid. */
  function complete(raw: boolean, body: unknown): Record<string, unknown> | string {
    if (typeof body !== 'object' || body === null) return 'The body must be a JSON object.';
    const b = body as Record<string, unknown>;
    if (typeof b.model !== 'string') return 'Missing "model".';
    const prompt = raw ? b.prompt : undefined;
    if (raw && typeof prompt !== 'string') return '"prompt" must be a string.';
    if (!raw && !Array.isArray(b.messages)) return '"messages" must be an array.';
    const messages = raw
      ? [{ role: 'user', content: prompt as string }]
      : (b.messages as ChatMessage[]);
    const seed = typeof b.seed === 'number' ? b.seed : undefined;
    const n = options.ignoreN ? 1 : typeof b.n === 'number' ? b.n : 1;
    const answer = options.answer ?? defaultAnswer;
    const texts = Array.from({ length: n }, (_, index) =>
      answer({
        model: b.model as string,
        messages,
        index,
        seed,
        prompt: prompt as string | undefined,
      }),
    );
    // max_tokens counts words here, as usage does: a longer answer is cut there, as a real server cuts it.
    const maxTokens = typeof b.max_tokens === 'number' ? b.max_tokens : Number.POSITIVE_INFINITY;
    const answers = texts.map((text) => {
      const words = text.split(/\s+/).filter(Boolean);
      return words.length > maxTokens
        ? { text: words.slice(0, maxTokens).join(' '), finish: 'length' }
        : { text, finish: 'stop' };
    });
    const choices = answers.map(({ text, finish }, index) =>
      raw
        ? { index, text, logprobs: null, finish_reason: finish }
        : { index, message: { role: 'assistant', content: text }, finish_reason: finish },
    );
    const promptTokens = messages.reduce((sum, m) => sum + countWords(String(m.content ?? '')), 0);
    const completionTokens = answers.reduce((sum, a) => sum + countWords(a.text), 0);
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    };
    return {
      id: `${raw ? 'cmpl' : 'chatcmpl'}-${requestCount}`,
      object: raw ? 'text_completion' : 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: b.model,
      choices,
      ...(options.omitUsage ? {} : { usage }),
    };
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    countInFlight(req, res);
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent)
        sendError(res, 500, `Test server bug: ${String(error)}`, 'server_error', null);
    });
  };
  const inFlight = { now: 0, peak: 0 };
  function countInFlight(req: IncomingMessage, res: ServerResponse) {
    if (req.method !== 'POST') return;
    inFlight.now += 1;
    inFlight.peak = Math.max(inFlight.peak, inFlight.now);
    res.once('close', () => {
      inFlight.now -= 1;
    });
  }

  const { server, closeConnections } = listener(initial.tls, onRequest);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(initial.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: initial.tls ? `https://localhost:${port}/v1` : `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    inFlight: () => ({ ...inFlight }),
    setOptions(partial) {
      options = { ...options, ...partial };
      if ('faults' in partial) ruleState = new Map();
      inFlight.peak = inFlight.now;
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      closeConnections();
      return closed;
    },
  };
}

type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** A plain HTTP server, or HTTPS with HTTP/2 (falling back to HTTP/1.1) when given a certificate. */
function listener(tls: TestServerOptions['tls'], onRequest: RequestHandler) {
  if (!tls) {
    const server = createServer(onRequest);
    return { server, closeConnections: () => server.closeAllConnections() };
  }
  // HTTP/2's compatibility API gives the handler request and response objects of the same shape.
  const server = createSecureServer(
    { ...tls, allowHTTP1: true },
    onRequest as unknown as (req: Http2ServerRequest, res: Http2ServerResponse) => void,
  );
  // Every TLS connection, HTTP/2 or HTTP/1.1, so close() never waits on an idle one.
  const sockets = new Set<TLSSocket>();
  server.on('secureConnection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return {
    server,
    closeConnections: () => {
      for (const socket of sockets) socket.destroy();
    },
  };
}

function applyFault(res: ServerResponse, fault: Fault): void {
  switch (fault.kind) {
    case 'status': {
      if (fault.retryAfter !== undefined) res.setHeader('Retry-After', String(fault.retryAfter));
      const message = fault.message ?? `Simulated error ${fault.status}.`;
      if (fault.plainText) {
        res.writeHead(fault.status, { 'Content-Type': 'text/plain' }).end(message);
      } else {
        const type =
          fault.status === 429
            ? 'rate_limit_exceeded'
            : fault.status >= 500
              ? 'server_error'
              : 'invalid_request_error';
        sendError(res, fault.status, message, type, String(fault.status));
      }
      return;
    }
    case 'reset':
      res.socket?.destroy();
      return;
    case 'hang':
      return; // close() ends the connection
    case 'malformed':
      res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end('{"choices": [{"index": 0, "mess');
      return;
    case 'truncated': {
      const full = JSON.stringify({
        choices: [{ index: 0, message: { role: 'assistant', content: 'cut short' } }],
      });
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'Content-Length': String(full.length),
      });
      res.write(full.slice(0, 20), () => res.socket?.destroy());
      return;
    }
  }
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(value));
}

function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  type: string,
  code: string | null,
): void {
  sendJson(res, status, { error: { message, type, param: null, code } });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
