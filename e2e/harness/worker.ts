// Runs the wllama adapter inside a Web Worker, as the engine worker will.
import { expose } from 'comlink';
import { toErrorData } from '../../src/engine/errors';
import type { GenerateRequest } from '../../src/engine/llm/types';
import { detectWebGPU } from '../../src/engine/llm/webgpu';
import {
  loadWllamaModel,
  type WllamaLoadOptions,
  type WllamaModel,
} from '../../src/engine/llm/wllama';

let model: WllamaModel | undefined;

const api = {
  detectWebGPU,
  /** A URL is fetched here; a Blob stands for a local file. */
  async load(source: WllamaLoadOptions['source'], options: Omit<WllamaLoadOptions, 'source'> = {}) {
    await model?.unload();
    model = undefined;
    let progress = 0;
    try {
      model = await loadWllamaModel({
        ...options,
        source,
        onProgress: (p) => (progress = p.loaded),
      });
      return {
        modelName: model.modelName,
        maxConcurrency: model.maxConcurrency,
        info: model.info,
        cores: navigator.hardwareConcurrency,
        progress,
        isolated: self.crossOriginIsolated,
        inWorker: typeof document === 'undefined',
      };
    } catch (error) {
      return { error: toErrorData(error) };
    }
  },
  async generate(request: GenerateRequest, abortAfterMs?: number) {
    if (!model) throw new Error('no model loaded');
    const controller = new AbortController();
    if (abortAfterMs !== undefined) setTimeout(() => controller.abort(), abortAfterMs);
    const started = performance.now();
    try {
      const result = await model.generate(request, controller.signal);
      return { ...result, ms: performance.now() - started };
    } catch (error) {
      return { error: toErrorData(error) };
    }
  },
};

export type HarnessApi = typeof api;
expose(api);
