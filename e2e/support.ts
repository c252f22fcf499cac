import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { type Browser, chromium, type LaunchOptions, type Page } from 'playwright-core';
import { type Plugin, type PreviewServer, preview } from 'vite';
import { afterAll, beforeAll } from 'vitest';
import { startTestServer, type TestServer } from '../tests/server/openaiServer';

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

/** The run's progress as the progress bar tells it to assistive technology. */
export async function runProgress(page: Page): Promise<{ now: number; max: number }> {
  const bar = page.getByRole('progressbar', { name: 'Run progress' });
  return {
    now: Number(await bar.getAttribute('aria-valuenow')),
    max: Number(await bar.getAttribute('aria-valuemax')),
  };
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
