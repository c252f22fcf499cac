/**
 * Errors cross the worker boundary as plain data: Comlink forwards only an
 * Error's message, name and stack, so anything the UI needs to explain a
 * failure (what kind, whether a retry can help, the HTTP status) travels here.
 */
export type ErrorKind =
  | 'input' // the person's file or settings are wrong
  | 'template' // a prompt template does not render
  | 'network' // the endpoint could not be reached
  | 'http' // the endpoint answered with an error status
  | 'response' // the endpoint answered, but not with something we can read
  | 'timeout'
  | 'aborted'
  | 'model' // a local model failed to load or run
  | 'storage' // the browser's storage refused a write (full disk, quota)
  | 'internal';

export interface EngineErrorData {
  kind: ErrorKind;
  message: string;
  retryable: boolean;
  status?: number;
  /** Seconds the server asked us to wait (Retry-After). */
  retryAfter?: number;
}

const marker = Symbol.for('retort.EngineError');

export class EngineError extends Error {
  readonly [marker] = true;
  readonly kind: ErrorKind;
  readonly retryable: boolean;
  readonly status?: number;
  readonly retryAfter?: number;

  constructor(data: EngineErrorData) {
    super(data.message);
    this.name = 'EngineError';
    this.kind = data.kind;
    this.retryable = data.retryable;
    this.status = data.status;
    this.retryAfter = data.retryAfter;
  }

  /** Recognises engine errors across module copies, where instanceof fails. */
  static isInstance(value: unknown): value is EngineError {
    return typeof value === 'object' && value !== null && marker in value;
  }

  toData(): EngineErrorData {
    const { kind, message, retryable, status, retryAfter } = this;
    return { kind, message, retryable, status, retryAfter };
  }
}

export function inputError(message: string): EngineError {
  return new EngineError({ kind: 'input', message, retryable: false });
}

/**
 * A write the browser's storage refused (a full disk, the origin's quota) as a
 * storage error: the browser's own reason, then what to do. `what` names what
 * was not stored; `then` is the step that gets it stored after space is freed.
 */
export function storageError(error: unknown, what: string, then: string): EngineError {
  // Dexie repeats an inner error's text on a line of its own: the first line says it.
  const reason =
    error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : String(error);
  // Only a full disk is mended by freeing space; anything else (a database closed or
  // deleted by another tab) by reloading the page.
  const full = /QuotaExceeded/i.test(`${reason} ${(error as { inner?: unknown })?.inner}`);
  const remedy = full
    ? 'Free some disk space or delete datasets you no longer need'
    : 'Reload the page';
  return new EngineError({
    kind: 'storage',
    message: `This browser could not store ${what} (${reason}). ${remedy}, then ${then}.`,
    retryable: false,
  });
}

/** fetch's own words when a request never got an answer (offline, refused, blocked). */
export function isFetchFailure(message: string): boolean {
  return /failed to fetch|networkerror|load failed/i.test(message);
}

/** Any thrown value as plain error data, keeping what an EngineError knows. */
export function toErrorData(error: unknown): EngineErrorData {
  if (EngineError.isInstance(error)) return error.toData();
  if (error instanceof DOMException && error.name === 'AbortError') {
    return { kind: 'aborted', message: 'Stopped.', retryable: false };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'internal', message, retryable: false };
}
