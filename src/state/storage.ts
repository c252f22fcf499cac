import { create } from 'zustand';
import { persist } from 'zustand/middleware';

/**
 * What the browser says of Retort's storage: how much it uses, how much it
 * may use (the origin's quota), and whether the browser agreed to keep it
 * (persistent storage) or may clear it when the disk runs low. Asked of
 * navigator.storage on the page: workers are not offered persist().
 */
export interface StorageState {
  usage?: number;
  quota?: number;
  persisted?: boolean;
  /** Whether Retort asked this browser to keep its data; it asks by itself once, after an import. */
  asked: boolean;
}

export const useStorage = create<StorageState>()(
  persist((): StorageState => ({ asked: false }), {
    name: 'retort-storage',
    partialize: ({ asked }) => ({ asked }),
  }),
);

/** Absent where the page is not a secure context (plain http on another host). */
const manager = (): StorageManager | undefined => globalThis.navigator?.storage;

/** Reads usage, quota and persistence now, and keeps them for the page. */
export async function readStorage(): Promise<StorageState> {
  const storage = manager();
  if (!storage) return useStorage.getState();
  const [{ usage, quota }, persisted] = await Promise.all([
    storage.estimate(),
    storage.persisted(),
  ]);
  useStorage.setState({ usage, quota, persisted });
  return useStorage.getState();
}

/** A burst of changes (a run stores results every moment) is read once, this long after it begins. */
const REFRESH_MS = 500;
let refreshing: ReturnType<typeof setTimeout> | undefined;

/** Reads the figures again soon, once for any number of calls meanwhile. */
export function refreshStorage(): void {
  if (refreshing) return;
  refreshing = setTimeout(() => {
    refreshing = undefined;
    readStorage().catch((error) => console.warn('Could not read the storage figures.', error));
  }, REFRESH_MS);
}

/**
 * Asks the browser to keep Retort's data under storage pressure. Chromium
 * answers by itself (from how the site is used: bookmarked, installed...);
 * Firefox asks the person.
 */
export async function askToKeepData(): Promise<void> {
  const persisted = (await manager()?.persist()) ?? false;
  useStorage.setState({ persisted, asked: true });
}

/** After an import: asks once per browser, not at every import (Firefox would ask the person each time). */
export function askToKeepDataOnce(): void {
  const { asked, persisted } = useStorage.getState();
  if (!asked && !persisted)
    askToKeepData().catch((error) => console.warn('Could not ask to keep the data.', error));
}

/** Bytes Retort may still store; undefined while unknown, or where the browser does not say. */
export function freeBytes({ usage, quota }: StorageState): number | undefined {
  return usage === undefined || quota === undefined ? undefined : Math.max(0, quota - usage);
}

/**
 * About what importing a file stores, for each of its bytes, to warn before
 * an import that would not fit. Rows are stored as objects that repeat their
 * column names: a CSV of 200,000 rows of eight short cells took 1.8 times its
 * size in Chromium (long text takes less: Chromium compresses large records).
 * Parquet is compressed in the file: its factor is a guess, on the side of warning.
 */
const STORED_PER_FILE_BYTE = { text: 2, parquet: 5 };

export function importNeeds(file: File): number {
  const kind = /\.parquet$/i.test(file.name) ? 'parquet' : 'text';
  return file.size * STORED_PER_FILE_BYTE[kind];
}

/** Bytes a token takes as text, about. */
const BYTES_PER_TOKEN = 4;

/** What a result stores besides its answer: the raw prompt, token counts, model name, columns. */
const RESULT_OVERHEAD_BYTES = 2_048;

/**
 * At most what a run's results store: every answer as long as Max new tokens
 * allows, kept twice (as its output column and as the raw output).
 */
export function runNeeds(generations: number, maxTokens: number): number {
  return generations * (2 * maxTokens * BYTES_PER_TOKEN + RESULT_OVERHEAD_BYTES);
}
