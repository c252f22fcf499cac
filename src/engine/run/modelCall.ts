import {
  estimateTokens,
  type GenerateResult,
  type LanguageModel,
  type SamplingOptions,
} from '../llm/types';
import { type Prompt, promptText } from '../task';
import type { FailurePolicy } from './failurePolicy';
import type { AdaptiveConcurrency, RateLimiter } from './limits';
import type { ActivityMeter } from './meter';
import { type RetryPolicy, withRetries } from './retry';

export interface ModelCallDeps {
  model: LanguageModel;
  sampling: SamplingOptions;
  policy: RetryPolicy;
  limiter: RateLimiter;
  concurrency: AdaptiveConcurrency;
  meter: ActivityMeter;
  failures: FailurePolicy;
  /** Aborted when the run stops: the call in flight is dropped. */
  signal: AbortSignal;
}

/** One request for n generations of a prompt, with its own seed and, for a chat, a JSON schema. */
export type ModelCall = (
  prompt: Prompt,
  n: number,
  options?: { seed?: number; jsonSchema?: Record<string, unknown> },
) => Promise<GenerateResult>;

/**
 * A model call as a run makes it: it waits for the rate limits, is metered
 * while in flight, retried with backoff (a 429 narrows the adaptive window
 * once per burst), and its real token usage corrects the limiter.
 */
export function modelCall(deps: ModelCallDeps): ModelCall {
  const { model, limiter, concurrency, meter } = deps;
  return async (prompt, n, { seed = deps.sampling.seed, jsonSchema } = {}) => {
    const raw = 'raw' in prompt;
    const sampling = { ...deps.sampling, seed, stop: (raw && prompt.stop) || deps.sampling.stop };
    const estimate = estimateTokens(promptText(prompt)) + n * (sampling.maxTokens ?? 256);
    const send = (signal: AbortSignal) => {
      if (!raw)
        return model.generate({ messages: prompt.messages, n, sampling, jsonSchema }, signal);
      // executeRun refuses a task that needs raw completion from a model without it.
      return model.complete!({ prompt: prompt.raw, n, sampling }, signal);
    };

    // The window's narrowing when the attempt was sent: a 429 to an older one changes nothing.
    let sentInEpoch = concurrency.epoch;
    let waiting = false;
    const answer = await withRetries(
      async (signal) => {
        sentInEpoch = concurrency.epoch;
        meter.requestSent();
        try {
          return await send(signal);
        } finally {
          meter.requestEnded();
        }
      },
      deps.policy,
      deps.signal,
      {
        beforeAttempt: async (signal) => {
          if (waiting) meter.retryGoes();
          waiting = false;
          await limiter.acquire(estimate, signal);
        },
        onRetry: (error, delayMs) => {
          if (error.status === 429) concurrency.throttled(sentInEpoch);
          waiting = true;
          meter.retryWaits(error.message, delayMs);
        },
      },
    );
    deps.failures.succeeded();
    concurrency.succeeded();
    // One prompt, billed once, served every choice.
    const used = answer.choices.reduce(
      (sum, c, i) => sum + c.usage.outputTokens + (i === 0 ? c.usage.inputTokens : 0),
      0,
    );
    limiter.settle(estimate, used);
    return answer;
  };
}
