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

/** Serves the tiny model, and a corrupt one (a GGUF header, then garbage). */
function models(): Plugin {
  const tiny = buildTinyGguf();
  const corrupt = tiny.slice(0, 4096);
  corrupt.fill(0x5a, 64);
  const files: Record<string, Uint8Array> = { '/models/tiny.gguf': tiny, '/models/corrupt.gguf': corrupt };
  return {
    name: 'tiny-models',
    configurePreviewServer(server) {
      server.middlewares.use((req, res, next) => {
        const body = files[req.url ?? ''];
        if (!body) return next();
        res.setHeader('Content-Type', 'application/octet-stream');
        res.setHeader('Content-Length', body.length);
        res.end(req.method === 'HEAD' ? undefined : body);
      });
    },
  };
}

type Harness = { [K in keyof HarnessApi]: (...args: Parameters<HarnessApi[K]>) => ReturnType<HarnessApi[K]> };
type Generated = GenerateResult & { ms: number; error?: undefined };

/** Calls the worker API that e2e/harness/main.ts puts on `window.harness`. */
function call<K extends keyof HarnessApi>(page: Page, method: K, ...args: Parameters<HarnessApi[K]>) {
  return page.evaluate(
    ([m, a]) => (window as unknown as { harness: Harness }).harness[m](...(a as Parameters<HarnessApi[K]>)),
    [method, args] as const,
  ) as ReturnType<HarnessApi[K]>;
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


  it('explore', async () => {
    for (const opts of [{ threads: 1 }, { threads: 2 }, { threads: 4 }, { threads: 1, parallel: 4 }]) {
      const loaded = await call(page, 'load', { kind: 'url', url: `${url}models/tiny.gguf` }, { contextSize: 2048, ...opts });
      console.log(JSON.stringify(opts), JSON.stringify(loaded));
      const r = (await call(page, 'generate', request({ n: 4, sampling: { temperature: 0.8, seed: 1, maxTokens: 200 } }))) as Generated;
      const tokens = r.usage.reduce((s, u) => s + u.outputTokens, 0);
      console.log('seq', tokens, Math.round(r.ms), Math.round((tokens / r.ms) * 1000), JSON.stringify(r.texts[0]).slice(0, 300));
      const started = Date.now();
      const all = await page.evaluate(() => {
        const h = (window as unknown as { harness: Harness }).harness;
        return Promise.all([0, 1, 2, 3].map((i) => h.generate({ messages: [{ role: 'user', content: `Hello ${i}` }], n: 1, sampling: { seed: i, maxTokens: 200 } })));
      });
      const t2 = all.reduce((s, r) => s + ((r as Generated).usage?.[0].outputTokens ?? 0), 0);
      console.log('concurrent4', t2, Date.now() - started, Math.round((t2 / (Date.now() - started)) * 1000));
    }
    const json = (await call(page, 'generate', request({ n: 2, jsonSchema: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'integer' } }, required: ['a', 'b'] } }))) as Generated;
    console.log('json', JSON.stringify(json));
    const bad = await call(page, 'load', { kind: 'url', url: `${url}models/corrupt.gguf` });
    console.log('bad', JSON.stringify(bad));
    const missing = await call(page, 'load', { kind: 'url', url: `${url}models/missing.gguf` });
    console.log('missing', JSON.stringify(missing));
  });
});
