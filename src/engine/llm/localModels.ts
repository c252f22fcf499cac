/**
 * The one model the engine worker holds in this browser: web-llm on WebGPU or
 * llama.cpp (wllama) in WebAssembly. Weights are large, so there is never a
 * second copy: a model is loaded by the "Load model" button or by the run that
 * needs it, reused by every run with the same settings, and unloaded when
 * another one is loaded. Progress reaches the page through the one watcher the
 * page registers, whoever started the load.
 */
import type { MLCEngine } from '@mlc-ai/web-llm';
import { byteSize } from '../bytes';
import { type EngineErrorData, inputError, toErrorData } from '../errors';
import {
  type GenerateResult,
  ggufName,
  type LanguageModel,
  type LocalProviderConfig,
  localModelKey,
  type ModelSource,
} from './types';
import { detectWebGPU, type WebGPUSupport } from './webgpu';
import { defaultWebLLMModel, type WebLLMModelOption, webllmModelOptions } from './webllmModels';

export interface LocalModelState {
  status: 'none' | 'loading' | 'ready' | 'failed';
  /** localModelKey of the model this state is about. */
  key?: string;
  name?: string;
  /** 0 to 1 while loading; undefined while the size is unknown. */
  progress?: number;
  /** What is happening, or how the model runs once loaded. */
  text?: string;
  error?: EngineErrorData;
}

type LocalModel = LanguageModel & { unload(): Promise<void>; description: string };
type Progress = (progress: number | undefined, text: string) => void;

interface Slot {
  key: string;
  config: LocalProviderConfig;
  abort: AbortController;
  model: Promise<LocalModel>;
}

let slot: Slot | undefined;
let state: LocalModelState = { status: 'none' };
let watcher: ((state: LocalModelState) => unknown) | undefined;
let lastProgress = 0;
/** Files the person picked, by name: a Blob cannot be kept with a run, nor across a reload. */
const pickedFiles = new Map<string, Blob>();

/** The page's one channel for load progress; it gets the current state at once. */
export function watchModel(callback: (state: LocalModelState) => unknown): void {
  watcher = callback;
  void callback(state);
}

function report(next: LocalModelState): void {
  state = next;
  void watcher?.(state);
}

/**
 * The loaded model for these settings, loading it (and unloading any other)
 * when needed. `signal` only stops the caller waiting: a paused run leaves the
 * download going, so the model is ready when the run resumes.
 */
export function loadLocalModel(
  config: LocalProviderConfig,
  signal?: AbortSignal,
): Promise<LanguageModel> {
  const key = localModelKey(config);
  if (slot?.key !== key) slot = startLoad(config, key, slot);
  return untilAborted(slot.model, signal);
}

function startLoad(config: LocalProviderConfig, key: string, previous?: Slot): Slot {
  const name = config.model;
  const abort = new AbortController();
  // The abort controller tells this load apart from a later one of the same model.
  const current = () => slot?.abort === abort;
  const progress: Progress = (value, text) => {
    // Downloads report every chunk; the page needs a few updates a second.
    const now = performance.now();
    if (now - lastProgress < 100 && value !== 1) return;
    lastProgress = now;
    if (current()) report({ status: 'loading', key, name, progress: value, text });
  };
  const model = (async () => {
    await release(previous);
    abort.signal.throwIfAborted();
    report({ status: 'loading', key, name, text: `Preparing ${name}…` });
    const loaded =
      config.provider === 'webllm'
        ? await openWebLLM(config.model, abort.signal, progress)
        : await openWllama(config, abort.signal, progress);
    return watchFailures(loaded, key, current);
  })();
  model.then(
    (model) => current() && report({ status: 'ready', key, name, text: model.description }),
    (error) => {
      if (!current()) return;
      slot = undefined;
      report({ status: 'failed', key, name, error: toErrorData(error) });
    },
  );
  return { key, config, abort, model };
}

/** Stops a load in progress and frees the model. */
export async function unloadLocalModel(): Promise<void> {
  const entry = slot;
  slot = undefined;
  await release(entry);
  report({ status: 'none' });
}

async function release(entry: Slot | undefined): Promise<void> {
  if (!entry) return;
  entry.abort.abort();
  const model = await entry.model.catch(() => undefined);
  await model?.unload().catch(() => {});
}

/**
 * A model error (a lost GPU, llama.cpp aborting) can leave the model unusable:
 * it is dropped, so the next run or resume loads it afresh. Chat and raw
 * completion both run the model, so both are watched.
 */
function watchFailures(model: LocalModel, key: string, current: () => boolean): LocalModel {
  const watched =
    <R>(call: (request: R, signal: AbortSignal) => Promise<GenerateResult>) =>
    (request: R, signal: AbortSignal) =>
      call(request, signal).catch(async (error) => {
        const data = toErrorData(error);
        if (!signal.aborted && data.kind === 'model' && current()) {
          slot = undefined;
          report({ status: 'failed', key, name: model.modelName, error: data });
          await model.unload().catch(() => {});
        }
        throw error;
      });
  return {
    ...model,
    generate: watched(model.generate.bind(model)),
    complete: model.complete && watched(model.complete.bind(model)),
  };
}

function untilAborted<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  return new Promise((resolve, reject) => {
    const stop = () => reject(signal.reason);
    if (signal.aborted) return stop();
    signal.addEventListener('abort', stop, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', stop));
  });
}

// web-llm: one MLCEngine for the worker's life; reload() swaps the model in it.
let mlcEngine: MLCEngine | undefined;

function webllm() {
  return import('@mlc-ai/web-llm');
}

async function openWebLLM(
  modelId: string,
  signal: AbortSignal,
  progress: Progress,
): Promise<LocalModel> {
  const [{ MLCEngine }, { createWebLLMModel }] = await Promise.all([webllm(), import('./webllm')]);
  mlcEngine ??= new MLCEngine({ logLevel: 'WARN' });
  const engine = mlcEngine;
  engine.setInitProgressCallback((report) => progress(report.progress, report.text));
  const model = createWebLLMModel(engine, modelId);
  // unload() is web-llm's way to abort a reload in progress.
  const stop = () => void engine.unload();
  signal.addEventListener('abort', stop);
  try {
    await model.load();
  } finally {
    signal.removeEventListener('abort', stop);
  }
  return { ...model, description: 'on WebGPU' };
}

async function openWllama(
  config: Extract<LocalProviderConfig, { provider: 'wllama' }>,
  signal: AbortSignal,
  progress: Progress,
): Promise<LocalModel> {
  const { loadWllamaModel } = await import('./wllama');
  const { source, contextSize, threads, parallel } = config;
  const name = ggufName(source);
  const model = await loadWllamaModel({
    source: source.kind === 'file' ? { ...source, file: pickedFile(source.name) } : source,
    contextSize,
    threads,
    parallel,
    signal,
    onProgress: ({ loaded, total }) =>
      loaded >= total
        ? progress(1, `Starting llama.cpp with ${name}…`)
        : progress(
            total ? loaded / total : undefined,
            `Downloading ${name}: ${byteSize(loaded)} of ${byteSize(total)}`,
          ),
  });
  const info = model.info;
  const where = info.gpuLayers > 0 ? 'WebGPU' : 'CPU';
  const cores = info.multiThread ? `${info.threads} threads` : '1 thread';
  return {
    ...model,
    description: `${where} · ${cores} · context ${info.contextSize} · ${parallel} at once`,
  };
}

function pickedFile(name: string): Blob {
  const file = pickedFiles.get(name);
  if (!file)
    throw inputError(
      `${name} is no longer open: the page forgets a picked file when it reloads. Pick it again under Model file, then run or resume.`,
    );
  return file;
}

/** Keeps a file the person picked (or dropped) for the loads that name it. */
export async function addModelFile(file: File): Promise<void> {
  pickedFiles.set(file.name, file);
  // A new file under a loaded file's name must not be served by the old one.
  const loaded = slot?.config;
  if (
    loaded?.provider === 'wllama' &&
    loaded.source.kind === 'file' &&
    loaded.source.name === file.name
  )
    await unloadLocalModel();
}

export interface WebLLMCatalog {
  gpu: WebGPUSupport;
  models: (WebLLMModelOption & { cached: boolean })[];
  /** The small instruct model a newcomer starts with. */
  defaultModel?: string;
}

/** web-llm's prebuilt models as this GPU can run them, with those already in the browser marked. */
export async function webllmCatalog(): Promise<WebLLMCatalog> {
  const gpu = await detectWebGPU();
  if (!gpu.available) return { gpu, models: [] };
  const { prebuiltAppConfig, hasModelInCache } = await webllm();
  const options = webllmModelOptions(prebuiltAppConfig.model_list, gpu);
  const cached = await Promise.all(options.map((o) => hasModelInCache(o.id).catch(() => false)));
  return {
    gpu,
    models: options.map((option, i) => ({ ...option, cached: cached[i] })),
    defaultModel: defaultWebLLMModel(options),
  };
}

export interface GgufStatus {
  /** Complete in the browser's cache, so it loads without network. */
  offline: boolean;
  /** The cached size, or what a download will take. */
  bytes?: number;
  /** Why the size could not be learnt. */
  error?: string;
}

/** Whether a GGUF from a URL or the Hub is cached, else how big its download is. */
export async function ggufStatus(
  source: Exclude<ModelSource, { kind: 'file' }>,
): Promise<GgufStatus> {
  const { cachedGgufSize, ggufDownloadSize, ggufUrl } = await import('./wllama');
  const url = ggufUrl(source);
  const cached = await cachedGgufSize(url);
  if (cached !== undefined) return { offline: true, bytes: cached };
  try {
    return { offline: false, bytes: await ggufDownloadSize(url) };
  } catch (error) {
    return { offline: false, error: toErrorData(error).message };
  }
}

/** Frees the browser storage a downloaded model takes; a loaded copy keeps running. */
export async function deleteCachedModel(config: LocalProviderConfig): Promise<void> {
  if (config.provider === 'webllm') {
    await (await webllm()).deleteModelAllInfoInCache(config.model);
  } else if (config.source.kind !== 'file') {
    const { deleteCachedGguf, ggufUrl } = await import('./wllama');
    await deleteCachedGguf(ggufUrl(config.source));
  }
}
