import { EngineError } from '../errors';
import { createOpenAIModel } from './openai';
import type { LanguageModel, ProviderConfig } from './types';

/** What a run needs but never stores: given by the form at start or resume. */
export interface Secrets {
  apiKey?: string;
}

/** The LanguageModel for a run's provider settings. */
export async function createModel(
  config: ProviderConfig,
  secrets: Secrets,
  _signal: AbortSignal,
): Promise<LanguageModel> {
  switch (config.provider) {
    case 'openai':
      return createOpenAIModel({
        baseURL: config.baseURL,
        model: config.model,
        apiKey: secrets.apiKey,
      });
    default:
      throw new EngineError({
        kind: 'model',
        message: `The ${config.provider} provider is not available yet.`,
        retryable: false,
      });
  }
}
