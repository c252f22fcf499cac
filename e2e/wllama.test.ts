/**
 * llama.cpp (wllama) for real in Chromium, in a Web Worker, on the tiny GGUF
 * that scripts/make-tiny-gguf.mjs writes. A stopgap harness (e2e/harness)
 * stands in for the app's UI; it is built with Vite, so the wasm asset is
 * located as in the production build.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { build, type Plugin, type PreviewServer, preview } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTinyGguf } from '../scripts/make-tiny-gguf.mjs';
import type { EngineErrorData } from '../src/engine/errors';
import type { GenerateRequest, GenerateResult } from '../src/engine/llm/types';
import type { HarnessApi } from './harness/worker';
import { launchChromium } from './support';

const root = resolve(import.meta.dirname, 'harness');
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** Serves the tiny model and a corrupt one (a GGUF header, then garbage); 404 for others. */
function models(): Plugin {
  const tiny = buildTinyGguf();
  const corrupt = tiny.slice(0, 4096);
  corrupt.fill(0x5a, 64);
  const files: Record<string, Uint8Array> = {
    '/models/tiny.gguf': tiny,
    '/models/corrupt.gguf': corrupt,
  };
  return {
    name: 'tiny-models',
    configurePreviewServer(server) {
      server.middlewares.use((req, res, next) => {
        if (!req.url?.startsWith('/models/')) return next();
        const body = files[req.url];
        res.statusCode = body ? 200 : 404;
        if (!body) return res.end();
        res.setHeader('Content-Type', 'application/octet-stream');
        res.setHeader('Content-Length', body.length);
        res.end(req.method === 'HEAD' ? undefined : body);
      });
    },
  };
}

type Generated = GenerateResult & { ms: number; error?: undefined };
type Remote = Record<string, (...args: unknown[]) => Promise<unknown>>;

/** Calls the worker API that e2e/harness/main.ts puts on `window.harness`. */
async function call<K extends keyof HarnessApi>(
  page: Page,
  method: K,
  ...args: Parameters<HarnessApi[K]>
): Promise<Awaited<ReturnType<HarnessApi[K]>>> {
  const result = await page.evaluate(
    ([m, a]) => (window as unknown as { harness: Remote }).harness[m](...a),
    [method, args] as [string, unknown[]],
  );
  return result as Awaited<ReturnType<HarnessApi[K]>>;
}

const request = (over: Partial<GenerateRequest> = {}): GenerateRequest => ({
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'Say hello to the world.' },
  ],
  n: 2,
  sampling: { temperature: 0.8, seed: 7, maxTokens: 48 },
  ...over,
});

describe('wllama in Chromium', () => {
  let server: PreviewServer;
  let browser: Browser;
  let page: Page;
  let url: string;
  /** The texts of the seeded request, from the first test. */
  let seeded: (string | null)[] = [];

  beforeAll(async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'wllama-harness-'));
    const shared = { configFile: false as const, root, logLevel: 'error' as const };
    await build({ ...shared, worker: { format: 'es' }, build: { outDir, target: 'es2022' } });
    server = await preview({
      ...shared,
      build: { outDir },
      plugins: [models()],
      preview: { host: '127.0.0.1', port: 0, headers: isolation },
    });
    url = server.resolvedUrls?.local[0] ?? '';
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('console', (m) => m.type() === 'error' && console.log('[page]', m.text()));
    await page.goto(url);
    await page.waitForFunction(() => 'harness' in window);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('loads the tiny GGUF from a URL and generates text with token counts, the same twice with a seed', async () => {
    const loaded = await call(
      page,
      'load',
      { kind: 'url', url: `${url}models/tiny.gguf` },
      { contextSize: 1024 },
    );
    expect(loaded.error).toBeUndefined();
    expect(loaded).toMatchObject({ modelName: 'tiny.gguf', inWorker: true, isolated: true });
    expect(loaded.progress).toBe(buildTinyGguf().length);
    console.log('wllama load info', loaded.info);

    const first = (await call(page, 'generate', request())) as Generated;
    expect(first.error).toBeUndefined();
    expect(first.texts).toHaveLength(2);
    for (const [i, text] of first.texts.entries()) {
      expect(text?.length).toBeGreaterThan(0);
      expect(first.usage[i].inputTokens).toBeGreaterThan(10);
      expect(first.usage[i].outputTokens).toBeGreaterThan(0);
      expect(first.usage[i].reported).toBe(true);
    }
    // A different seed per generation, so n generations differ.
    expect(first.texts[0]).not.toBe(first.texts[1]);

    const again = (await call(page, 'generate', request())) as Generated;
    expect(again.texts).toEqual(first.texts);
    seeded = first.texts;
    const tokens = first.usage.reduce((sum, u) => sum + u.outputTokens, 0);
    console.log(
      `wllama: ${tokens} tokens in ${Math.round(first.ms)} ms, ${Math.round((tokens / first.ms) * 1000)} tokens/s`,
    );
  });

  it('loads a local file, multi-threaded with parallel slots, and gives the same seeded text', async () => {
    const loaded = await page.evaluate(async () => {
      const file = new File([await (await fetch('/models/tiny.gguf')).blob()], 'tiny-local.gguf');
      const options = { contextSize: 1024, threads: 2, parallel: 2 };
      return (window as unknown as { harness: Remote }).harness.load(
        { kind: 'file', name: file.name, file },
        options,
      );
    });
    expect(loaded).toMatchObject({ modelName: 'tiny-local.gguf', maxConcurrency: 2 });
    const { info, cores } = loaded as { info: { multiThread: boolean }; cores: number };
    // Cross-origin isolated, so llama.cpp gets threads wherever there are two cores.
    expect(info.multiThread).toBe(cores >= 2);

    const both = await Promise.all([
      call(page, 'generate', request()),
      call(page, 'generate', request()),
    ]);
    for (const result of both) expect((result as Generated).texts).toEqual(seeded);
  });

  it('follows a JSON schema', async () => {
    const schema = {
      type: 'object',
      properties: { answer: { type: 'string', maxLength: 12 } },
      required: ['answer'],
      additionalProperties: false,
    };
    const result = (await call(
      page,
      'generate',
      request({ n: 1, jsonSchema: schema }),
    )) as Generated;
    expect(result.error).toBeUndefined();
    const parsed = JSON.parse(result.texts[0] ?? '');
    expect(typeof parsed.answer).toBe('string');
  });

  it('stops when aborted', async () => {
    const result = await call(
      page,
      'generate',
      request({ n: 1, sampling: { maxTokens: 100_000 } }),
      50,
    );
    expect((result as { error: EngineErrorData }).error).toMatchObject({ kind: 'aborted' });
  });

  it('says a model that cannot be downloaded is a network problem', async () => {
    const missing = await call(page, 'load', { kind: 'url', url: `${url}models/missing.gguf` });
    expect(missing.error).toMatchObject({
      kind: 'network',
      message: expect.stringContaining('HTTP 404'),
    });
  });

  it('says a corrupt GGUF is not a usable model, from a URL and from a file', async () => {
    const fromUrl = await call(page, 'load', { kind: 'url', url: `${url}models/corrupt.gguf` });
    expect(fromUrl.error).toMatchObject({
      kind: 'model',
      message: expect.stringContaining('not a usable GGUF'),
    });

    const fromFile = await page.evaluate(() => {
      const file = new File([new Uint8Array(1000).fill(7)], 'broken.gguf');
      return (window as unknown as { harness: Remote }).harness.load({
        kind: 'file',
        name: file.name,
        file,
      });
    });
    expect((fromFile as { error: EngineErrorData }).error).toMatchObject({
      kind: 'model',
      message: expect.stringContaining('broken.gguf is not a usable GGUF'),
    });
  });
});
