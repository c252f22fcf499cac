/**
 * A sliding window: keeps up to `concurrency` jobs in flight and starts the
 * next one the moment any finishes. No batch barriers: one slow request never
 * holds back the others (distilabel sends a batch and waits for all of it).
 * Items are pulled from the iterator lazily, so a million pending rows never
 * sit in memory.
 */
export async function runWindow<T>(
  items: AsyncIterable<T>,
  concurrency: () => number,
  job: (item: T) => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  const iterator = items[Symbol.asyncIterator]();
  const inFlight = new Set<Promise<void>>();
  let exhausted = false;
  let failure: unknown = null;

  while (!signal.aborted && failure === null) {
    while (!exhausted && inFlight.size < Math.max(1, concurrency()) && !signal.aborted) {
      const next = await iterator.next();
      if (next.done) {
        exhausted = true;
        break;
      }
      const running: Promise<void> = job(next.value)
        .catch((error) => {
          failure ??= error;
        })
        .finally(() => inFlight.delete(running));
      inFlight.add(running);
    }
    if (inFlight.size === 0) break;
    await Promise.race(inFlight);
  }
  await Promise.allSettled(inFlight);
  await iterator.return?.();
  if (failure !== null) throw failure;
}
