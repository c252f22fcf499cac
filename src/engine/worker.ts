/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import { deleteDataset, sweepOrphanPages } from './db/datasets';
import { clearFailedResults, deleteRun } from './db/runs';
import { db } from './db/schema';
import { type EngineErrorData, toErrorData } from './errors';
import { exportRun } from './io/exportRun';
import { importFile } from './io/import';
import {
  addModelFile,
  deleteCachedModel,
  ggufStatus,
  loadLocalModel,
  unloadLocalModel,
  watchModel,
  webllmCatalog,
} from './llm/localModels';
import { listModels } from './llm/openai';
import type { LocalProviderConfig } from './llm/types';
import { detectWebGPU } from './llm/webgpu';
import {
  cancelRun,
  cancelRunsOf,
  checkRun,
  pauseRun,
  resumeInterrupted,
  resumeRun,
  startRun,
} from './run/controller';
import { combineRuns, datasetFromRun } from './run/derive';
import { estimateRun } from './run/estimate';

/**
 * The engine's one API, exposed with Comlink. Heavy and long work (parsing,
 * model calls, exports) happens here; the page only sends commands and reads
 * state from IndexedDB.
 */
const commands = {
  importFile,
  listModels,
  checkRun,
  estimateRun,
  startRun,
  pauseRun,
  resumeRun,
  cancelRun,
  resumeInterrupted,
  async retryFailed(runId: string, secrets: Parameters<typeof resumeRun>[1]) {
    await clearFailedResults(runId);
    await resumeRun(runId, secrets);
  },
  async deleteDataset(datasetId: string) {
    await cancelRunsOf(datasetId);
    const runs = await db.runs.where('datasetId').equals(datasetId).primaryKeys();
    for (const runId of runs) await deleteRun(runId);
    await deleteDataset(datasetId);
  },
  exportRun,
  datasetFromRun,
  combineRuns,
  detectWebGPU,
  webllmCatalog,
  ggufStatus,
  watchModel,
  addModelFile,
  /** Progress and outcome reach the page through watchModel; the model stays here. */
  async loadModel(config: LocalProviderConfig) {
    await loadLocalModel(config);
  },
  unloadModel: unloadLocalModel,
  deleteCachedModel,
};

type Commands = typeof commands;

/** Comlink passes only an Error's message: failures cross as data instead. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: EngineErrorData };

export type EngineAPI = {
  [K in keyof Commands]: (
    ...args: Parameters<Commands[K]>
  ) => Promise<Outcome<Awaited<ReturnType<Commands[K]>>>>;
};

const api = Object.fromEntries(
  Object.entries(commands).map(([name, command]) => [
    name,
    async (...args: unknown[]) => {
      try {
        return { ok: true, value: await (command as (...a: unknown[]) => unknown)(...args) };
      } catch (error) {
        return { ok: false, error: toErrorData(error) };
      }
    },
  ]),
) as EngineAPI;

Comlink.expose(api);

// Pages left by an import that a closed tab cut short are of no use to anyone.
sweepOrphanPages().catch((error) =>
  console.warn('Could not clear pages left by an interrupted import.', error),
);
