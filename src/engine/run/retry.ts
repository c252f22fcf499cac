import { EngineError, toErrorData } from '../errors';

export interface RetryPolicy {
  maxRetries: number;
  /** Per attempt; a request that takes longer is aborted and retried. */
  timeoutMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxRetries: 4,
  timeoutMs: 120_000,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
};

export interface RetryHooks {
  /** Awaited before each attempt, outside its timeout (a rate limiter's wait is not the server's). */
  beforeAttempt?: (signal: AbortSignal) => Promise<void>;
  /** Told of each failure that will be retried, and how long the wait before it is. */
  onRetry?: (error: EngineError, delayMs: number) => void;
}

/**
 * Calls `attempt` until it succeeds, a non-retryable error occurs, retries run
 * out or `signal` aborts. Honours Retry-After; otherwise exponential backoff
 * with full jitter, so many rate-limited requests do not come back in step.
 */
export async function withRetries<T>(
  attempt: (signal: AbortSignal) => Promise<T>,
  policy: RetryPolicy,
  signal: AbortSignal,
  { beforeAttempt, onRetry }: RetryHooks = {},
): Promise<T> {
  for (let tries = 0; ; tries++) {
    try {
      await beforeAttempt?.(signal);
      return await withTimeout(attempt, policy.timeoutMs, signal);
    } catch (thrown) {
      if (signal.aborted) throw thrown;
      const error = EngineError.isInstance(thrown) ? thrown : new EngineError(toErrorData(thrown));
      if (!error.retryable || tries >= policy.maxRetries) throw error;
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** tries) * Math.random();
      const delayMs = error.retryAfter !== undefined ? error.retryAfter * 1000 : backoff;
      onRetry?.(error, delayMs);
      await sleep(delayMs, signal);
    }
  }
}

async function withTimeout<T>(
  attempt: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
  outer: AbortSignal,
): Promise<T> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = AbortSignal.any([outer, timeout]);
  try {
    return await attempt(signal);
  } catch (error) {
    if (timeout.aborted && !outer.aborted) {
      throw new EngineError({
        kind: 'timeout',
        message: `No answer within ${Math.round(timeoutMs / 1000)} s.`,
        retryable: true,
      });
    }
    throw error;
  }
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(done, ms);
    function done() {
      signal.removeEventListener('abort', abort);
      resolve();
    }
    function abort() {
      clearTimeout(timer);
      reject(signal.reason);
    }
    signal.addEventListener('abort', abort, { once: true });
  });
}
