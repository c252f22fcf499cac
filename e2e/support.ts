import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve, sep } from 'node:path';
import { type Browser, chromium, type LaunchOptions, type Page } from 'playwright-core';
import { type Plugin, type PreviewServer, preview } from 'vite';
import { afterAll, beforeAll, expect } from 'vitest';
import {
  type AnswerRequest,
  defaultAnswer,
  startTestServer,
  type TestServer,
} from '../tests/server/openaiServer';

/**
 * Browser tests drive Debian's Chromium through playwright-core against the
 * built app served on localhost. A missing Chromium is a failure, never a skip.
 */
export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium'];
  try {
    candidates.push(execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim());
  } catch {
    // not on PATH: fall through to the error below
  }
  const found = candidates.find((path) => path && existsSync(path));
  if (!found)
    throw new Error(
      "Chromium is missing: the browser tests need Debian's chromium (apt-get install -y chromium; .ci/run does this).",
    );
  return found;
}

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

export function launchChromium(
  options: { webgpu?: boolean } & LaunchOptions = {},
): Promise<Browser> {
  const { webgpu, ...launch } = options;
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    ...launch,
    args: [...chromiumArgs, ...(webgpu ? ['--enable-unsafe-webgpu'] : []), ...(launch.args ?? [])],
  });
}

/** The build the browser tests serve: dist/, or another output directory named by RETORT_DIST. */
export const distDir = process.env.RETORT_DIST ?? 'dist';

/**
 * Serves the production build (dist/, made by `npm run build`) on a free localhost port,
 * and `files` (path -> bytes, e.g. a model) beside it.
 */
export async function serveApp(
  files: Record<string, Uint8Array> = {},
): Promise<{ url: string; close: () => Promise<void> }> {
  if (!existsSync(`${distDir}/index.html`))
    throw new Error(
      `${distDir}/ is missing: run \`npm run build\` before the browser tests (npm test does).`,
    );
  const server: PreviewServer = await preview({
    build: { outDir: distDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: false },
    logLevel: 'error',
    plugins: [serveFiles(files)],
  });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('The preview server did not report its address.');
  return { url, close: () => server.close() };
}

function serveFiles(files: Record<string, Uint8Array>): Plugin {
  return {
    name: 'test-files',
    configurePreviewServer(server) {
      server.middlewares.use((req, res, next) => {
        const body = req.url ? files[req.url] : undefined;
        if (!body) return next();
        res.setHeader('Content-Type', 'application/octet-stream');
        res.setHeader('Content-Length', body.length);
        res.end(req.method === 'HEAD' ? undefined : body);
      });
    },
  };
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
};

/**
 * Serves the build as the plainest static host would: its files and nothing
 * more, with `headers` on every response (none by default: no isolation, no
 * policy), unlike serveApp's preview server. `files` (path -> bytes) are served
 * beside it, and `handle` answers any request it returns true for.
 */
export async function serveStatic(
  options: {
    headers?: Record<string, string>;
    files?: Record<string, Uint8Array>;
    handle?: (request: IncomingMessage, response: ServerResponse) => boolean;
  } = {},
): Promise<{ url: string; close: () => Promise<void> }> {
  const root = resolve(distDir);
  if (!existsSync(`${root}/index.html`))
    throw new Error(`${distDir}/ is missing: run \`npm run build\` before the browser tests.`);
  const server = createServer(async (request, response) => {
    if (options.handle?.(request, response)) return;
    for (const [name, value] of Object.entries(options.headers ?? {}))
      response.setHeader(name, value);
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://host').pathname);
    const file = resolve(root, `.${path.endsWith('/') ? `${path}index.html` : path}`);
    const body =
      options.files?.[path] ??
      (file.startsWith(root + sep) ? await readFile(file).catch(() => undefined) : undefined);
    if (!body) {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
      return;
    }
    response.writeHead(200, {
      'Content-Type': contentTypes[extname(file)] ?? 'application/octet-stream',
      'Content-Length': body.length,
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** The run's progress as the progress bar tells it to assistive technology. */
export async function runProgress(page: Page): Promise<{ now: number; max: number }> {
  const bar = page.getByRole('progressbar', { name: 'Run progress' });
  return {
    now: Number(await bar.getAttribute('aria-valuenow')),
    max: Number(await bar.getAttribute('aria-valuemax')),
  };
}

/** How many runs are stored, and the newest one's status, read from the app's IndexedDB. */
export function storedRuns(page: Page): Promise<{ count: number; latest?: string }> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('retort');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const request = open.result.transaction('runs').objectStore('runs').getAll();
          request.onerror = () => reject(request.error);
          request.onsuccess = () => {
            open.result.close();
            const all = request.result as { created: number; status: string }[];
            const latest = all.toSorted((a, b) => b.created - a.created)[0];
            resolve({ count: all.length, latest: latest?.status });
          };
        };
      }),
  );
}

/** Presses Run and waits for this run's end: a new run stored as completed, and the page saying so. */
export async function runToCompletion(page: Page): Promise<void> {
  const before = (await storedRuns(page)).count;
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect
    .poll(() => storedRuns(page), { timeout: 60_000 })
    .toEqual({ count: before + 1, latest: 'completed' });
  await page
    .getByRole('status', { name: 'Run status' })
    .filter({ hasText: /completed/i })
    .waitFor();
}

/**
 * Imports prompts.csv: `rows` prompts ("prompt 0", "prompt 1", …) in an
 * `instruction` column, after an `id` column ("row-0", …) with `ids`; waits
 * for the Data step to show it.
 */
export async function importPrompts(
  page: Page,
  rows: number,
  { ids = false }: { ids?: boolean } = {},
): Promise<void> {
  const line = (i: number) => (ids ? `row-${i},prompt ${i}` : `prompt ${i}`);
  const header = ids ? 'id,instruction' : 'instruction';
  const csv = [header, ...Array.from({ length: rows }, (_, i) => line(i))].join('\n');
  await page.getByLabel('Import dataset').setInputFiles({
    name: 'prompts.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(csv),
  });
  await page.getByText(`${rows} rows · columns: ${header.replace(',', ', ')}`).waitFor();
}

/** Chooses the OpenAI-compatible provider with a base URL and, when given, a model id. */
export async function chooseOpenAI(page: Page, baseURL: string, model?: string): Promise<void> {
  await page
    .getByRole('combobox', { name: 'Provider' })
    .selectOption({ label: 'OpenAI-compatible API' });
  await page.getByRole('textbox', { name: 'Base URL' }).fill(baseURL);
  if (model !== undefined) await page.getByRole('combobox', { name: 'Model' }).fill(model);
}

/** Presses a button that downloads a file and reads the file as text (the context must accept downloads). */
export async function downloadText(page: Page, button: string): Promise<string> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: button }).click(),
  ]);
  return readFile((await download.path())!, 'utf8');
}

/** Presses Export JSONL and reads the downloaded file's rows. */
export async function exportJsonl(page: Page): Promise<Record<string, unknown>[]> {
  const text = await downloadText(page, 'Export JSONL');
  return text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

/**
 * Chromium, the built app and a loopback OpenAI-compatible server for one test
 * file: started before its tests, closed after them. `freshPage` opens the app
 * in a new context (its own IndexedDB), which accepts downloads.
 */
export function browserAppAndServer() {
  const env = {} as {
    browser: Browser;
    app: Awaited<ReturnType<typeof serveApp>>;
    server: TestServer;
    freshPage(): Promise<Page>;
  };
  beforeAll(async () => {
    [env.browser, env.app, env.server] = await Promise.all([
      launchChromium(),
      serveApp(),
      startTestServer(),
    ]);
  });
  afterAll(async () => {
    await Promise.all([env.browser?.close(), env.app?.close(), env.server?.close()]);
  });
  env.freshPage = async () => {
    const page = await (await env.browser.newContext({ acceptDownloads: true })).newPage();
    await page.goto(env.app.url);
    return page;
  };
  return env;
}

/**
 * An UltraFeedback judge for the loopback server that prefers test-model-b's
 * texts, 5 against 2, but ties the rivers at 3; other requests get the
 * server's echo.
 */
export function judgePreferringModelB(request: AnswerRequest): string {
  const prompt = String(request.messages.at(-1)?.content);
  const texts = [...prompt.matchAll(/<text (\d+)> ([^\n]*)/g)];
  if (texts.length === 0) return defaultAnswer(request);
  const tie = prompt.includes('Name a river.');
  return texts
    .map(([, n, text]) => {
      const rating = tie ? 3 : text.includes('[test-model-b]') ? 5 : 2;
      return `#### Output for Text ${n}\nRating: ${rating}\nRationale: The judge ${rating === 5 ? 'likes' : 'does not like'} this one.`;
    })
    .join('\n\n');
}
