import { describe, expect, it } from 'vitest';
import { type WllamaEngine, wllamaModel } from '../src/engine/llm/wllama';

/**
 * The llama.cpp adapter over a double of a loaded wllama engine: what it asks
 * and how it reads the answers. The real engine runs in e2e/llamacpp.test.ts.
 */
function engineDouble(finishes: (string | null)[]) {
  const asked: Record<string, unknown>[] = [];
  const answer = (text: string, call: number) => ({
    usage: { prompt_tokens: 6, completion_tokens: 2 + call },
    finish_reason: finishes[call],
    text,
  });
  const engine = {
    createChatCompletion: async (params: Record<string, unknown>) => {
      asked.push(params);
      const { text, finish_reason, usage } = answer(`chat ${asked.length}`, asked.length - 1);
      return {
        choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason }],
        usage,
      };
    },
    createCompletion: async (params: Record<string, unknown>) => {
      asked.push(params);
      const { text, finish_reason, usage } = answer(`raw ${asked.length}`, asked.length - 1);
      return { choices: [{ index: 0, text, finish_reason }], usage };
    },
    exit: async () => {},
  } as unknown as WllamaEngine;
  return { engine, asked };
}

const live = () => new AbortController().signal;

describe('llama.cpp adapter', () => {
  it('asks once per generation with seed + i, and keeps each one’s usage and finish reason', async () => {
    const { engine, asked } = engineDouble(['length', 'stop']);
    const model = wllamaModel(engine, 'tiny.gguf', 4);
    expect([model.modelName, model.maxConcurrency]).toEqual(['tiny.gguf', 4]);
    const result = await model.generate(
      {
        messages: [{ role: 'user', content: 'Hi' }],
        n: 2,
        sampling: { temperature: 0.5, maxTokens: 3, seed: 9 },
      },
      live(),
    );
    expect(result.choices).toEqual([
      {
        text: 'chat 1',
        usage: { inputTokens: 6, outputTokens: 2, reported: true },
        finishReason: { unified: 'length', raw: 'length' },
      },
      {
        text: 'chat 2',
        usage: { inputTokens: 6, outputTokens: 3, reported: true },
        finishReason: { unified: 'stop', raw: 'stop' },
      },
    ]);
    expect(asked.map((a) => [a.seed, a.max_tokens, a.temperature])).toEqual([
      [9, 3, 0.5],
      [10, 3, 0.5],
    ]);
  });

  it('reads a raw completion’s finish reason, and a missing one as other', async () => {
    const { engine } = engineDouble([null]);
    const result = await wllamaModel(engine, 'tiny.gguf', 1).complete?.(
      { prompt: '<|im_start|>user\n', n: 1, sampling: {} },
      live(),
    );
    expect(result?.choices.map((c) => [c.text, c.finishReason])).toEqual([
      ['raw 1', { unified: 'other' }],
    ]);
  });
});
