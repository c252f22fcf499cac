import { sleep } from './retry';

/** A provider's published limits; either may be absent. */
export interface RateLimits {
  requestsPerMinute?: number;
  tokensPerMinute?: number;
}

/**
 * Token buckets for requests/min and tokens/min, refilled continuously. A
 * request takes one request and its estimated tokens before it is sent; the
 * estimate is corrected by the real usage afterwards.
 */
export class RateLimiter {
  private readonly requests?: Bucket;
  private readonly tokens?: Bucket;

  constructor(limits: RateLimits, now: () => number = Date.now) {
    if (limits.requestsPerMinute) this.requests = new Bucket(limits.requestsPerMinute, now);
    if (limits.tokensPerMinute) this.tokens = new Bucket(limits.tokensPerMinute, now);
  }

  /** Waits until a request of about `tokens` tokens fits in both limits, then takes it. */
  async acquire(tokens: number, signal: AbortSignal): Promise<void> {
    for (;;) {
      const forRequest = this.requests?.waitFor(1) ?? 0;
      const forTokens = this.tokens?.waitFor(Math.min(tokens, this.tokens.capacity)) ?? 0;
      const wait = Math.max(forRequest, forTokens);
      if (wait <= 0) break;
      // Re-check at least every quarter second: corrections by settle() may free budget sooner.
      await sleep(Math.min(wait, 250), signal);
    }
    this.requests?.take(1);
    this.tokens?.take(tokens);
  }

  /** Corrects the token bucket once the real usage is known. */
  settle(estimated: number, actual: number): void {
    this.tokens?.take(actual - estimated);
  }
}

class Bucket {
  private level: number;
  private last: number;
  private readonly perMs: number;

  constructor(
    readonly capacity: number,
    private readonly now: () => number,
  ) {
    this.level = capacity;
    this.last = now();
    this.perMs = capacity / 60_000;
  }

  private refill(): void {
    const t = this.now();
    this.level = Math.min(this.capacity, this.level + (t - this.last) * this.perMs);
    this.last = t;
  }

  /** Milliseconds until `amount` is available (0 when it is now). */
  waitFor(amount: number): number {
    this.refill();
    return this.level >= amount ? 0 : Math.ceil((amount - this.level) / this.perMs);
  }

  take(amount: number): void {
    this.refill();
    this.level -= amount; // may go below zero: a correction, repaid by later refills
  }
}

/**
 * Additive increase, multiplicative decrease: a 429 halves the window, and
 * every `limit` successes in a row widen it by one, back up to the chosen
 * concurrency. The 429s of one burst halve it once: a request sent before the
 * last narrowing reports congestion the window has already answered.
 */
export class AdaptiveConcurrency {
  private current: number;
  private streak = 0;
  private narrowings = 0;

  constructor(private readonly max: number) {
    this.current = max;
  }

  get limit(): number {
    return this.current;
  }

  /** Noted by a request when it is sent, and given back with its 429. */
  get epoch(): number {
    return this.narrowings;
  }

  throttled(sentInEpoch: number): void {
    if (sentInEpoch < this.narrowings) return;
    this.current = Math.max(1, Math.floor(this.current / 2));
    this.streak = 0;
    this.narrowings += 1;
  }

  succeeded(): void {
    if (this.current >= this.max) return;
    this.streak += 1;
    if (this.streak >= this.current) {
      this.current += 1;
      this.streak = 0;
    }
  }
}
