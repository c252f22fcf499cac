import type {
  ChatCompletion,
  ChatCompletionRequestNonStreaming,
  Completion,
  CompletionCreateParamsNonStreaming,
  ModelRecord,
} from '@mlc-ai/web-llm';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../src/engine/errors';
import type { GenerateRequest } from '../src/engine/llm/types';
import { createWebLLMModel, type WebLLMEngine } from '../src/engine/llm/webllm';
import { defaultWebLLMModel, webllmModelOptions } from '../src/engine/llm/webllmModels';

/** A web-llm engine double: answers from a script and records what it was asked. */
function engineDouble(
  answer: (request: ChatCompletionRequestNonStreaming, call: number) => Promise<ChatCompletion>,
) {
  const requests: ChatCompletionRequestNonStreaming[] = [];
  const rawRequests: CompletionCreateParamsNonStreaming[] = [];
  const calls: string[] = [];
  const engine: WebLLMEngine = {
    chat: {
      completions: {
        create: (request) => {
          requests.push(request);
          return answer(request, requests.length - 1);
        },
      },
    },
    // Raw completion answers with the chat answer's text, as a text choice.
    completions: {
      create: async (request) => {
        rawRequests.push(request);
        const chat = await answer({ messages: [] }, rawRequests.length - 1);
        return {
          ...chat,
          object: 'text_completion',
          choices: chat.choices.map((c) => ({
            index: c.index,
            finish_reason: c.finish_reason,
            text: c.message.content ?? '',
          })),
        } as Completion;
      },
    },
    reload: async (id) => {
      calls.push(`reload ${id}`);
    },
    interruptGenerate: () => calls.push('interrupt'),
    unload: async () => {
      calls.push('unload');
    },
  };
  return { engine, requests, rawRequests, calls };
}

function completion(content: string, prompt = 12, completionTokens = 5): ChatCompletion {
  return {
    id: 'x',
    object: 'chat.completion',
    created: 0,
    model: 'm',
    choices: [
      { index: 0, finish_reason: 'stop', logprobs: null, message: { role: 'assistant', content } },
    ],
    // Without web-llm's timing extras, which the adapter does not read.
    usage: {
      prompt_tokens: prompt,
      completion_tokens: completionTokens,
      total_tokens: prompt + completionTokens,
    } as ChatCompletion['usage'],
  };
}

const request: GenerateRequest = {
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Name a colour.' },
  ],
  n: 2,
  sampling: { temperature: 0.7, topP: 0.9, maxTokens: 64, seed: 10, stop: ['\n\n'] },
};

const live = () => new AbortController().signal;

describe('web-llm adapter', () => {
  it('maps a request onto one completion per generation, with seeds and usage', async () => {
    const { engine, requests } = engineDouble(async (_, call) =>
      completion(['red', 'blue'][call], 12, 3 + call),
    );
    const model = createWebLLMModel(engine, 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC');
    expect(model.modelName).toBe('Qwen2.5-0.5B-Instruct-q4f32_1-MLC');
    expect(model.maxConcurrency).toBe(1);

    const result = await model.generate(request, live());
    expect(result.choices.map((c) => c.text)).toEqual(['red', 'blue']);
    expect(result.choices.map((c) => c.usage)).toEqual([
      { inputTokens: 12, outputTokens: 3, reported: true },
      { inputTokens: 12, outputTokens: 4, reported: true },
    ]);
    expect(requests).toHaveLength(2);
    expect(requests[0]).toEqual({
      messages: request.messages,
      stream: false,
      temperature: 0.7,
      top_p: 0.9,
      max_tokens: 64,
      seed: 10,
      stop: ['\n\n'],
      response_format: undefined,
    });
    expect(requests[1].seed).toBe(11);
  });

  it('keeps why each generation stopped, an answer cut at max tokens as length', async () => {
    const { engine } = engineDouble(async (_, call) => {
      const answer = completion(['a long answer cut sho', 'Blue.'][call]);
      answer.choices[0].finish_reason = call === 0 ? 'length' : 'stop';
      return answer;
    });
    const result = await createWebLLMModel(engine, 'm').generate(request, live());
    expect(result.choices.map((c) => c.finishReason)).toEqual([
      { unified: 'length', raw: 'length' },
      { unified: 'stop', raw: 'stop' },
    ]);
  });

  it('completes a raw prompt, one request per generation, without a chat template', async () => {
    const { engine, requests, rawRequests } = engineDouble(async (_, call) =>
      completion([' first', ' second'][call], 9, 2),
    );
    const model = createWebLLMModel(engine, 'm');
    const result = await model.complete?.(
      { prompt: '<|im_start|>user\n', n: 2, sampling: { temperature: 1, seed: 3 } },
      live(),
    );
    expect(result?.choices.map((c) => c.text)).toEqual([' first', ' second']);
    expect(result?.choices.map((c) => c.usage)[1]).toEqual({
      inputTokens: 9,
      outputTokens: 2,
      reported: true,
    });
    expect(requests).toHaveLength(0);
    expect(rawRequests.map((r) => [r.prompt, r.stream, r.temperature, r.seed])).toEqual([
      ['<|im_start|>user\n', false, 1, 3],
      ['<|im_start|>user\n', false, 1, 4],
    ]);
  });

  it('passes a JSON schema as a string under json_object', async () => {
    const { engine, requests } = engineDouble(async () => completion('{"colour":"red"}'));
    const schema = {
      type: 'object',
      properties: { colour: { type: 'string' } },
      required: ['colour'],
    };
    await createWebLLMModel(engine, 'm').generate({ ...request, n: 1, jsonSchema: schema }, live());
    expect(requests[0].response_format).toEqual({
      type: 'json_object',
      schema: JSON.stringify(schema),
    });
  });

  it('gives null for an empty answer and marks missing usage as unreported', async () => {
    const { engine } = engineDouble(async () => ({ ...completion(''), usage: undefined }));
    const result = await createWebLLMModel(engine, 'm').generate({ ...request, n: 1 }, live());
    expect(result.choices.map((c) => c.text)).toEqual([null]);
    expect(result.choices.map((c) => c.usage)[0].reported).toBe(false);
  });

  it('interrupts generation on abort and does not return the partial text', async () => {
    const controller = new AbortController();
    const { engine, calls, requests } = engineDouble(async () => {
      controller.abort();
      return completion('partial');
    });
    await expect(
      createWebLLMModel(engine, 'm').generate(request, controller.signal),
    ).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(calls).toContain('interrupt');
    expect(requests).toHaveLength(1);
  });

  it('turns a lost GPU into a model error that says to reload', async () => {
    const lost = Object.assign(new Error('The WebGPU device was lost while loading the model.'), {
      name: 'DeviceLostError',
    });
    const { engine } = engineDouble(() => Promise.reject(lost));
    const error = await createWebLLMModel(engine, 'm')
      .generate(request, live())
      .catch((e: unknown) => e);
    expect(EngineError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      kind: 'model',
      retryable: false,
      message: expect.stringMatching(/Reload the model/),
    });
  });

  it("fails a prompt too long for the context as that row's problem, not the model's", async () => {
    const tooLong = Object.assign(
      new Error(
        'Prompt tokens exceed context window size: number of prompt tokens: 5000; context window size: 4096\nConsider shortening the prompt.',
      ),
      { name: 'ContextWindowSizeExceededError' },
    );
    const { engine } = engineDouble(() => Promise.reject(tooLong));
    await expect(createWebLLMModel(engine, 'm').generate(request, live())).rejects.toMatchObject({
      kind: 'input',
      retryable: false,
      message: expect.stringContaining('number of prompt tokens: 5000; context window size: 4096)'),
    });
  });

  it('maps load failures too, and loads and unloads through the engine', async () => {
    const { engine, calls } = engineDouble(async () => completion(''));
    const model = createWebLLMModel(engine, 'm');
    await model.load();
    await model.unload();
    expect(calls).toEqual(['reload m', 'unload']);

    engine.reload = () => Promise.reject(new Error('GPUOutOfMemoryError: out of memory'));
    await expect(model.load()).rejects.toMatchObject({
      kind: 'model',
      message: expect.stringMatching(/out of memory/),
    });

    engine.reload = () => Promise.reject(new TypeError('Failed to fetch'));
    await expect(model.load()).rejects.toMatchObject({
      kind: 'network',
      message: expect.stringMatching(/^Could not download the model \(Failed to fetch\)/),
    });
  });
});

describe('web-llm model picker', () => {
  const record = (model_id: string, extra: Partial<ModelRecord> = {}): ModelRecord => ({
    model: `https://huggingface.co/mlc-ai/${model_id}`,
    model_id,
    model_lib: 'lib.wasm',
    vram_required_MB: 1000,
    ...extra,
  });
  const list = [
    record('SmolLM2-360M-Instruct-q4f16_1-MLC', {
      required_features: ['shader-f16'],
      vram_required_MB: 376,
    }),
    record('SmolLM2-360M-Instruct-q4f32_1-MLC', { vram_required_MB: 580 }),
    // web-llm lists some f16 models without required_features.
    record('Qwen2.5-0.5B-Instruct-q4f16_1-MLC', { vram_required_MB: 945 }),
    record('Qwen2.5-0.5B-Instruct-q4f32_1-MLC', { vram_required_MB: 1060 }),
    record('Qwen2.5-0.5B-Instruct-q0f32-MLC', { vram_required_MB: 2655 }),
    record('snowflake-arctic-embed-s-q0f32-MLC-b4', { model_type: 1 }),
  ];

  it('disables f16 models when the adapter lacks shader-f16, with the reason', () => {
    const options = webllmModelOptions(list, { shaderF16: false });
    expect(options.map((o) => o.id)).not.toContain('snowflake-arctic-embed-s-q0f32-MLC-b4');
    const disabled = options.filter((o) => o.disabledReason).map((o) => o.id);
    expect(disabled).toEqual([
      'SmolLM2-360M-Instruct-q4f16_1-MLC',
      'Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
    ]);
    expect(options.find((o) => o.disabledReason)?.disabledReason).toMatch(/shader-f16/);
    expect(webllmModelOptions(list, { shaderF16: true }).every((o) => !o.disabledReason)).toBe(
      true,
    );
  });

  it('gives VRAM and an estimated download size', () => {
    const qwen = webllmModelOptions(list, { shaderF16: true }).find(
      (o) => o.id === 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC',
    );
    expect(qwen?.vramMB).toBe(1060);
    // 0.5 B weights at 5 bits each: about 300 MB.
    expect(qwen?.downloadMB).toBeGreaterThan(250);
    expect(qwen?.downloadMB).toBeLessThan(350);
  });

  it('preselects a small instruct model: the f32 variant without shader-f16, f16 with it', () => {
    expect(defaultWebLLMModel(webllmModelOptions(list, { shaderF16: false }))).toBe(
      'Qwen2.5-0.5B-Instruct-q4f32_1-MLC',
    );
    expect(defaultWebLLMModel(webllmModelOptions(list, { shaderF16: true }))).toBe(
      'Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
    );
  });

  it('works on the real prebuilt list', async () => {
    const { prebuiltAppConfig } = await import('@mlc-ai/web-llm');
    const options = webllmModelOptions(prebuiltAppConfig.model_list, { shaderF16: false });
    const chosen = defaultWebLLMModel(options);
    expect(chosen).toMatch(/q4f32/);
    expect(options.find((o) => o.id === chosen)?.vramMB).toBeLessThan(1500);
    expect(options.filter((o) => /f16/.test(o.id)).every((o) => o.disabledReason)).toBe(true);
  });
});
