/**
 * llama.cpp (wllama) in Chromium on the tiny random-weight GGUF, through the
 * app's engine worker and a real run (scheduler, store): output tokens/s with
 * one thread against all cores, and with one parallel slot against four over
 * the same batch of prompts. The form's defaults (threads, the cap on
 * n_parallel) are chosen from these ratios; see README "Models in the browser".
 */
import { expect, test } from 'vitest';
import { buildTinyGguf } from '../scripts/make-tiny-gguf.mjs';
import type { RunSpec } from '../src/engine/db/runs';
import type { LocalProviderConfig } from '../src/engine/llm/types';
import { defaultRunSettings } from '../src/engine/task';
import { openBench } from './browser';
import { printTable } from './table';

const PROMPTS = 64;
/** Greedy, this model never stops early: every generation is exactly this long. */
const MAX_TOKENS = 128;

interface Case {
  threads: number;
  parallel: number;
}

test('wllama: tokens/s single- vs multi-threaded, n_parallel 1 vs 4 (and 8, 16)', async () => {
  const bench = await openBench();
  try {
    const cores = await bench.page.evaluate(() => navigator.hardwareConcurrency);
    const cases: Case[] = [
      { threads: 1, parallel: 1 },
      { threads: cores, parallel: 1 },
      { threads: 1, parallel: 4 },
      { threads: cores, parallel: 4 },
      // Beyond 4: where more slots stop paying, for the cap on n_parallel.
      { threads: 1, parallel: 8 },
      { threads: 1, parallel: 16 },
    ];
    const gguf = Buffer.from(buildTinyGguf()).toString('base64');
    const measured = await bench.page.evaluate(
      async ({ gguf, cases, prompts, maxTokens, settings }) => {
        const { engine, baseline } = window.bench;
        const value = async <T>(outcome: Promise<{ ok: boolean; value?: T; error?: unknown }>) => {
          const result = await outcome;
          if (!result.ok) throw new Error(JSON.stringify(result.error));
          return result.value as T;
        };
        const bytes = Uint8Array.from(atob(gguf), (c) => c.charCodeAt(0));
        await value(engine.addModelFile(new File([bytes], 'tiny.gguf')));
        const lines = Array.from({ length: prompts }, (_, i) =>
          JSON.stringify({ instruction: `Write a few words about topic ${i}.` }),
        );
        const dataset = await value(
          engine.importFile(new File([lines.join('\n')], 'prompts.jsonl')),
        );
        const out = [];
        for (const { threads, parallel } of cases) {
          const provider: LocalProviderConfig = {
            provider: 'wllama',
            model: 'tiny.gguf',
            source: { kind: 'file', name: 'tiny.gguf' },
            contextSize: 4096,
            threads,
            parallel,
          };
          // Loaded first, so only generation is timed.
          await value(engine.loadModel(provider));
          const spec: RunSpec = {
            datasetId: dataset.id,
            taskId: 'text_generation',
            taskParams: {},
            settings,
            provider,
            sampling: { temperature: 0, maxTokens },
            concurrency: parallel,
          };
          const started = performance.now();
          const runId = await value(engine.startRun(spec, {}));
          const run = await baseline.waitForRun(runId);
          const seconds = (performance.now() - started) / 1000;
          out.push({
            threads,
            parallel,
            status: run.status,
            tokens: run.counters.outputTokens,
            seconds,
          });
        }
        return out;
      },
      { gguf, cases, prompts: PROMPTS, maxTokens: MAX_TOKENS, settings: defaultRunSettings },
    );

    const rate = (m: (typeof measured)[number]) => m.tokens / m.seconds;
    const base = rate(measured[0]);
    printTable(
      `wllama on the tiny GGUF (${cores} cores, cross-origin isolated): ${PROMPTS} prompts x ${MAX_TOKENS} tokens, one run each; ratio = tokens/s over 1 thread, 1 slot`,
      measured.map((m) => ({
        threads: m.threads,
        'n_parallel (= concurrency)': m.parallel,
        'output tokens': m.tokens,
        seconds: m.seconds,
        'tokens/s': rate(m),
        ratio: rate(m) / base,
      })),
    );
    expect(measured.every((m) => m.status === 'completed')).toBe(true);
  } finally {
    await bench.close();
  }
});
