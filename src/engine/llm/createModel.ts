import { loadLocalModel } from './localModels';
import { createOpenAIModel } from './openai';
import type { LanguageModel, ProviderConfig } from './types';

/** What a run needs but never stores: given by the form at start or resume. */
export interface Secrets {
  apiKey?: string;
}

/** The LanguageModel for a run's provider settings; `signal` stops waiting for a local model's load. */
export async function createModel(
  config: ProviderConfig,
  secrets: Secrets,
  signal: AbortSignal,
): Promise<LanguageModel> {
  switch (config.provider) {
    case 'openai':
      return createOpenAIModel({
        baseURL: config.baseURL,
        model: config.model,
        apiKey: secrets.apiKey,
      });
    case 'webllm':
    case 'wllama':
      return loadLocalModel(config, signal);
  }
}
