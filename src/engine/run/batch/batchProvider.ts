import type { BatchJob } from '../../db/schema';
import type { EngineErrorData } from '../../errors';
import { responseError } from '../../llm/openaiErrors';
import type { ChatMessage, Choice, GenerateRequest } from '../../llm/types';

/**
 * What a batch run needs of a provider's Batch API: the one place where
 * OpenAI's Files + Batches and Anthropic's Message Batches differ. The
 * control flow (split, submit, poll, collect exactly once, resubmit) is
 * batchRun's, for both.
 */
export interface BatchProvider {
  /** How many requests, and bytes, one batch may hold. */
  readonly limits: BatchLimits;
  /** The JSON text of the request for one generation. */
  requestLine(line: RequestLine): string;
  /** Submits request lines as one batch; `name` names its input file where the provider keeps one. */
  submit(lines: string[], name: string, signal?: AbortSignal): Promise<Submitted>;
  get(id: string, signal?: AbortSignal): Promise<BatchInfo>;
  cancel(id: string, signal?: AbortSignal): Promise<BatchInfo>;
  /** The JSONL texts holding an ended batch's result lines. */
  results(info: BatchInfo, signal?: AbortSignal): Promise<string[]>;
  /** A parsed result line: the generation it answers, or undefined for a line of another run. */
  readResult(line: unknown, runId: string): ReadLine | undefined;
  /** A line's answer (a succeeded line's body) as the choice a live call returns. */
  readAnswer(body: unknown, messages: ChatMessage[]): Choice;
}

/** How many requests, and bytes, one batch may hold. */
export interface BatchLimits {
  requests: number;
  bytes: number;
}

/** One generation's request: a row's prompt, asked for once (n = 1), with its own seed. */
export interface RequestLine {
  runId: string;
  rowIndex: number;
  generation: number;
  model: string;
  request: Omit<GenerateRequest, 'n'>;
  seed: number | undefined;
}

export interface Submitted {
  batch: BatchInfo;
  /** The uploaded file the batch reads, where the provider takes one. */
  inputFileId?: string;
}

/** A batch as the provider describes it, in its own status words: what a run's job keeps of it. */
export type BatchInfo = Pick<
  BatchJob,
  'id' | 'status' | 'requestCounts' | 'outputFileId' | 'errorFileId' | 'resultsUrl' | 'error'
>;

/** What came back for one line: an answer's body, or why there is none. */
export type LineOutcome = { body: unknown } | { error: EngineErrorData };

export interface ReadLine {
  rowIndex: number;
  generation: number;
  outcome: LineOutcome;
}

/** Statuses after which a batch changes no more: OpenAI's, and Anthropic's one word. */
const ENDED = new Set(['completed', 'failed', 'expired', 'cancelled', 'ended']);

export const hasEnded = (status: string): boolean => ENDED.has(status);

/** Where a line's answer came from, in messages about it. */
export const SOURCE = 'The Batch API';

/** A batch's (or a file's) id in the provider's answer at `url`. */
export function idOf(data: unknown, url: string): string {
  const id = (data as { id?: unknown } | null)?.id;
  if (typeof id !== 'string') throw responseError(url, 'answered without an id.');
  return id;
}

/** A line the provider could not run at all (expired, cancelled): another batch may. */
export function unanswered(message: string): LineOutcome {
  return { error: { kind: 'response', message, retryable: true } };
}
