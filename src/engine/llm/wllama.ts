/// <reference types="vite/client" />
/**
 * llama.cpp compiled to WebAssembly (wllama v3), run from the engine worker.
 * wllama starts its own worker (from a blob) and, when the page is
 * cross-origin isolated, pthread workers under it; all it needs from us is
 * the URL of its wasm file, which Vite emits as an asset.
 */
import {
  type ChatCompletionParams,
  type LoadedContextInfo,
  LoggerWithoutDebug,
  LogLevel,
  ModelManager,
  Wllama,
} from '@wllama/wllama';
import wasmUrl from '@wllama/wllama/esm/wasm/wllama.wasm?url';
import { EngineError } from '../errors';
import { eachGeneration } from './eachGeneration';
import {
  type CompletionRequest,
  type GenerateRequest,
  type GenerateResult,
  ggufName,
  type LanguageModel,
  type ModelSource,
} from './types';
import { detectWebGPU } from './webgpu';

/** Where the GGUF comes from; a local file carries its Blob while loading. */
export type WllamaSource =
  | Exclude<ModelSource, { kind: 'file' }>
  | (Extract<ModelSource, { kind: 'file' }> & { file: Blob });

export interface WllamaLoadOptions {
  source: WllamaSource;
  /** Tokens of KV cache, shared by all parallel requests. */
  contextSize?: number;
  /** Default: half the cores. More than 1 needs cross-origin isolation. */
  threads?: number;
  /** Requests llama.cpp serves at once; the scheduler's concurrency should match. */
  parallel?: number;
  /** Layers offloaded to WebGPU. Default: all with WebGPU and shader-f16, else 0. */
  gpuLayers?: number;
  onProgress?: (progress: { loaded: number; total: number }) => void;
  /** Cancels a download. */
  signal?: AbortSignal;
}

export interface WllamaModel extends LanguageModel {
  readonly info: { multiThread: boolean; threads: number; gpuLayers: number; contextSize: number };
  unload(): Promise<void>;
}

const ALL_LAYERS = 999;

export async function loadWllamaModel(options: WllamaLoadOptions): Promise<WllamaModel> {
  const { source } = options;
  const gpuLayers = options.gpuLayers ?? (await defaultGpuLayers());
  const parallel = options.parallel ?? 1;
  const wllama = new Wllama({ default: wasmUrl }, { logger: LoggerWithoutDebug });
  const blobs =
    source.kind === 'file'
      ? localFile(source.file, options)
      : await download(wllama, source, options);

  let info: LoadedContextInfo & { success?: boolean };
  try {
    await wllama.loadModel(blobs, {
      n_ctx: options.contextSize ?? 4096,
      // More threads than cores makes llama.cpp's spinning threads stall for minutes.
      n_threads: options.threads && Math.min(options.threads, navigator.hardwareConcurrency || 1),
      n_parallel: parallel,
      n_gpu_layers: gpuLayers,
      log_level: LogLevel.WARN,
    });
    // loadModel can resolve on a broken file; only the native result says so.
    info = wllama.getLoadedContextInfo();
    if (!info.success) throw new Error('llama.cpp could not load it');
  } catch (error) {
    await wllama.exit().catch(() => {});
    // A broken download must not be served from the cache next time.
    if (source.kind !== 'file') await deleteCachedGguf(ggufUrl(source));
    throw new EngineError({
      kind: 'model',
      message: `${ggufName(source)} is not a usable GGUF model file (${messageOf(error)}).`,
      retryable: false,
    });
  }

  return {
    ...wllamaModel(wllama, ggufName(source), parallel),
    info: {
      multiThread: wllama.isMultithread(),
      threads: wllama.getNumThreads(),
      gpuLayers,
      contextSize: info.n_ctx,
    },
  };
}

/** The part of a loaded wllama instance the adapter uses. */
export type WllamaEngine = Pick<Wllama, 'createChatCompletion' | 'createCompletion' | 'exit'>;

/** A loaded llama.cpp engine behind the LanguageModel contract; tests pass a double. */
export function wllamaModel(
  wllama: WllamaEngine,
  modelName: string,
  parallel: number,
): Omit<WllamaModel, 'info'> {
  return {
    modelName,
    maxConcurrency: parallel,
    generate: (request, signal) => generate(wllama, request, signal),
    complete: (request, signal) => complete(wllama, request, signal),
    unload: () => wllama.exit(),
  };
}

/** llama.cpp's WebGPU backend needs shader-f16 and can abort without it. */
async function defaultGpuLayers(): Promise<number> {
  const gpu = await detectWebGPU();
  return gpu.available && gpu.shaderF16 ? ALL_LAYERS : 0;
}

export function ggufUrl(source: Exclude<ModelSource, { kind: 'file' }>): string {
  // Built here rather than with wllama's loadModelFromHF, which asks the Hub API
  // for the file list first and so fails offline even when the file is cached.
  return source.kind === 'hf'
    ? `https://huggingface.co/${source.repo}/resolve/main/${source.file}`
    : source.url;
}

function localFile(file: Blob, options: WllamaLoadOptions): Blob[] {
  options.onProgress?.({ loaded: file.size, total: file.size });
  return [file];
}

/** Downloads into wllama's cache (OPFS), or reads it from there without network. */
async function download(
  wllama: Wllama,
  source: Exclude<ModelSource, { kind: 'file' }>,
  options: WllamaLoadOptions,
): Promise<Blob[]> {
  try {
    const model = await wllama.modelManager.getModelOrDownload(
      { url: ggufUrl(source) },
      { progressCallback: options.onProgress, signal: options.signal },
    );
    return await model.open();
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    throw new EngineError({
      kind: 'network',
      message: `Could not download ${ggufName(source)} (${messageOf(error)}). Check the address and the network, then try again.`,
      retryable: false,
    });
  }
}

/** Bytes of a GGUF complete in wllama's cache (so it loads offline), or undefined. */
export async function cachedGgufSize(url: string): Promise<number | undefined> {
  const models = await new ModelManager().getModels();
  return models.find((m) => m.url === url)?.size;
}

export async function deleteCachedGguf(url: string): Promise<void> {
  const models = await new ModelManager().getModels({ includeInvalid: true });
  await Promise.all(models.filter((m) => m.url === url).map((m) => m.remove()));
}

/** One completion per generation, in turn (eachGeneration). */
function generate(
  wllama: WllamaEngine,
  request: GenerateRequest,
  signal: AbortSignal,
): Promise<GenerateResult> {
  return eachGeneration(request.n, request.sampling, signal, async (sampling) => {
    // `stop` is read by llama-server but missing from wllama's chat type.
    const params: ChatCompletionParams & { stream?: false; stop?: string[] } = {
      messages: request.messages,
      ...sampling,
      response_format: request.jsonSchema
        ? { type: 'json_schema', json_schema: { name: 'output', schema: request.jsonSchema } }
        : undefined,
      abortSignal: signal,
    };
    const response = await wllama.createChatCompletion(params);
    const [choice] = response.choices;
    return {
      text: choice?.message.content,
      usage: response.usage,
      finishReason: choice?.finish_reason,
    };
  }).catch((error) => fail(error, signal));
}

function complete(
  wllama: WllamaEngine,
  request: CompletionRequest,
  signal: AbortSignal,
): Promise<GenerateResult> {
  return eachGeneration(request.n, request.sampling, signal, async (sampling) => {
    const response = await wllama.createCompletion({
      prompt: request.prompt,
      ...sampling,
      abortSignal: signal,
    });
    const [choice] = response.choices;
    return { text: choice?.text, usage: response.usage, finishReason: choice?.finish_reason };
  }).catch((error) => fail(error, signal));
}

/** An abort stays an abort; anything else is llama.cpp's own message. */
function fail(error: unknown, signal: AbortSignal): never {
  if (signal.aborted) throw signal.reason;
  // Too long a prompt is that row's problem, not the model's: the row fails alone.
  if (/exceeds the available context size/i.test(messageOf(error))) {
    throw new EngineError({
      kind: 'input',
      message: `This prompt does not fit in the model's context (llama.cpp: ${messageOf(error)}). Raise Context size, or lower Concurrency (its requests share the context), or shorten the prompt; then retry the failed generations.`,
      retryable: false,
    });
  }
  throw new EngineError({
    kind: 'model',
    message: `llama.cpp: ${messageOf(error)}`,
    retryable: false,
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What downloading the GGUF will take, before it starts; undefined when the server does not say. */
export async function ggufDownloadSize(url: string): Promise<number | undefined> {
  const response = await fetch(url, { method: 'HEAD' });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return Number(response.headers.get('content-length')) || undefined;
}
