import { storeResults } from '../db/runs';
import type { Result, RunActivity } from '../db/schema';

/**
 * Buffers results and writes them in batched transactions: a transaction per
 * result would make IndexedDB the bottleneck of a fast endpoint.
 */
export class ResultWriter {
  private buffer: Result[] = [];
  private writing: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly runId: string,
    private readonly flushSize: number,
    private readonly flushMs: number,
    private readonly activity: () => RunActivity,
  ) {}

  /** A row's generations are added together, so no flush ever stores part of a request. */
  add(results: Result[]): void {
    this.buffer.push(...results);
    if (this.buffer.length >= this.flushSize) this.flush();
    else this.touch();
  }

  /** The run's activity changed: it is written with the next flush, which comes within flushMs. */
  touch(): void {
    this.timer ??= setTimeout(() => this.flush(), this.flushMs);
  }

  private flush(final = false): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    this.buffer = [];
    const activity = final ? undefined : this.activity();
    this.writing = this.writing.then(() => storeResults(this.runId, batch, activity));
    return this.writing;
  }

  /** Writes what is left; the run is no longer active, so no activity is recorded. */
  close(): Promise<void> {
    return this.flush(true);
  }
}
