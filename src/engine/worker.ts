/// <reference lib="webworker" />
import '../zodWithoutEval';
import * as Comlink from 'comlink';
import { bindSpec } from '../tasks';
import { transferAbortSignals } from './abortSignal';
import type { TaskSpec } from './bound';
import { sweepOrphanPages } from './db/datasets';
import { deleteUndoably, undoDelete } from './db/deletions';
import {
  failureReasons,
  type JudgementChange,
  judge,
  type ResultKey,
  restoreJudgements,
} from './db/results';
import { deleteRun, type RunSpec, renameRun } from './db/runs';
import { type EngineErrorData, toErrorData } from './errors';
import type { HubAccess } from './hub/access';
import { hubAccount, hubDataset } from './hub/datasets';
import { importFromHub } from './hub/importHub';
import { type PushProgress, type PushRequest, pushRun } from './hub/push';
import { hubRecipe } from './hub/recipe';
import { backUp, restore } from './io/backupFile';
import { type ExportRequest, exportRun } from './io/exportRun';
import { importFile } from './io/import';
import { importFromUrl } from './io/url';
import type { Secrets } from './llm/createModel';
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
import { rowDetails } from './review/details';
import { runStatistics } from './review/statistics';
import {
  closeView,
  openView,
  type ViewSpec,
  type ViewState,
  viewKeys,
  viewLines,
} from './review/views';
import { loadRun } from './run/boundRun';
import { runController } from './run/controller';
import { combineRuns, datasetFromRun } from './run/derive';
import { estimateRun } from './run/estimate';
import { withExamples } from './run/examples';

/**
 * The engine's one API, exposed with Comlink, and the one place where the
 * engine meets the task catalog: every command that needs a run's task gets
 * it bound here. Heavy and long work (parsing, model calls, exports) happens
 * in this worker; the page only sends commands and reads state from IndexedDB.
 * Long commands take an AbortSignal last (see abortSignal.ts).
 */
const runs = runController(bindSpec);
const boundRun = (runId: string) => loadRun(runId, bindSpec);

const commands = {
  importFile,
  /** The Hugging Face Hub: each takes the Hub's address and token (hub/access.ts) first, and keeps neither. */
  hubDataset,
  hubAccount,
  importFromHub,
  pushToHub: async (
    access: HubAccess,
    runId: string,
    request: PushRequest,
    onProgress?: (progress: PushProgress) => unknown,
    signal?: AbortSignal,
  ) => pushRun(access, await boundRun(runId), request, onProgress, signal),
  hubRecipe,
  importFromUrl,
  listModels,
  checkRun: runs.checkRun,
  estimateRun: async (spec: RunSpec, signal?: AbortSignal) =>
    estimateRun(spec, bindSpec(await withExamples(spec, bindSpec)), signal),
  /** The few-shot examples a run of this spec would carry now, for the form's preview. */
  examplesFor: async (spec: TaskSpec & { datasetId: string }) =>
    (await withExamples(spec, bindSpec)).examples,
  startRun: runs.startRun,
  pauseRun: runs.pauseRun,
  resumeRun: runs.resumeRun,
  cancelRun: runs.cancelRun,
  resumeInterrupted: runs.resumeInterrupted,
  /**
   * Makes the run's failed generations again: those a retry may mend, or,
   * with `spec` (the person changed the task or model), every one with the new settings.
   */
  retryFailed: (runId: string, secrets: Secrets, spec?: RunSpec) =>
    runs.regenerate(runId, spec ? 'failed' : 'retryable', spec, secrets),
  /**
   * Makes the generations picked again, with the form's settings now: keys
   * (the selected lines), or every line of an open view (a filter or a search).
   */
  regenerate: (
    runId: string,
    picked: { keys: ResultKey[] } | { viewId: string },
    spec: RunSpec,
    secrets: Secrets,
  ) =>
    runs.regenerate(runId, 'keys' in picked ? picked.keys : viewKeys(picked.viewId), spec, secrets),
  judge: (
    runId: string,
    picked: { keys: ResultKey[] } | { viewId: string },
    change: JudgementChange,
  ) => judge(runId, 'keys' in picked ? picked.keys : viewKeys(picked.viewId), change),
  restoreJudgements,
  failureReasons,
  renameRun,
  async deleteRun(runId: string) {
    await runs.cancelRun(runId);
    await deleteRun(runId);
  },
  /** Deletes a dataset and its runs; undoDeleteDataset brings them back for a few seconds. */
  async deleteDataset(datasetId: string) {
    await runs.pauseRunsOf(datasetId);
    return deleteUndoably(datasetId);
  },
  undoDeleteDataset: undoDelete,
  /** Every dataset, run and judgement as one file (io/backupFile.ts). */
  backUp,
  restoreBackup: restore,
  exportRun: async (
    runId: string,
    request: ExportRequest,
    onProgress?: (rows: number) => unknown,
    signal?: AbortSignal,
  ) => exportRun(await boundRun(runId), request, onProgress, signal),
  datasetFromRun: async (runId: string, signal?: AbortSignal) =>
    datasetFromRun(await boundRun(runId), signal),
  combineRuns: async (runIds: string[], signal?: AbortSignal) =>
    combineRuns(await Promise.all(runIds.map(boundRun)), signal),
  openView: (spec: ViewSpec, onProgress?: (state: ViewState) => unknown, signal?: AbortSignal) =>
    openView(spec, bindSpec, onProgress, signal),
  viewLines,
  closeView,
  rowDetails: (spec: { datasetId: string; runIds: string[] }, rowIndex: number) =>
    rowDetails(spec, rowIndex, bindSpec),
  runStatistics: async (runId: string, signal?: AbortSignal) =>
    runStatistics(await boundRun(runId), signal),
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

transferAbortSignals();
Comlink.expose(api);

// Pages left by an import that a closed tab cut short are of no use to anyone.
sweepOrphanPages().catch((error) =>
  console.warn('Could not clear pages left by an interrupted import.', error),
);
