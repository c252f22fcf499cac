import { EngineError } from '../errors';

/**
 * How an OpenAI-compatible endpoint's failures read to a person: what went
 * wrong, in the server's own words where it gave any, and whether a retry can
 * help. No message ever includes the API key: the adapter cuts it out of the
 * server's words before they reach these functions.
 */

export function abortedError(): EngineError {
  return new EngineError({ kind: 'aborted', message: 'Stopped.', retryable: false });
}

/**
 * fetch rejects with a bare TypeError both when nothing listens and when the
 * browser blocks the answer for CORS, and a page cannot tell which: the message
 * names both. Retryable, as a reset or a restarting server is transient.
 */
export function networkError(url: string): EngineError {
  return new EngineError({
    kind: 'network',
    message: `Could not reach ${url}. Check that the server is running, and that a local server allows this page's origin (CORS): for Ollama set OLLAMA_ORIGINS, for llama.cpp server or vLLM pass an allowed-origins option.`,
    retryable: true,
  });
}

export function responseError(url: string, problem: string): EngineError {
  return new EngineError({ kind: 'response', message: `${url} ${problem}`, retryable: true });
}

/** `body` is the response's text, which the adapter has already cleared of the API key. */
export function httpError(response: Response, body: string, url: string): EngineError {
  const { status } = response;
  const detail = serverMessage(body);
  const said = detail ? ` The server said: ${detail}` : '';
  return new EngineError({
    kind: 'http',
    status,
    message: `${explainStatus(status, url)}${said}`,
    retryable: status === 408 || status === 409 || status === 429 || status >= 500,
    retryAfter: parseRetryAfter(response.headers.get('retry-after')),
  });
}

function explainStatus(status: number, url: string): string {
  if (status === 401 || status === 403)
    return `The API key was refused (HTTP ${status}) by ${url}.`;
  if (status === 404) {
    return `The model or URL was not found (HTTP 404): ${url}. Check the model name, and that the base URL ends in /v1.`;
  }
  if (status === 429) return `Rate limited (HTTP 429) by ${url}.`;
  return `${url} answered HTTP ${status}.`;
}

const maxMessageLength = 300;

/** The message of an OpenAI-style `{error:{message}}` body, else the body's text; shortened. */
export function serverMessage(body: string): string {
  let message = body.trim();
  try {
    const parsed: unknown = JSON.parse(body);
    const error = (parsed as { error?: unknown })?.error;
    const inner = typeof error === 'string' ? error : (error as { message?: unknown })?.message;
    if (typeof inner === 'string') message = inner.trim();
  } catch {
    // not JSON: the text is the message
  }
  return message.length > maxMessageLength ? `${message.slice(0, maxMessageLength)}…` : message;
}

/** Retry-After in seconds: either a number of seconds or an HTTP date. */
function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}
