import type { EngineErrorData } from '../errors';

/** Network failures in a row, with no answer between them, after which a run ends. */
const NETWORK_FAILURES_TO_END_RUN = 3;

/**
 * Which failures end a run and which fail only their own generation. A run
 * ends on an error the next request would meet the same way: a refused key, a
 * missing model or endpoint, a local model that failed, and a network error
 * while the endpoint has not answered yet or when it repeats. A single reset on
 * a live server fails only its generation.
 */
export class FailurePolicy {
  private answered = false;
  private networkFailuresInARow = 0;

  /** The endpoint answered a request. */
  succeeded(): void {
    this.answered = true;
    this.networkFailuresInARow = 0;
  }

  /** A generation failed with this error (retries spent): true when the run must end. */
  endsRun({ kind, status }: EngineErrorData): boolean {
    if (kind === 'network') {
      this.networkFailuresInARow += 1;
      return !this.answered || this.networkFailuresInARow >= NETWORK_FAILURES_TO_END_RUN;
    }
    return (
      kind === 'model' || (kind === 'http' && (status === 401 || status === 403 || status === 404))
    );
  }
}

/**
 * Whether a failure lasts: the same request would meet it again (a request
 * the server refuses as it is, a row the task cannot read), so only a change
 * of settings can mend it. Timeouts, 429s, 5xx and unreadable answers may pass.
 */
export function lasts({ kind, retryable }: EngineErrorData): boolean {
  return !retryable && (kind === 'http' || kind === 'input' || kind === 'template');
}
