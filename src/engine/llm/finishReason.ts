import type { FinishReason } from './types';

/** Each backend's words for why it stopped (OpenAI, llama.cpp, web-llm, Anthropic). */
const UNIFIED: Record<string, FinishReason['unified']> = {
  stop: 'stop',
  eos: 'stop',
  end_turn: 'stop',
  stop_sequence: 'stop',
  length: 'length',
  max_tokens: 'length',
  content_filter: 'content_filter',
  refusal: 'content_filter',
  error: 'error',
};

/** A backend's finish reason in our vocabulary; anything unknown or missing is `other`. */
export function finishReasonOf(raw: unknown): FinishReason {
  if (typeof raw !== 'string' || raw === '') return { unified: 'other' };
  return { unified: Object.hasOwn(UNIFIED, raw) ? UNIFIED[raw] : 'other', raw };
}
