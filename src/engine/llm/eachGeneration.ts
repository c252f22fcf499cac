import { finishReasonOf } from './finishReason';
import {
  type Choice,
  type GenerateResult,
  type OpenAISampling,
  openAISampling,
  type SamplingOptions,
} from './types';

/** One generation's answer, in the OpenAI shape both local engines return. */
export interface OneAnswer {
  text: string | null | undefined;
  usage?: { prompt_tokens: number; completion_tokens: number };
  finishReason?: string | null;
}

/**
 * Asks for n generations one after the other, for engines that take no `n`
 * (llama.cpp's chat API) or sum usage over choices (web-llm), so each gets its
 * own token counts. In turn, a seeded run stays reproducible; each generation
 * gets seed + i, as one seed for all would give n identical texts. An abort
 * between or during generations ends the whole request: an interrupted engine
 * may resolve with a partial text, which is not a result.
 */
export async function eachGeneration(
  n: number,
  sampling: SamplingOptions,
  signal: AbortSignal,
  ask: (sampling: OpenAISampling) => Promise<OneAnswer>,
): Promise<GenerateResult> {
  const choices: Choice[] = [];
  const { seed } = sampling;
  for (let i = 0; i < n; i++) {
    signal.throwIfAborted();
    const { text, usage, finishReason } = await ask(
      openAISampling(sampling, seed === undefined ? undefined : seed + i),
    );
    signal.throwIfAborted();
    choices.push({
      text: text || null,
      usage: {
        inputTokens: usage?.prompt_tokens ?? 0,
        outputTokens: usage?.completion_tokens ?? 0,
        reported: usage !== undefined,
      },
      finishReason: finishReasonOf(finishReason),
    });
  }
  return { choices };
}
