import type { BoundTask } from '../bound';
import { iterateRowPages } from '../db/datasets';
import type { RunSpec } from '../db/runs';
import type { Pricing, Run } from '../db/schema';
import {
  ANTHROPIC_DEFAULT_MAX_TOKENS,
  estimateTokens,
  isBatchMode,
  type ProviderConfig,
} from '../llm/types';
import { promptText } from '../task';

export interface RunEstimate {
  generations: number;
  /** Model calls: one per row for a prompt task (a request serves all its generations), more for a chain. */
  requests: number;
  /** Prompt tokens over every request, about 4 characters a token. */
  promptTokens: number;
  /** Output tokens if every answer used the whole allowance (Max new tokens). */
  maxOutputTokens: number;
  /** Cost of the prompts, and at most of the whole run, when prices are set. */
  promptCost?: number;
  maxCost?: number;
  /**
   * A batch-mode run: one request per generation, each carrying its prompt,
   * costed at batch prices; `liveMaxCost` is the most the same run would cost
   * as live requests.
   */
  batch?: { liveMaxCost?: number };
}

/** OpenAI and Anthropic bill Batch API requests at half their live prices. */
const BATCH_PRICE_FACTOR = 0.5;

/**
 * The prices a run pays: the live ones, or for a run through a Batch API the
 * batch ones, each that is not entered at half its live price.
 */
export function pricesOf(
  run: Pick<Run, 'pricing'> & { provider?: Run['provider'] },
): Pricing | undefined {
  const { pricing } = run;
  if (!pricing || !isBatchMode(run.provider)) return pricing;
  return {
    inputPerMillion: pricing.batchInputPerMillion ?? pricing.inputPerMillion * BATCH_PRICE_FACTOR,
    outputPerMillion:
      pricing.batchOutputPerMillion ?? pricing.outputPerMillion * BATCH_PRICE_FACTOR,
  };
}

/**
 * What a run will send, before it starts. A prompt task sends each row's
 * prompt once for all its generations; a chain task makes its calls for each
 * generation, each counted at the size of its first (the one it can show).
 */
export async function estimateRun(
  spec: Pick<RunSpec, 'datasetId' | 'sampling' | 'pricing'> & Partial<Pick<RunSpec, 'provider'>>,
  bound: BoundTask,
  signal?: AbortSignal,
): Promise<RunEstimate> {
  const n = bound.settings.numGenerations;
  const callsPerRow = bound.task.kind === 'chain' ? n * bound.callsPerGeneration : 1;
  let rows = 0;
  let promptTokens = 0;
  for await (const page of iterateRowPages(spec.datasetId)) {
    signal?.throwIfAborted();
    for (const row of page.rows) {
      promptTokens += callsPerRow * estimateTokens(promptText(bound.preview(row)));
      rows += 1;
    }
  }
  const requests = rows * callsPerRow;
  const answers = bound.task.kind === 'chain' ? requests : rows * n;
  const maxOutputTokens = answers * (spec.sampling.maxTokens ?? allowanceOf(spec.provider));
  const live = {
    generations: rows * n,
    requests,
    promptTokens,
    maxOutputTokens,
    ...costs(spec.pricing, promptTokens, maxOutputTokens),
  };
  if (!isBatchMode(spec.provider) || bound.task.kind === 'chain') return live;
  // A batch line asks for one generation: each generation sends its prompt.
  const batchTokens = promptTokens * n;
  return {
    ...live,
    requests: answers,
    promptTokens: batchTokens,
    ...costs(pricesOf(spec), batchTokens, maxOutputTokens),
    batch: { liveMaxCost: live.maxCost },
  };
}

/**
 * An answer's allowance when Max new tokens is unset: what Anthropic's batches
 * send in its place, else a guess (each server has its own default).
 */
function allowanceOf(provider: ProviderConfig | undefined): number {
  const anthropic = provider?.provider === 'openai' && provider.batchApi === 'anthropic';
  return anthropic && isBatchMode(provider) ? ANTHROPIC_DEFAULT_MAX_TOKENS : 256;
}

function costs(pricing: Pricing | undefined, promptTokens: number, maxOutputTokens: number) {
  if (!pricing) return {};
  const promptCost = costOf(pricing, promptTokens, 0);
  return { promptCost, maxCost: costOf(pricing, promptTokens, maxOutputTokens) };
}

export function costOf(pricing: Pricing, inputTokens: number, outputTokens: number): number {
  return (
    (inputTokens * pricing.inputPerMillion + outputTokens * pricing.outputPerMillion) / 1_000_000
  );
}
