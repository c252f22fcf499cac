/** Pages read in one query: fewer round trips to IndexedDB, few pages in memory. */
export const PAGES_PER_READ = 8;

/**
 * Records with a page number, in page order, read a batch at a time by
 * `read(from)` (the records from page `from` on, at most PAGES_PER_READ of
 * them), the next batch already being read while the caller works through
 * this one. Pages may be missing (a run's results skip rows it never reached).
 */
export async function* inBatches<T extends { page: number }>(
  read: (from: number) => Promise<T[]>,
): AsyncGenerator<T> {
  let next = read(0);
  for (;;) {
    const batch = await next;
    if (batch.length === 0) return;
    next = read(batch[batch.length - 1].page + 1);
    // A caller that stops early leaves the read ahead unawaited: its failure is not theirs.
    next.catch(() => {});
    yield* batch;
  }
}
