import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../src/engine/errors';
import { finishReasonOf } from '../src/engine/llm/finishReason';
import { createOpenAIModel, listModels } from '../src/engine/llm/openai';
import type { GenerateRequest } from '../src/engine/llm/types';
import { startTestServer, type TestServer, type TestServerOptions } from './server/openaiServer';

let server: TestServer;
const defaults: TestServerOptions = {
  answer: undefined,
  ignoreN: false,
  omitUsage: false,
  latencyMs: 0,
  faults: [],
  requireKey: undefined,
};

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
afterEach(() => {
  server.setOptions(defaults);
  server.requests.length = 0;
});

const hello: GenerateRequest = {
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Say hello' },
  ],
  n: 1,
  sampling: {},
};

const model = (apiKey?: string) =>
  createOpenAIModel({ baseURL: `${server.url}/`, model: 'test-model', apiKey });

const generate = (request: GenerateRequest = hello, signal = new AbortController().signal) =>
  model().generate(request, signal);

/** The EngineError a failing call throws. */
async function failure(promise: Promise<unknown>): Promise<EngineError> {
  const error = await promise.then(
    () => expect.unreachable('the call should fail'),
    (e: unknown) => e,
  );
  expect(EngineError.isInstance(error)).toBe(true);
  return error as EngineError;
}

describe('OpenAI-compatible adapter', () => {
  it('sends the messages and the sampling settings, leaving unset ones out', async () => {
    const result = await model('sk-secret').generate(
      {
        ...hello,
        sampling: { temperature: 0.7, topP: 0.9, maxTokens: 64, seed: 3, stop: ['END'] },
      },
      new AbortController().signal,
    );
    expect(result.choices.map((c) => c.text)).toEqual(['[test-model] echo: Say hello (seed 3)']);
    const [request] = server.requests;
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.headers.authorization).toBe('Bearer sk-secret');
    expect(request.body).toEqual({
      model: 'test-model',
      messages: hello.messages,
      n: 1,
      temperature: 0.7,
      top_p: 0.9,
      max_tokens: 64,
      seed: 3,
      stop: ['END'],
    });
  });

  it('returns the n choices of one request', async () => {
    const result = await generate({ ...hello, n: 3 });
    expect(result.choices.map((c) => c.text)).toEqual([
      '[test-model] echo: Say hello',
      '[test-model] echo: Say hello (gen 1)',
      '[test-model] echo: Say hello (gen 2)',
    ]);
    expect(server.requests).toHaveLength(1);
  });

  it('asks again for the generations a server that ignores n did not give, each with its own seed', async () => {
    server.setOptions({ ignoreN: true });
    const result = await generate({ ...hello, n: 3, sampling: { seed: 10 } });
    expect(result.choices.map((c) => c.text)).toEqual([
      '[test-model] echo: Say hello (seed 10)',
      '[test-model] echo: Say hello (seed 11)',
      '[test-model] echo: Say hello (seed 12)',
    ]);
    expect(server.requests.map((r) => (r.body as { n: number }).n)).toEqual([3, 1, 1]);
    // Three requests: each prompt was billed.
    expect(result.choices.map((c) => c.usage).map((u) => u.promptShared)).toEqual([
      false,
      false,
      false,
    ]);
  });

  it('reads the reported usage, splitting the completion total across choices', async () => {
    server.setOptions({ answer: ({ index }) => (index === 0 ? 'one two three' : 'a') });
    const result = await generate({ ...hello, n: 2 });
    // Prompt: "Be brief." + "Say hello" = 4 words; completion total 3 + 1 = 4.
    // One request: the prompt is billed once, with the first choice.
    expect(result.choices.map((c) => c.usage)).toEqual([
      { inputTokens: 4, outputTokens: 3, reported: true, promptShared: false },
      { inputTokens: 4, outputTokens: 1, reported: true, promptShared: true },
    ]);
  });

  it('estimates usage when the server reports none', async () => {
    server.setOptions({ omitUsage: true, answer: () => 'x'.repeat(40) });
    const result = await generate();
    expect(result.choices.map((c) => c.usage)).toEqual([
      { inputTokens: 3 + 3, outputTokens: 10, reported: false, promptShared: false },
    ]);
  });

  it("says why each choice stopped: an answer cut at max tokens as length, with the server's word", async () => {
    server.setOptions({ answer: ({ index }) => (index === 0 ? 'one two three four' : 'short') });
    const result = await generate({ ...hello, n: 2, sampling: { maxTokens: 2 } });
    expect(result.choices.map((c) => [c.text, c.finishReason])).toEqual([
      ['one two', { unified: 'length', raw: 'length' }],
      ['short', { unified: 'stop', raw: 'stop' }],
    ]);
  });

  it.each([
    ['content_filter', 'content_filter'],
    ['max_tokens', 'length'],
    ['end_turn', 'stop'],
    ['tool_calls', 'other'],
  ] as const)('reads the finish reason %s as %s', (raw, unified) => {
    expect(finishReasonOf(raw)).toEqual({ unified, raw });
  });

  it('reads a missing finish reason as other, with no raw value', () => {
    expect(finishReasonOf(null)).toEqual({ unified: 'other' });
    expect(finishReasonOf(undefined)).toEqual({ unified: 'other' });
  });

  it('gives null for an empty answer', async () => {
    server.setOptions({ answer: () => '' });
    expect((await generate()).choices.map((c) => c.text)).toEqual([null]);
  });

  it('asks for structured output with the JSON schema, strict when OpenAI allows it', async () => {
    const schema = {
      type: 'object',
      properties: { rating: { type: 'integer' } },
      required: ['rating'],
    };
    await generate({ ...hello, jsonSchema: schema });
    expect((server.requests[0].body as Record<string, unknown>).response_format).toEqual({
      type: 'json_schema',
      json_schema: {
        name: 'output',
        schema: { ...schema, additionalProperties: false },
        strict: true,
      },
    });
  });

  it('sends a schema with optional properties as guidance, not strict', async () => {
    const schema = {
      type: 'object',
      properties: { rating: { type: 'integer' }, note: { type: 'string' } },
      required: ['rating'],
    };
    await generate({ ...hello, jsonSchema: schema });
    expect((server.requests[0].body as Record<string, unknown>).response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'output', schema, strict: false },
    });
  });

  it('stops a request in flight when aborted', async () => {
    server.setOptions({ faults: [{ kind: 'hang' }] });
    const controller = new AbortController();
    const pending = generate(hello, controller.signal);
    setTimeout(() => controller.abort(), 20);
    const error = await failure(pending);
    expect(error.kind).toBe('aborted');
    expect(error.retryable).toBe(false);
  });

  it('reports a 429 as retryable, with the Retry-After seconds and the server message', async () => {
    server.setOptions({
      faults: [{ kind: 'status', status: 429, retryAfter: 7, message: 'Slow down please.' }],
    });
    const error = await failure(generate());
    expect(error).toMatchObject({ kind: 'http', status: 429, retryable: true, retryAfter: 7 });
    expect(error.message).toContain('Slow down please.');
  });

  it('reads a Retry-After given as an HTTP date', async () => {
    const date = new Date(Date.now() + 30_000).toUTCString();
    server.setOptions({ faults: [{ kind: 'status', status: 429, retryAfter: date }] });
    const error = await failure(generate());
    expect(error.retryAfter).toBeGreaterThanOrEqual(28);
    expect(error.retryAfter).toBeLessThanOrEqual(30);
  });

  it.each([500, 503])('reports a %i as retryable without Retry-After', async (status) => {
    server.setOptions({ faults: [{ kind: 'status', status, message: 'Overloaded.' }] });
    const error = await failure(generate());
    expect(error).toMatchObject({ kind: 'http', status, retryable: true, retryAfter: undefined });
    expect(error.message).toContain('Overloaded.');
  });

  it('shortens a long plain-text error body', async () => {
    server.setOptions({
      faults: [{ kind: 'status', status: 502, message: 'x'.repeat(5000), plainText: true }],
    });
    const error = await failure(generate());
    expect(error.message.length).toBeLessThan(500);
  });

  it('reports a reset connection as a network error naming the URL and CORS', async () => {
    server.setOptions({ faults: [{ kind: 'reset' }] });
    const error = await failure(generate());
    expect(error.kind).toBe('network');
    expect(error.message).toContain(`${server.url}/chat/completions`);
    expect(error.message).toMatch(/CORS/);
    expect(error.message).toMatch(/OLLAMA_ORIGINS/);
  });

  it.each(['malformed', 'truncated'] as const)(
    'reports a %s body as a retryable response error',
    async (kind) => {
      server.setOptions({ faults: [{ kind }] });
      const error = await failure(generate());
      expect(error).toMatchObject({ kind: 'response', retryable: true });
    },
  );

  it('reports a 200 without choices as a response error with the server message', async () => {
    server.setOptions({ faults: [{ kind: 'status', status: 200, message: 'Model is loading.' }] });
    const error = await failure(generate());
    expect(error).toMatchObject({ kind: 'response', retryable: true });
    expect(error.message).toContain('Model is loading.');
  });

  it('says the key was refused, without ever showing it', async () => {
    // Some servers echo the key they refused.
    server.setOptions({
      faults: [{ kind: 'status', status: 401, message: 'Bad key sk-wrong-123.' }],
    });
    const error = await failure(
      model('sk-wrong-123').generate(hello, new AbortController().signal),
    );
    expect(error).toMatchObject({ kind: 'http', status: 401, retryable: false });
    expect(error.message).toMatch(/API key was refused/);
    expect(error.message).not.toContain('sk-wrong-123');
  });

  it('never shows a key the server echoes in a 200 error body', async () => {
    server.setOptions({
      faults: [{ kind: 'status', status: 200, message: 'Key sk-echo-123 has no quota.' }],
    });
    const echoing = model('sk-echo-123');
    const signal = new AbortController().signal;
    const calls = [
      () => echoing.generate(hello, signal),
      () => echoing.complete!({ prompt: 'Hi', n: 1, sampling: {} }, signal),
    ];
    for (const call of calls) {
      const error = await failure(call());
      expect(error).toMatchObject({ kind: 'response' });
      expect(error.message).toContain('Key *** has no quota.');
    }
  });

  it('keeps no piece of an echoed key where a long server message is cut short', async () => {
    const message = `${'x'.repeat(295)} sk-echo-123456789`;
    server.setOptions({ faults: [{ kind: 'status', status: 401, message }] });
    const error = await failure(
      model('sk-echo-123456789').generate(hello, new AbortController().signal),
    );
    expect(error.message).not.toContain('sk-echo');
  });

  it('answers with the key the server requires', async () => {
    server.setOptions({ requireKey: 'sk-right' });
    const error = await failure(model('sk-wrong').generate(hello, new AbortController().signal));
    expect(error.status).toBe(401);
    const result = await model('sk-right').generate(hello, new AbortController().signal);
    expect(result.choices.map((c) => c.text)).toHaveLength(1);
  });

  it('says to check the base URL on a 404', async () => {
    const wrong = createOpenAIModel({
      baseURL: server.url.replace('/v1', ''),
      model: 'test-model',
    });
    const error = await failure(wrong.generate(hello, new AbortController().signal));
    expect(error).toMatchObject({ kind: 'http', status: 404, retryable: false });
    expect(error.message).toMatch(/ends in \/v1/);
  });

  it('lists the models', async () => {
    expect(await listModels({ baseURL: server.url })).toEqual(['test-model', 'test-model-b']);
    expect(server.requests[0]).toMatchObject({ method: 'GET', path: '/v1/models' });
  });

  it('maps listing errors the same way', async () => {
    server.setOptions({ requireKey: 'sk-right' });
    const error = await failure(listModels({ baseURL: server.url, apiKey: 'sk-nope' }));
    expect(error).toMatchObject({ kind: 'http', status: 401 });
  });

  it('reports an unreachable endpoint as a network error', async () => {
    const closed = await startTestServer();
    await closed.close();
    const error = await failure(listModels({ baseURL: closed.url }));
    expect(error.kind).toBe('network');
  });
});

describe('test server', () => {
  it('answers CORS preflights for cross-origin pages', async () => {
    const response = await fetch(`${server.url}/chat/completions`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://localhost:5173',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization, content-type',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-headers')).toBe(
      'authorization, content-type',
    );
    expect(response.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(server.requests).toHaveLength(0);
  });

  it('applies a fault rule to every n-th request, a limited number of times', async () => {
    server.setOptions({ faults: [{ kind: 'status', status: 500, every: 2, times: 1 }] });
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      const response = await fetch(`${server.url}/models`);
      statuses.push(response.status);
    }
    expect(statuses).toEqual([200, 500, 200, 200, 200]);
  });

  it('answers raw completions', async () => {
    const response = await fetch(`${server.url}/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'test-model-b', prompt: 'Once upon', n: 2 }),
    });
    const body = await response.json();
    expect(body.choices.map((c: { text: string }) => c.text)).toEqual([
      '[test-model-b] echo: Once upon',
      '[test-model-b] echo: Once upon (gen 1)',
    ]);
  });

  it('waits the latency before answering, and close() ends hanging requests', async () => {
    const local = await startTestServer({ latencyMs: 50 });
    const started = Date.now();
    await fetch(`${local.url}/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'test-model', messages: [] }),
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    local.setOptions({ faults: [{ kind: 'hang' }] });
    const hanging = fetch(`${local.url}/models`).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await local.close();
    expect(await hanging).toBeInstanceOf(TypeError);
  });
});
