import { storeResults } from '../db/results';
import type { Result, RunActivity } from '../db/schema';
import { type EngineError, storageError } from '../errors';

/**
 * Buffers results and writes them in batched transactions: a transaction per
 * result would make IndexedDB the bottleneck of a fast endpoint. A write that
 * fails stops all later ones and is reported at once through `onFailure`, so
 * a run does not go on paying for answers it cannot keep; the results of the
 * failed batch stay pending and are asked again on resume.
 */
export class ResultWriter {
  private buffer: Result[] = [];
  private writing: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private failure: EngineError | undefined;

  constructor(
    private readonly runId: string,
    private readonly flushSize: number,
    private readonly flushMs: number,
    private readonly activity: () => RunActivity,
    private readonly onFailure: (error: EngineError) => void,
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
    this.writing = this.writing.then(async () => {
      if (this.failure) return;
      try {
        await storeResults(this.runId, batch, activity);
      } catch (error) {
        this.failure = storageError(
          error,
          'the results',
          'resume the run: the answers not stored are asked again',
        );
        this.onFailure(this.failure);
      }
    });
    return this.writing;
  }

  /** Writes what is left; the run is no longer active, so no activity is recorded. */
  async close(): Promise<void> {
    await this.flush(true);
    if (this.failure) throw this.failure;
  }
}
