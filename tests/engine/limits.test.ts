import { describe, expect, it } from 'vitest';
import { AdaptiveConcurrency, RateLimiter } from '../../src/engine/run/limits';
import { runWindow } from '../../src/engine/run/window';

describe('the rate limiter', () => {
  it('lets a minute of requests through at once, then one per refill interval', async () => {
    let now = 0;
    const limiter = new RateLimiter({ requestsPerMinute: 3 }, () => now);
    const signal = new AbortController().signal;
    for (let i = 0; i < 3; i++) await limiter.acquire(1, signal);
    let fourth = false;
    const pending = limiter.acquire(1, signal).then(() => {
      fourth = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(fourth).toBe(false);
    now = 20_000; // a third of a minute: one request's worth refilled
    await pending;
    expect(fourth).toBe(true);
  });

  it('holds back requests whose tokens exceed the tokens/min budget', async () => {
    let now = 0;
    const limiter = new RateLimiter({ tokensPerMinute: 1_000 }, () => now);
    const signal = new AbortController().signal;
    await limiter.acquire(900, signal);
    let second = false;
    const pending = limiter.acquire(500, signal).then(() => {
      second = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(second).toBe(false);
    now = 60_000;
    await pending;
    expect(second).toBe(true);
  });
});

describe('adaptive concurrency', () => {
  it('halves on 429 and grows back by one per window of successes', () => {
    const window = new AdaptiveConcurrency(8);
    window.throttled(window.epoch);
    expect(window.limit).toBe(4);
    window.throttled(window.epoch);
    expect(window.limit).toBe(2);
    for (let i = 0; i < 2; i++) window.succeeded();
    expect(window.limit).toBe(3);
    for (let i = 0; i < 100; i++) window.succeeded();
    expect(window.limit).toBe(8);
  });

  it('halves once for a burst of 429s from requests sent before it narrowed', () => {
    const window = new AdaptiveConcurrency(64);
    const burst = Array.from({ length: 64 }, () => window.epoch);
    for (const sentIn of burst) window.throttled(sentIn);
    expect(window.limit).toBe(32);
    // A request sent after the narrowing that is refused again narrows it again.
    window.throttled(window.epoch);
    expect(window.limit).toBe(16);
  });
});

describe('the sliding window', () => {
  it('keeps exactly C jobs in flight and starts the next as soon as one ends', async () => {
    async function* items() {
      for (let i = 0; i < 20; i++) yield i;
    }
    let inFlight = 0;
    let peak = 0;
    const started: number[] = [];
    await runWindow(
      items(),
      () => 4,
      async (i) => {
        started.push(i);
        inFlight++;
        peak = Math.max(peak, inFlight);
        // Item 0 is slow: the others must not wait for it.
        await new Promise((r) => setTimeout(r, i === 0 ? 60 : 2));
        inFlight--;
      },
      new AbortController().signal,
    );
    expect(peak).toBe(4);
    expect(started).toHaveLength(20);
  });
});
