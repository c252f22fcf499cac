import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Remote } from 'comlink';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { build, preview } from 'vite';
import { chromiumArgs, chromiumPath } from '../e2e/support';
import type { EngineAPI } from '../src/engine/worker';
import type { BaselineAPI } from './harness/baseline';

declare global {
  /** What bench/harness/main.ts puts on the page, for page.evaluate. */
  interface Window {
    bench: {
      engine: Remote<EngineAPI>;
      baseline: Remote<BaselineAPI>;
      mountApp(): Promise<void>;
    };
  }
}

/**
 * The benchmark harness (bench/harness: the app's engine worker and a
 * baseline worker) built with Vite and opened in Chromium with a persistent
 * profile in a temporary directory: an ordinary context keeps IndexedDB in
 * memory, and the figures are meant for IndexedDB on disk.
 */
export interface Bench {
  /** The harness page of the browser started last. */
  page: Page;
  /** This browser's processes, for memory and CPU time. */
  processes: ProcessTree;
  /**
   * Starts the browser afresh on the same profile (the same IndexedDB), so a
   * step's memory is not hidden in heap that an earlier step left committed.
   */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function openBench(): Promise<Bench> {
  const root = resolve(import.meta.dirname, 'harness');
  const outDir = mkdtempSync(join(tmpdir(), 'retort-bench-'));
  const profile = mkdtempSync(join(tmpdir(), 'retort-bench-profile-'));
  const shared = { configFile: false as const, root, logLevel: 'error' as const };
  // A production build, as the app ships (vitest's NODE_ENV would give React's development build).
  await build({
    ...shared,
    mode: 'production',
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    oxc: { jsx: { runtime: 'automatic', development: false } },
    worker: { format: 'es' },
    build: { outDir, target: 'es2022' },
  });
  const server = await preview({
    ...shared,
    build: { outDir },
    // As the app is served (vite.config.ts): cross-origin isolated.
    preview: {
      host: '127.0.0.1',
      port: 0,
      headers: {
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
      },
    },
  });
  let context: BrowserContext | undefined;
  const bench: Bench = {
    page: undefined as unknown as Page,
    processes: new ProcessTree(profile),
    async restart() {
      await context?.close();
      context = await chromium.launchPersistentContext(profile, {
        executablePath: chromiumPath(),
        headless: true,
        // The HTTPS loopback server's certificate is self-signed (engine.bench.ts).
        args: [...chromiumArgs, '--ignore-certificate-errors'],
      });
      const page = context.pages()[0] ?? (await context.newPage());
      page.on('console', (m) => m.type() === 'error' && console.log('[page]', m.text()));
      await page.goto(server.resolvedUrls?.local[0] ?? '');
      await page.waitForFunction(() => 'bench' in window);
      bench.page = page;
    },
    async close() {
      await context?.close();
      await server.close();
      rmSync(outDir, { recursive: true, force: true });
      rmSync(profile, { recursive: true, force: true });
    },
  };
  await bench.restart();
  return bench;
}

/**
 * The processes of the Chromium started with `profile` (browser, renderer
 * with its workers, GPU, network and storage services), read from /proc.
 */
export class ProcessTree {
  constructor(private readonly profile: string) {}

  /**
   * Peak memory while `body` runs, above the level just before: the sum of
   * PSS (proportional set size, so shared libraries count once) over the
   * processes, sampled every 100 ms.
   */
  async peakMemory<T>(body: () => Promise<T>): Promise<{ value: T; peakMB: number }> {
    const before = await this.pss();
    let peak = before;
    let sampling = Promise.resolve();
    const timer = setInterval(() => {
      sampling = sampling.then(async () => {
        peak = Math.max(peak, await this.pss());
      });
    }, 100);
    try {
      const value = await body();
      return { value, peakMB: (peak - before) / 1024 };
    } finally {
      clearInterval(timer);
      await sampling;
    }
  }

  /**
   * Waits until the browser is idle: under 10% of a core over a quarter of a
   * second, twice in a row (or half a minute at most). After a million records are
   * written, IndexedDB's storage compacts them in the background for seconds;
   * a step timed meanwhile shares the two cores with it.
   */
  async settle(): Promise<void> {
    const quarter = 250;
    let quiet = 0;
    let last = this.cpuMs().all;
    for (const started = Date.now(); quiet < 2 && Date.now() - started < 30_000; ) {
      await new Promise((resolve) => setTimeout(resolve, quarter));
      const now = this.cpuMs().all;
      quiet = now - last < quarter / 10 ? quiet + 1 : 0;
      last = now;
    }
  }

  /** CPU time (user + system) used so far, in ms: by the renderer (page and workers), and by all. */
  cpuMs(): { renderer: number; all: number } {
    const ticks = 1000 / 100; // USER_HZ is 100 on Linux
    let renderer = 0;
    let all = 0;
    for (const [pid, type] of this.processes()) {
      const fields = statFields(pid);
      if (!fields) continue;
      const ms = (Number(fields[11]) + Number(fields[12])) * ticks;
      all += ms;
      if (type === 'renderer') renderer += ms;
    }
    return { renderer, all };
  }

  private async pss(): Promise<number> {
    let kilobytes = 0;
    for (const pid of this.processes().keys()) {
      const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '');
      kilobytes += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
    }
    return kilobytes;
  }

  /** pid -> process type (`--type=`; 'browser' for the root). */
  private processes(): Map<string, string> {
    const parents = new Map<string, string>();
    const types = new Map<string, string>();
    for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
      const fields = statFields(pid);
      const command = readText(`/proc/${pid}/cmdline`);
      if (!fields || command === undefined) continue;
      parents.set(pid, fields[1]);
      const type = /--type=([\w-]+)/.exec(command)?.[1];
      if (type) types.set(pid, type);
      else if (command.includes(this.profile)) types.set(pid, 'browser');
    }
    const tree = new Map([...types].filter(([, type]) => type === 'browser'));
    for (let grew = true; grew; ) {
      grew = false;
      for (const [pid, parent] of parents) {
        if (!tree.has(pid) && tree.has(parent)) {
          tree.set(pid, types.get(pid) ?? 'other');
          grew = true;
        }
      }
    }
    return tree;
  }
}

/** The fields of /proc/<pid>/stat after the command name, which may hold spaces and parentheses. */
function statFields(pid: string): string[] | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process ended while we looked
  }
}
