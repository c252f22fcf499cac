/**
 * web-llm (MLC, WebGPU) behind the LanguageModel contract. The MLCEngine is
 * created by the engine worker and passed in, so tests use a double.
 */
import type {
  ChatCompletion,
  ChatCompletionRequestNonStreaming,
  Completion,
  CompletionCreateParamsNonStreaming,
} from '@mlc-ai/web-llm';
import { EngineError, isFetchFailure } from '../errors';
import { eachGeneration, type OneAnswer } from './eachGeneration';
import type {
  CompletionRequest,
  GenerateRequest,
  GenerateResult,
  LanguageModel,
  OpenAISampling,
  SamplingOptions,
} from './types';

/** The part of web-llm's MLCEngine this adapter uses. */
export interface WebLLMEngine {
  chat: {
    completions: { create(request: ChatCompletionRequestNonStreaming): Promise<ChatCompletion> };
  };
  /** Raw completion: the prompt as given, no chat template. */
  completions: { create(request: CompletionCreateParamsNonStreaming): Promise<Completion> };
  reload(modelId: string): Promise<void>;
  interruptGenerate(): void;
  unload(): Promise<void>;
}

export interface WebLLMModel extends LanguageModel {
  /** Downloads (or reads from the browser cache) and compiles the model; call it again after a lost GPU. */
  load(): Promise<void>;
  unload(): Promise<void>;
}

export function createWebLLMModel(engine: WebLLMEngine, modelId: string): WebLLMModel {
  return {
    modelName: modelId,
    // web-llm runs one request at a time per model and queues the rest.
    maxConcurrency: 1,
    load: () => engine.reload(modelId).catch((error) => fail(error)),
    unload: () => engine.unload(),
    generate: (request, signal) => generate(engine, request, signal),
    complete: (request, signal) => complete(engine, request, signal),
  };
}

function generate(
  engine: WebLLMEngine,
  request: GenerateRequest,
  signal: AbortSignal,
): Promise<GenerateResult> {
  return oneByOne(engine, request, signal, async (sampling) => {
    const response = await engine.chat.completions.create({
      messages: request.messages,
      stream: false,
      ...sampling,
      // web-llm takes the schema as a string, under json_object (no json_schema type).
      response_format: request.jsonSchema
        ? { type: 'json_object', schema: JSON.stringify(request.jsonSchema) }
        : undefined,
    });
    const [choice] = response.choices;
    return {
      text: choice?.message.content,
      usage: response.usage,
      finishReason: choice?.finish_reason,
    };
  });
}

function complete(
  engine: WebLLMEngine,
  request: CompletionRequest,
  signal: AbortSignal,
): Promise<GenerateResult> {
  return oneByOne(engine, request, signal, async (sampling) => {
    const response = await engine.completions.create({
      prompt: request.prompt,
      stream: false,
      ...sampling,
    });
    const [choice] = response.choices;
    return { text: choice?.text, usage: response.usage, finishReason: choice?.finish_reason };
  });
}

/**
 * One request per generation (eachGeneration); an abort interrupts the
 * request in progress.
 */
async function oneByOne(
  engine: WebLLMEngine,
  request: { n: number; sampling: SamplingOptions },
  signal: AbortSignal,
  ask: (sampling: OpenAISampling) => Promise<OneAnswer>,
): Promise<GenerateResult> {
  const interrupt = () => engine.interruptGenerate();
  signal.addEventListener('abort', interrupt);
  try {
    return await eachGeneration(request.n, request.sampling, signal, ask);
  } catch (error) {
    return fail(error, signal);
  } finally {
    signal.removeEventListener('abort', interrupt);
  }
}

/** Every web-llm failure as a 'model' error whose message says what to do. */
function fail(error: unknown, signal?: AbortSignal): never {
  if (signal?.aborted) throw signal.reason;
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  const says = (text: string) => ({ kind: 'model' as const, message: text, retryable: false });
  // Too long a prompt is that row's problem, not the model's: the row fails alone.
  if (name === 'ContextWindowSizeExceededError') {
    throw new EngineError({
      kind: 'input',
      message: `This prompt does not fit in the model's context window (${message.split('\n')[0]}). Shorten the prompt or pick a model with a longer context; then retry the failed generations.`,
      retryable: false,
    });
  }
  if (name === 'DeviceLostError' || /device (was |is )?lost|out of memory|\boom\b/i.test(message)) {
    throw new EngineError(
      says(
        'The GPU ran out of memory or was lost. Reload the model (or pick a smaller one, or close other GPU-heavy tabs), then resume the run.',
      ),
    );
  }
  if (name === 'ModelNotLoadedError') {
    throw new EngineError(
      says('The model is not loaded (a lost GPU unloads it). Load it again, then resume the run.'),
    );
  }
  if (name === 'ShaderF16SupportError') {
    throw new EngineError(
      says(
        'This model needs the shader-f16 GPU feature, which this GPU lacks. Pick its q4f32 variant.',
      ),
    );
  }
  if (name === 'WebGPUNotAvailableError' || name === 'WebGPUNotFoundError') {
    throw new EngineError(
      says('This browser offers no WebGPU. Use the llama.cpp (GGUF) provider instead.'),
    );
  }
  if (isFetchFailure(message)) {
    throw new EngineError({
      kind: 'network',
      message: `Could not download the model (${message}). Check the network, then try again; once downloaded, it loads offline.`,
      retryable: false,
    });
  }
  throw new EngineError(says(`web-llm: ${message}`));
}
