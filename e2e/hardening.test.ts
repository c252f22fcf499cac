/**
 * The hardened page, served as static hosts serve it: under the headers of
 * public/_headers the OpenAI adapter and llama.cpp run, web-llm gets as far as
 * its download, and nothing is refused; from a host that sends no header at all
 * the service worker isolates the page so llama.cpp still gets threads; the
 * manifest makes the app installable.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '../tests/server/openaiServer';
import {
  chooseOpenAI,
  chromiumArgs,
  chromiumPath,
  distDir,
  exportJsonl,
  launchChromium,
  runToCompletion,
  serveStatic,
} from './support';

const dir = mkdtempSync(join(tmpdir(), 'retort-hardening-'));
const tinyPath = join(dir, 'tiny-llama.gguf');
execFileSync(process.execPath, ['scripts/make-tiny-gguf.mjs', tinyPath]);
const tiny = readFileSync(tinyPath);
const models = { '/models/tiny.gguf': tiny };

const PROMPTS = ['Say hello.', 'Name a colour.'];

/** The headers public/_headers gives every path (`/*`), as Netlify and Cloudflare Pages read it. */
function headersFile(): Record<string, string> {
  const text = readFileSync(join(distDir, '_headers'), 'utf8');
  const block = text.split(/^\/\*\s*$/m)[1];
  return Object.fromEntries(
    block
      .split('\n')
      .map((line) => line.match(/^\s+([\w-]+):\s*(.+)$/))
      .filter((match) => match !== null)
      .map((match) => [match[1], match[2].trim()]),
  );
}

/** The policy the build puts in its page. */
function metaPolicy(): string {
  const html = readFileSync(join(distDir, 'index.html'), 'utf8');
  const content = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)"/)?.[1];
  return (content ?? '').replaceAll('&#39;', "'");
}

let browser: Browser;
let server: TestServer;

beforeAll(async () => {
  [browser, server] = await Promise.all([launchChromium(), startTestServer()]);
});

afterAll(async () => {
  await Promise.all([browser?.close(), server?.close()]);
});

async function importPrompts(page: Page): Promise<void> {
  const jsonl = PROMPTS.map((instruction) => JSON.stringify({ instruction })).join('\n');
  await page
    .getByLabel('Import dataset')
    .setInputFiles({ name: 'prompts.jsonl', mimeType: 'text/plain', buffer: Buffer.from(jsonl) });
  await page.getByText(`${PROMPTS.length} rows · columns: instruction`).waitFor();
}

async function chooseLlamaCpp(page: Page): Promise<void> {
  await page
    .getByRole('combobox', { name: 'Provider' })
    .selectOption({ label: 'llama.cpp (GGUF)' });
  await page.getByRole('spinbutton', { name: 'Context size' }).fill('2048');
  for (const [name, value] of Object.entries({ Threads: '2', 'Max new tokens': '8' }))
    await page.getByRole('spinbutton', { name }).fill(value);
}

const modelStatus = (page: Page) => page.getByRole('status', { name: 'Model status' });

/**
 * Loads the tiny GGUF from the host by its web address, on 2 threads (the
 * page is isolated), runs the prompts on it and checks the export names it.
 */
async function runOnTinyFromHost(page: Page, host: { url: string }): Promise<void> {
  await chooseLlamaCpp(page);
  await page.getByRole('combobox', { name: 'Source' }).selectOption({ label: 'Web address' });
  await page.getByRole('textbox', { name: 'Model URL' }).fill(`${host.url}models/tiny.gguf`);
  await page.getByRole('button', { name: 'Load model' }).click();
  await modelStatus(page).filter({ hasText: 'Loaded: tiny.gguf' }).waitFor();
  expect(await modelStatus(page).textContent()).toContain('2 threads');
  await runToCompletion(page);
  const rows = await exportJsonl(page);
  expect(rows.map((row) => row.model_name)).toEqual(PROMPTS.map(() => 'tiny.gguf'));
}

test('public/_headers and vercel.json send the isolation headers and the page policy, with frame-ancestors', () => {
  const policy = metaPolicy();
  expect(policy).toContain("script-src 'self' 'wasm-unsafe-eval'");
  const expected = {
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Content-Security-Policy': `${policy}; frame-ancestors 'none'`,
  };
  expect(headersFile()).toEqual(expected);
  const vercel = JSON.parse(readFileSync('vercel.json', 'utf8')) as {
    headers: { source: string; headers: { key: string; value: string }[] }[];
  };
  expect(vercel.headers).toHaveLength(1);
  expect(vercel.headers[0].source).toBe('/(.*)');
  expect(
    Object.fromEntries(vercel.headers[0].headers.map(({ key, value }) => [key, value])),
  ).toEqual(expected);
});

/**
 * A host that sends public/_headers, its policy also reporting every refusal (from
 * the page and from its workers, which get the header too) into `reports`.
 */
async function hostReportingRefusals(files?: Record<string, Uint8Array>) {
  const reports: { 'violated-directive': string; 'blocked-uri': string }[] = [];
  const headers = headersFile();
  const host = await serveStatic({
    headers: {
      ...headers,
      'Content-Security-Policy': `${headers['Content-Security-Policy']}; report-uri /csp-report`,
    },
    files,
    handle: (request, response) => {
      if (request.url !== '/csp-report') return false;
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        reports.push(JSON.parse(body)['csp-report']);
        response.writeHead(204).end();
      });
      return true;
    },
  });
  return { ...host, reports };
}

/** What the page says about refusals: its `securitypolicyviolation` events and console errors. */
async function watchRefusals(page: Page) {
  const watched = { refused: [] as string[], errors: [] as string[] };
  await page.exposeFunction('reportRefusal', (text: string) => watched.refused.push(text));
  await page.addInitScript(() =>
    document.addEventListener('securitypolicyviolation', (event) =>
      (window as unknown as { reportRefusal(text: string): void }).reportRefusal(
        `${event.effectiveDirective} ${event.blockedURI}`,
      ),
    ),
  );
  page.on('console', (message) => {
    if (message.type() === 'error') watched.errors.push(message.text());
  });
  page.on('pageerror', (error) => watched.errors.push(error.message));
  return watched;
}

/**
 * Injects a script the policy must refuse, and expects it to be the only refusal:
 * seeing it refused and reported shows that refusals are seen at all.
 */
async function expectOnlyInjectedScriptRefused(
  page: Page,
  reports: Awaited<ReturnType<typeof hostReportingRefusals>>['reports'],
  { refused, errors }: Awaited<ReturnType<typeof watchRefusals>>,
): Promise<void> {
  await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'document.title = "injected"';
    document.head.append(script);
  });
  // Refused under the page's <meta> policy and under the host's, each saying so in the
  // console; reported once, by the host's.
  await expect.poll(() => [refused.length, errors.length, reports.length]).toEqual([2, 2, 1]);
  expect(reports.map((r) => `${r['violated-directive']} ${r['blocked-uri']}`)).toEqual([
    'script-src-elem inline',
  ]);
  expect(refused).toEqual(['script-src-elem inline', 'script-src-elem inline']);
  expect(errors).toEqual(Array(2).fill(expect.stringMatching(/^Executing inline script violates/)));
  expect(await page.title()).toBe('Retort');
}

test('under its policy, a run through the OpenAI adapter and one on llama.cpp complete, and nothing is refused', async () => {
  const host = await hostReportingRefusals(models);
  const page = await (await browser.newContext({ acceptDownloads: true })).newPage();
  const watched = await watchRefusals(page);
  await page.goto(host.url);
  await importPrompts(page);

  await chooseOpenAI(page, server.url, 'test-model');
  await runToCompletion(page);
  expect((await exportJsonl(page)).map((row) => row.generation)).toEqual(
    PROMPTS.map((prompt) => `[test-model] echo: ${prompt}`),
  );

  // The host's headers isolate the page: llama.cpp runs on threads.
  await runOnTinyFromHost(page, host);

  await expectOnlyInjectedScriptRefused(page, host.reports, watched);
  await page.context().close();
  await host.close();
});

test('under its policy, web-llm loads on WebGPU and asks the Hub for its model, refused nothing', async () => {
  // No web-llm model can be had here, so the Hub is made unreachable: the load goes as far
  // as a download can without one, and fails saying so.
  const host = await hostReportingRefusals();
  const webgpu = await launchChromium({ webgpu: true });
  try {
    const context = await webgpu.newContext();
    const asked: string[] = [];
    await context.route('https://huggingface.co/**', (route) => {
      asked.push(route.request().url());
      return route.abort('internetdisconnected');
    });
    const page = await context.newPage();
    const watched = await watchRefusals(page);
    await page.goto(host.url);
    await expect
      .poll(() => page.getByRole('combobox', { name: 'Provider' }).inputValue())
      .toBe('webllm');
    await page.getByRole('button', { name: 'Load model' }).click();
    await page.getByRole('alert').filter({ hasText: 'Could not download the model' }).waitFor();
    expect(asked.some((url) => url.includes('-MLC/'))).toBe(true);
    await expectOnlyInjectedScriptRefused(page, host.reports, watched);
  } finally {
    await webgpu.close();
    await host.close();
  }
});

test('from a host that sends no header, the service worker isolates the page after one reload, and llama.cpp runs on threads', async () => {
  const host = await serveStatic({ files: models });
  const page = await (await browser.newContext({ acceptDownloads: true })).newPage();
  let loads = 0;
  page.on('load', () => loads++);
  const response = await page.goto(host.url);
  expect(response?.headers()['cross-origin-opener-policy']).toBeUndefined();
  // Untouched, the page reloads itself once the service worker controls it, and comes back isolated.
  await expect
    .poll(() => page.evaluate(() => crossOriginIsolated).catch(() => false), { timeout: 60_000 })
    .toBe(true);
  await expect.poll(() => loads).toBe(2);

  await importPrompts(page);
  await runOnTinyFromHost(page, host);
  expect(loads).toBe(2);
  await page.context().close();
  await host.close();
});

test('a page the person has started using is not reloaded under them: isolation comes with the next visit', async () => {
  // The service worker arrives only once the person has touched the page, as on a slow network.
  let release!: () => void;
  const touched = new Promise<void>((resolve) => (release = resolve));
  const worker = readFileSync(join(distDir, 'sw.js'));
  const host = await serveStatic({
    handle: (request, response) => {
      if (request.url !== '/sw.js') return false;
      void touched.then(() =>
        response.writeHead(200, { 'Content-Type': 'text/javascript' }).end(worker),
      );
      return true;
    },
  });
  const page = await (await browser.newContext()).newPage();
  await page.goto(host.url);
  await page.evaluate(() => {
    (window as unknown as { firstDocument: boolean }).firstDocument = true;
  });
  await page.getByRole('combobox', { name: 'Task' }).click();
  release();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, {
    timeout: 60_000,
  });
  // Still the document the person was using, not isolated.
  expect(
    await page.evaluate(() => [
      (window as unknown as { firstDocument?: boolean }).firstDocument,
      crossOriginIsolated,
    ]),
  ).toEqual([true, false]);
  await page.reload();
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await page.context().close();
  await host.close();
});

test('the app is installable: its manifest names it and lists PNG icons of the sizes it states, a maskable one among them', async () => {
  const host = await serveStatic({ headers: headersFile() });
  // Chromium offers no install in a private window: this one has a profile on disk.
  const context = await chromium.launchPersistentContext(mkdtempSync(join(dir, 'profile-')), {
    executablePath: chromiumPath(),
    args: chromiumArgs,
  });
  const page = await context.newPage();
  await page.goto(host.url);
  const manifestUrl = await page.locator('link[rel="manifest"]').getAttribute('href');
  expect(manifestUrl).toBeTruthy();
  const manifest = await page.evaluate(
    async (url) => (await fetch(url)).json(),
    manifestUrl as string,
  );
  expect(manifest).toMatchObject({
    name: 'Retort',
    short_name: 'Retort',
    display: 'standalone',
    start_url: expect.any(String),
  });

  const icons = manifest.icons as { src: string; sizes: string; type: string; purpose?: string }[];
  expect(icons.some((icon) => icon.purpose === 'maskable')).toBe(true);
  for (const size of ['192x192', '512x512'])
    expect(icons.some((icon) => icon.sizes === size && icon.purpose === undefined)).toBe(true);
  for (const icon of icons) {
    const fetched = await page.evaluate(async (src) => {
      const response = await fetch(new URL(src, document.baseURI));
      return {
        type: response.headers.get('content-type'),
        bytes: [...new Uint8Array(await response.arrayBuffer()).subarray(0, 24)],
      };
    }, icon.src);
    expect(fetched.type).toBe('image/png');
    const header = Buffer.from(fetched.bytes);
    // The PNG signature, then the IHDR chunk's width and height.
    expect(header.subarray(0, 8)).toEqual(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
    expect(`${header.readUInt32BE(16)}x${header.readUInt32BE(20)}`).toBe(icon.sizes);
  }

  // Chromium's own verdict, as its install button would give it.
  const cdp = await context.newCDPSession(page);
  const { errors } = await cdp.send('Page.getAppManifest');
  expect(errors).toEqual([]);
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  expect(installabilityErrors).toEqual([]);
  await context.close();
  await host.close();
});
