import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { LocalModelState } from '../src/engine/llm/localModels';
import type { GenerateRequest, LocalProviderConfig } from '../src/engine/llm/types';

/** What the engine doubles were asked, in order. */
const calls: string[] = [];
/** Lets a test hold a web-llm load open, or make it fail. */
let reloadGate: Promise<void> = Promise.resolve();
let chatFailure: Error | undefined;

vi.mock('@mlc-ai/web-llm', () => ({
  MLCEngine: class {
    private progress?: (report: { progress: number; text: string }) => void;
    chat = {
      completions: {
        create: async () => {
          if (chatFailure) throw chatFailure;
          return {
            choices: [{ message: { content: 'hi' } }],
            usage: { prompt_tokens: 3, completion_tokens: 1 },
          };
        },
      },
    };
    completions = {
      create: async () => {
        if (chatFailure) throw chatFailure;
        return { choices: [{ text: 'hi' }], usage: { prompt_tokens: 3, completion_tokens: 1 } };
      },
    };
    setInitProgressCallback(callback: typeof this.progress) {
      this.progress = callback;
    }
    async reload(id: string) {
      calls.push(`webllm reload ${id}`);
      this.progress?.({ progress: 0.5, text: 'Fetching param cache' });
      await reloadGate;
    }
    async unload() {
      calls.push('webllm unload');
    }
    interruptGenerate() {}
  },
}));

vi.mock('../src/engine/llm/wllama', () => ({
  loadWllamaModel: async (options: {
    source: { name?: string; file?: Blob };
    parallel: number;
  }) => {
    calls.push(`wllama load ${options.source.name} (${options.source.file?.size} bytes)`);
    return {
      modelName: options.source.name,
      maxConcurrency: options.parallel,
      info: { multiThread: false, threads: 1, gpuLayers: 0, contextSize: 1024 },
      generate: async () => ({ choices: [] }),
      unload: async () => {
        calls.push('wllama unload');
      },
    };
  },
}));

const local = await import('../src/engine/llm/localModels');
const states: LocalModelState[] = [];
local.watchModel((state) => states.push(state));

const webllm = (model: string): LocalProviderConfig => ({ provider: 'webllm', model });
const gguf: LocalProviderConfig = {
  provider: 'wllama',
  model: 'tiny.gguf',
  source: { kind: 'file', name: 'tiny.gguf' },
  contextSize: 1024,
  threads: 1,
  parallel: 2,
};
const request: GenerateRequest = {
  messages: [{ role: 'user', content: 'hello' }],
  n: 1,
  sampling: {},
};

beforeEach(async () => {
  await local.unloadLocalModel();
  calls.length = 0;
  states.length = 0;
  reloadGate = Promise.resolve();
  chatFailure = undefined;
});

describe('the local model manager', () => {
  it('loads a model once, reuses it for the same settings, and reports progress to the watcher', async () => {
    const [first, second] = await Promise.all([
      local.loadLocalModel(webllm('A')),
      local.loadLocalModel(webllm('A')),
    ]);
    expect(first).toBe(second);
    expect(first.maxConcurrency).toBe(1);
    await local.loadLocalModel(webllm('A'));
    expect(calls).toEqual(['webllm reload A']);
    expect(states.map((s) => s.status)).toEqual(['loading', 'loading', 'ready']);
    expect(states[1]).toMatchObject({ progress: 0.5, text: 'Fetching param cache' });
    expect(states.at(-1)).toMatchObject({ status: 'ready', name: 'A', key: 'webllm:A' });
  });

  it('unloads the loaded model before it loads another', async () => {
    await local.addModelFile(new File([new Uint8Array(7)], 'tiny.gguf'));
    await local.loadLocalModel(webllm('A'));
    const model = await local.loadLocalModel(gguf);
    expect(model.maxConcurrency).toBe(2);
    await local.loadLocalModel(webllm('B'));
    expect(calls).toEqual([
      'webllm reload A',
      'webllm unload',
      'wllama load tiny.gguf (7 bytes)',
      'wllama unload',
      'webllm reload B',
    ]);
  });

  it('asks for a picked file again when the page has forgotten it', async () => {
    const forgotten = {
      ...gguf,
      model: 'gone.gguf',
      source: { kind: 'file' as const, name: 'gone.gguf' },
    };
    await expect(local.loadLocalModel(forgotten)).rejects.toMatchObject({
      kind: 'input',
      message: expect.stringContaining('Pick it again under Model file'),
    });
    expect(states.at(-1)).toMatchObject({ status: 'failed', name: 'gone.gguf' });
  });

  it('lets a paused run stop waiting while the load carries on', async () => {
    let open = () => {};
    reloadGate = new Promise((resolve) => {
      open = resolve;
    });
    const run = new AbortController();
    const waiting = local.loadLocalModel(webllm('A'), run.signal);
    run.abort(new DOMException('Paused', 'AbortError'));
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    open();
    await local.loadLocalModel(webllm('A'));
    expect(calls).toEqual(['webllm reload A']);
    expect(states.at(-1)?.status).toBe('ready');
  });

  it('drops a model whose GPU was lost, so the next run loads it again', async () => {
    const model = await local.loadLocalModel(webllm('A'));
    chatFailure = Object.assign(new Error('GPU device was lost'), { name: 'DeviceLostError' });
    await expect(model.generate(request, new AbortController().signal)).rejects.toMatchObject({
      kind: 'model',
      message: expect.stringContaining('Reload the model'),
    });
    expect(states.at(-1)).toMatchObject({ status: 'failed', key: 'webllm:A' });
    chatFailure = undefined;
    await local.loadLocalModel(webllm('A'));
    expect(calls).toEqual(['webllm reload A', 'webllm unload', 'webllm reload A']);
  });

  it('drops the model as well when a raw completion loses the GPU', async () => {
    const model = await local.loadLocalModel(webllm('A'));
    chatFailure = Object.assign(new Error('GPU device was lost'), { name: 'DeviceLostError' });
    const completion = { prompt: 'hello', n: 1, sampling: {} };
    await expect(model.complete!(completion, new AbortController().signal)).rejects.toMatchObject({
      kind: 'model',
    });
    expect(states.at(-1)).toMatchObject({ status: 'failed', key: 'webllm:A' });
    expect(calls).toEqual(['webllm reload A', 'webllm unload']);
  });
});
