import { findTask } from '../../tasks';
import type { RunSpec } from '../db/runs';
import { db, type Pricing } from '../db/schema';
import { estimateTokens } from '../llm/types';
import { mapRow, resolveParams, taskInputs } from '../task';

export interface RunEstimate {
  generations: number;
  /** Prompt tokens over every request, about 4 characters a token. */
  promptTokens: number;
  /** Output tokens if every answer used the whole allowance (Max new tokens). */
  maxOutputTokens: number;
  /** Cost of the prompts, and at most of the whole run, when prices are set. */
  promptCost?: number;
  maxCost?: number;
}

/** What a run will send, before it starts: prompt tokens of every row, and their cost. */
export async function estimateRun(spec: RunSpec): Promise<RunEstimate> {
  const task = findTask(spec.taskId);
  const params = resolveParams(task, spec.taskParams);
  const inputs = taskInputs(task, params);
  const n = spec.settings.numGenerations;
  let promptTokens = 0;
  let rows = 0;
  await db.rowPages
    .where('[datasetId+page]')
    .between([spec.datasetId, -Infinity], [spec.datasetId, Infinity])
    .each((page) => {
      for (const row of page.rows) {
        const messages = task.formatInput(mapRow(row, inputs, spec.settings), params);
        // One request per row serves all its generations when the server honours n.
        promptTokens += estimateTokens(messages.map((m) => m.content).join('\n'));
        rows += 1;
      }
    });
  const maxOutputTokens = rows * n * (spec.sampling.maxTokens ?? 256);
  return {
    generations: rows * n,
    promptTokens,
    maxOutputTokens,
    ...costs(spec.pricing, promptTokens, maxOutputTokens),
  };
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
