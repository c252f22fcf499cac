import type { RunActivity, RunCounters } from '../db/schema';

/**
 * What a run is doing right now, for its progress line: requests in flight
 * and waiting to be retried (and why), the window, and where this stretch of
 * running began, for rates and the time left. Written with each batch of results.
 */
export class ActivityMeter {
  private inFlight = 0;
  private waiting = 0;
  private lastRetry: RunActivity['lastRetry'];
  private readonly since = Date.now();
  private readonly finishedSince: number;
  private readonly outputTokensSince: number;

  /** `changed` is told when a wait begins, so the run's record says so before the next result. */
  constructor(
    counters: RunCounters,
    private readonly window: () => number,
    private readonly changed: () => void,
  ) {
    this.finishedSince = counters.done + counters.failed;
    this.outputTokensSince = counters.outputTokens;
  }

  requestSent(): void {
    this.inFlight += 1;
  }

  requestEnded(): void {
    this.inFlight -= 1;
  }

  /** A request waits `delayMs` before it is sent again, for the reason given. */
  retryWaits(message: string, delayMs: number): void {
    this.waiting += 1;
    this.lastRetry = { message, delayMs };
    this.changed();
  }

  retryGoes(): void {
    this.waiting -= 1;
  }

  snapshot(): RunActivity {
    return {
      inFlight: this.inFlight,
      waiting: this.waiting,
      lastRetry: this.waiting > 0 ? this.lastRetry : undefined,
      concurrency: this.window(),
      since: this.since,
      finishedSince: this.finishedSince,
      outputTokensSince: this.outputTokensSince,
    };
  }
}
